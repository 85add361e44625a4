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
/// library's model over just those, numbered densely in increasing order. Native
/// libraries cannot represent a class without rows, and there is nothing to learn from one class,
/// so a single class needs no native model: it gets probability 1, absent classes 0.
struct NativeFit<Model: NativeModel>: Sendable, Codable {
    let classes: TrainedClasses
    let columns: Int
    /// Nil when training saw a single class.
    let model: Model?

    var classCount: Int { classes.classCount }
    var shape: FittedShape { FittedShape(columns: columns, outputs: classCount) }

    /// Checks the training set, then lets `train` learn from the rows and their dense labels
    /// (indices into the trained classes) when there are at least two classes.
    init(_ x: RowMatrix, labels: [Int], classCount: Int,
         train: (_ denseLabels: [Int], _ classes: Int) throws(ModelError) -> Model) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        guard x.columns > 0 else { throw .invalidParameter("the training rows have no columns") }
        classes = TrainedClasses(labels: labels, classCount: classCount)
        columns = x.columns
        model = classes.count > 1 ? try train(classes.dense(labels), classes.count) : nil
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        classes = try container.decode(TrainedClasses.self, forKey: .classes)
        columns = try container.decode(Int.self, forKey: .columns)
        model = try container.decodeIfPresent(Model.self, forKey: .model)
        do { try classes.check() } catch { throw corrupt(decoder, error.description) }
        guard columns > 0 else { throw corrupt(decoder, "a model of \(columns) columns") }
        guard (model == nil) == (classes.count == 1) else {
            throw corrupt(decoder, "\(classes.count) trained classes but \(model == nil ? "no" : "a") native model")
        }
        if let model, model.classCount != classes.count || model.columns != columns {
            throw corrupt(decoder, "the native model has \(model.classCount) classes and \(model.columns) columns, "
                          + "expected \(classes.count) and \(columns)")
        }
    }

    /// Probabilities over all `classCount` classes, absent ones 0.
    func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try validateInput(x, columns: columns)
        let learned = try model?.probabilities(x)
        return classes.matrix(rows: x.rows) { row, values in
            for index in values.indices { values[index] = learned.map { Double($0[row, index]) } ?? 1 }
        }
    }

    /// The class of each dense index a native model reports.
    func label(_ dense: Int) -> Int { classes.present[dense] }
}

/// The error `init(from:)` throws for decoded state that does not describe a usable model.
func corrupt(_ decoder: any Decoder, _ why: String) -> DecodingError {
    .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: ModelError.corruptState(why).description))
}
