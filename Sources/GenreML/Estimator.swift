import GenreSupport

/// A classifier in the spirit of scikit-learn's estimator contract: hyper-parameters are set at
/// construction, `fit` learns, and the columns of `probabilities` are the classes `0..<classCount`
/// (the caller maps them to names). Learned state is `Codable`, which is how a model is saved.
public protocol Classifier: Sendable, Codable {
    /// Learns from the rows of `x` and their classes `labels[i]` in `0..<classCount`.
    /// Classes with no training row get probability 0 (or the model's smallest possible value).
    mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError)
    /// One row per row of `x`, one column per class; every row sums to 1 and holds no NaN.
    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix
    /// The row width and class count `fit` learned; nil before `fit`.
    var fittedShape: FittedShape? { get }
}

extension Classifier {
    /// The most probable class of each row.
    public func predict(_ x: RowMatrix) throws(ModelError) -> [Int] {
        let p = try probabilities(x)
        return (0 ..< p.rows).map { row in
            let values = p.row(row)
            return values.argmax! - values.startIndex
        }
    }
}

/// A feature transformation learned from data (standardisation, PCA).
public protocol Transformer: Sendable, Codable {
    mutating func fit(_ x: RowMatrix) throws(ModelError)
    func transform(_ x: RowMatrix) throws(ModelError) -> RowMatrix
    /// The row widths `fit` learned to take and to give; nil before `fit`.
    var fittedShape: FittedShape? { get }
}

/// The width of the rows a fitted model takes (scikit-learn's `n_features_in_`) and of the rows it
/// gives: its classes for a classifier. A caller checks a loaded model's against what it expects
/// before it runs the model, since the outputs size what the model allocates.
public struct FittedShape: Sendable, Equatable {
    public let columns: Int
    public let outputs: Int

    public init(columns: Int, outputs: Int) {
        self.columns = columns
        self.outputs = outputs
    }
}

/// Why a model could not be fitted or applied.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// `fit` got no rows, or labels that do not match the rows.
    case emptyTrainingSet
    case labelCountMismatch(rows: Int, labels: Int)
    case labelOutOfRange(label: Int, classCount: Int)
    /// The input has a different number of columns than the model was fitted on.
    case dimensionMismatch(expected: Int, got: Int)
    case notFitted(String)
    case nonFiniteInput(row: Int, column: Int)
    case invalidParameter(String)
    /// A native library (libsvm, XGBoost) reported an error.
    case library(String)
    /// Saved state that does not describe a usable model.
    case corruptState(String)

    public var description: String {
        switch self {
        case .emptyTrainingSet: "cannot fit a model on no rows"
        case .labelCountMismatch(let rows, let labels): "\(rows) rows but \(labels) labels"
        case .labelOutOfRange(let label, let count): "label \(label) is outside 0..<\(count)"
        case .dimensionMismatch(let expected, let got):
            "the model expects \(expected) features per row but got \(got)"
        case .notFitted(let model): "\(model) has not been fitted"
        case .nonFiniteInput(let row, let column): "row \(row), column \(column) is NaN or infinite"
        case .invalidParameter(let why): "invalid parameter: \(why)"
        case .library(let why): why
        case .corruptState(let why): "the saved model is not usable: \(why)"
        }
    }
}

/// Checks shared by every `fit`: non-empty, one label per row, labels in range, finite values.
public func validateTraining(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
    guard x.rows > 0, classCount > 0 else { throw .emptyTrainingSet }
    guard labels.count == x.rows else { throw .labelCountMismatch(rows: x.rows, labels: labels.count) }
    if let bad = labels.first(where: { !(0 ..< classCount).contains($0) }) {
        throw .labelOutOfRange(label: bad, classCount: classCount)
    }
    try validateFinite(x)
}

/// Checks the input of `probabilities`/`transform`: the fitted width and finite values.
public func validateInput(_ x: RowMatrix, columns: Int) throws(ModelError) {
    guard x.columns == columns else { throw .dimensionMismatch(expected: columns, got: x.columns) }
    try validateFinite(x)
}

private func validateFinite(_ x: RowMatrix) throws(ModelError) {
    if let index = x.values.firstIndex(where: { !$0.isFinite }) {
        throw .nonFiniteInput(row: index / max(x.columns, 1), column: index % max(x.columns, 1))
    }
}
