import GenreML
import TestSupport

/// The data and scikit-learn's answers in `linear.safetensors`
/// (scripts/fixtures/make_ml_linear_fixtures.py).
struct LinearFixture {
    let fixture: Fixture

    init() throws { fixture = try Fixture.load("linear.safetensors") }

    /// A 2-d tensor as rows.
    func matrix(_ name: String) throws -> RowMatrix {
        let tensor = try fixture.tensor(name)
        return RowMatrix(rows: tensor.shape[0], columns: tensor.shape[1], values: tensor.floats)
    }

    func labels(_ name: String) throws -> [Int] { try fixture.tensor(name).values.map { Int($0) } }

    /// The standardised training rows and their labels, restricted to `classes` when given.
    func scaledTraining(classes: Set<Int>? = nil) throws -> (x: RowMatrix, labels: [Int]) {
        try training("scaled_train", classes: classes)
    }

    func training(_ name: String, classes: Set<Int>? = nil) throws -> (x: RowMatrix, labels: [Int]) {
        let x = try matrix(name), labels = try labels("y_train")
        let rows = labels.indices.filter { classes?.contains(labels[$0]) ?? true }
        return (x.selecting(rows: rows), rows.map { labels[$0] })
    }

    var classCount: Int { 5 }
}

/// Columns `columns` of `matrix`, row by row (a model's probabilities for scikit-learn's classes).
func columns(_ columns: [Int], of matrix: RowMatrix) -> [Float] {
    (0 ..< matrix.rows).flatMap { row in columns.map { matrix[row, $0] } }
}
