/// A model learned by a native library (libsvm, XGBoost) over the classes it was trained on.
protocol NativeModel: Sendable, Codable {
    /// How many classes the library learned (the `present` classes of its `NativeFit`).
    var classCount: Int { get }
    /// The width of a row.
    var columns: Int { get }
    /// One row per row of `x`, one column per learned class.
    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix
}

/// What a classifier over a native library learns: which classes had training rows, and the
/// library's model over just those, numbered `0..<present.count` in increasing order. Native
/// libraries cannot represent a class without rows, and there is nothing to learn from one class,
/// so a single class needs no native model: it gets probability 1, absent classes 0.
struct NativeFit<Model: NativeModel>: Sendable, Codable {
    let classCount: Int
    let columns: Int
    /// The classes with training rows, ascending.
    let present: [Int]
    /// Nil when training saw a single class.
    let model: Model?

    /// Checks the training set, then lets `train` learn from the rows and their dense labels
    /// (indices into `present`) when there are at least two classes.
    init(_ x: RowMatrix, labels: [Int], classCount: Int,
         train: (_ denseLabels: [Int], _ classes: Int) throws(ModelError) -> Model) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        guard x.columns > 0 else { throw .invalidParameter("the training rows have no columns") }
        var dense = [Int](repeating: -1, count: classCount)
        for label in labels { dense[label] = 0 }
        present = dense.indices.filter { dense[$0] == 0 }
        for (index, label) in present.enumerated() { dense[label] = index }
        self.classCount = classCount
        columns = x.columns
        model = present.count > 1 ? try train(labels.map { dense[$0] }, present.count) : nil
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        classCount = try container.decode(Int.self, forKey: .classCount)
        columns = try container.decode(Int.self, forKey: .columns)
        present = try container.decode([Int].self, forKey: .present)
        model = try container.decodeIfPresent(Model.self, forKey: .model)
        let ascending = zip(present, present.dropFirst()).allSatisfy { $0 < $1 }
        guard columns > 0, classCount > 0, !present.isEmpty, ascending,
              present.allSatisfy({ (0 ..< classCount).contains($0) })
        else { throw corrupt(decoder, "the trained classes \(present) are not an ascending subset of 0..<\(classCount)") }
        guard (model == nil) == (present.count == 1) else {
            throw corrupt(decoder, "\(present.count) trained classes but \(model == nil ? "no" : "a") native model")
        }
        if let model, model.classCount != present.count || model.columns != columns {
            throw corrupt(decoder, "the native model has \(model.classCount) classes and \(model.columns) columns, "
                          + "expected \(present.count) and \(columns)")
        }
    }

    /// Probabilities over all `classCount` classes, absent ones 0.
    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try validateInput(x, columns: columns)
        var result = RowMatrix(rows: x.rows, columns: classCount)
        let learned = try model?.probabilities(x)
        for row in 0 ..< x.rows {
            for (index, label) in present.enumerated() { result[row, label] = learned?[row, index] ?? 1 }
        }
        return result
    }

    /// The class of each dense index a native model reports.
    func label(_ dense: Int) -> Int { present[dense] }
}

/// The error `init(from:)` throws for decoded state that does not describe a usable model.
func corrupt(_ decoder: any Decoder, _ why: String) -> DecodingError {
    .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: ModelError.corruptState(why).description))
}
