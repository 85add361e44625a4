import Foundation
import GenreML
import GenreNN

/// A network from `NetworkArchitecture` behind the classic estimators' contract: rows of features
/// in, class probabilities out, so cross-validation, aggregation over windows and model bundles
/// work for it unchanged. Trained by GenreNN's `Trainer` with Adam and a cosine schedule; the
/// learned weights are kept as safetensors bytes, which is also how the bundle stores them.
public struct NeuralClassifier: Classifier {
    public let architecture: NetworkArchitecture
    public let epochs: Int
    public let batchSize: Int
    public let learningRate: Float
    public let seed: UInt64
    private var trained: Trained?

    private struct Trained: Codable, Sendable {
        let columns: Int
        let classCount: Int
        let weights: Data
        let history: TrainingHistory
    }

    public init(architecture: NetworkArchitecture, epochs: Int? = nil, batchSize: Int = 32,
                learningRate: Float = 1e-3, seed: UInt64 = 0) {
        self.architecture = architecture
        self.epochs = epochs ?? architecture.defaultEpochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }

    /// Receives each epoch's progress line while a network trains (the command line sends them to
    /// stderr unless --quiet); nil, the default, keeps training silent.
    public static var epochReport: (@Sendable (String) -> Void)? {
        get { reportBox.withLock { $0 } }
        set { reportBox.withLock { $0 = newValue } }
    }
    private static let reportBox = LockedValue<(@Sendable (String) -> Void)?>(nil)

    /// The loss and accuracy of every epoch of the last `fit`.
    public var history: TrainingHistory? { trained?.history }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        guard epochs > 0, batchSize > 0, learningRate > 0 else {
            throw .invalidParameter("epochs, batch size and learning rate must be positive")
        }
        let (architecture, epochs, batchSize, learningRate, seed) = (architecture, epochs, batchSize, learningRate, seed)
        trained = try Self.translatingErrors { () throws -> Trained in
            let model = try architecture.build(columns: x.columns, classCount: classCount, seed: seed)
            let inputs = Tensor(shape: [x.rows] + architecture.inputShape(columns: x.columns), scalars: x.values)
            let trainer = Trainer(model: model, optimizer: try Adam(learningRate: learningRate),
                                  schedule: try CosineAnnealing(epochs: epochs), batchSize: batchSize, seed: seed,
                                  report: Self.epochReport.map { report in { report("\(architecture.rawValue) \($0.progressLine(epochs: epochs))") } })
            let history = try trainer.fit(try TrainingData(inputs: inputs, labels: labels), epochs: epochs)
            return Trained(columns: x.columns, classCount: classCount, weights: model.weightsFile().data(), history: history)
        }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let trained else { throw .notFitted("the \(architecture.rawValue) network") }
        try validateInput(x, columns: trained.columns)
        let architecture = architecture
        return try Self.translatingErrors { () throws -> RowMatrix in
            let model = try architecture.build(columns: trained.columns, classCount: trained.classCount, seed: 0)
            try model.loadWeights(try SafetensorsFile(data: trained.weights, source: "the model's weights"),
                                  source: "the model's weights")
            let shape = architecture.inputShape(columns: trained.columns)
            var probabilities = RowMatrix(rows: x.rows, columns: trained.classCount)
            // Batches bound the activations' memory however many windows are scored.
            for start in stride(from: 0, to: x.rows, by: 128) {
                let rows = start ..< min(x.rows, start + 128)
                let batch = Tensor(shape: [rows.count] + shape,
                                   scalars: Array(x.values[rows.lowerBound * x.columns ..< rows.upperBound * x.columns]))
                let logits = try model.forward(batch, training: false)
                for (offset, row) in rows.enumerated() {
                    softmax(logits.scalars[offset * trained.classCount ..< (offset + 1) * trained.classCount],
                            into: &probabilities.values[row * trained.classCount ..< (row + 1) * trained.classCount])
                }
            }
            return probabilities
        }
    }

    /// Runs `body`, turning the engine's errors into `ModelError`s that name them.
    private static func translatingErrors<T>(_ body: () throws -> T) throws(ModelError) -> T {
        do { return try body() } catch let error as ModelError { throw error } catch {
            throw .library("\(error)")
        }
    }
}

/// exp(z - max) / Σ exp(z - max), in Double so a wide logit range cannot overflow or lose the small classes.
private func softmax(_ logits: ArraySlice<Float>, into output: inout ArraySlice<Float>) {
    let top = Double(logits.max() ?? 0)
    let exps = logits.map { exp(Double($0) - top) }
    let sum = exps.reduce(0, +)
    for (index, value) in zip(output.indices, exps) { output[index] = Float(value / sum) }
}

/// A value behind a lock, for process-wide settings read from several threads.
final class LockedValue<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
