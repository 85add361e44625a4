import Foundation
import GenreML
import GenreNN
import GenrePretrained

/// A network from `NetworkArchitecture` behind the classic estimators' contract: rows of features
/// in, class probabilities out, so cross-validation, aggregation over windows and model bundles
/// work for it unchanged. Trained by GenreNN's `Trainer` with Adam and a cosine schedule; the
/// learned weights are kept as safetensors bytes, which is also how the bundle stores them.
public struct NeuralClassifier: Classifier {
    public let architecture: NetworkArchitecture
    public let epochs: Int
    public let batchSize: Int
    public let learningRate: Float
    /// The rate of the network's dropout layers; nil for the architecture's `defaultDropout` (and in
    /// bundles saved before it could be chosen). It decides which layers the network has.
    public let dropout: Float?
    /// The image networks' width multiplier; nil for `NetworkArchitecture.defaultWidthMultiplier` (and
    /// for the networks without one). It decides the network's shape.
    public let widthMultiplier: Float?
    /// `mobilenet-v2` only: start from the ImageNet weights (width 1) with this many of its blocks
    /// frozen (`NetworkArchitecture.imageNetBlocks`); nil trains from scratch.
    public let imageNetFrozenBlocks: Int?
    public let seed: UInt64
    /// Receives each epoch's progress line while the network trains.
    @NotSaved public var progress: (@Sendable (String) -> Void)?
    private var trained: TrainedNetwork?

    public init(architecture: NetworkArchitecture, epochs: Int? = nil, batchSize: Int = 32,
                learningRate: Float = 1e-3, dropout: Float? = nil, widthMultiplier: Float? = nil,
                imageNetFrozenBlocks: Int? = nil, seed: UInt64 = 0,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.architecture = architecture
        self.epochs = epochs ?? architecture.defaultEpochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.dropout = dropout
        self.widthMultiplier = widthMultiplier
        self.imageNetFrozenBlocks = imageNetFrozenBlocks
        self.seed = seed
        self.progress = progress
    }

    /// The width the network is built with: the ImageNet weights are MobileNetV2's at width 1.
    private var builtWidth: Float? { imageNetFrozenBlocks == nil ? widthMultiplier : 1 }

    /// The loss and accuracy of every epoch of the last `fit`.
    public var history: TrainingHistory? { trained?.history }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        guard epochs > 0, batchSize > 0, learningRate > 0 else {
            throw .invalidParameter("epochs, batch size and learning rate must be positive")
        }
        let (architecture, epochs, batchSize, learningRate, dropout, widthMultiplier, frozen, seed, progress) =
            (architecture, epochs, batchSize, learningRate, dropout, builtWidth, imageNetFrozenBlocks, seed, progress)
        trained = try translatingNetworkErrors { () throws -> TrainedNetwork in
            let model = try architecture.build(columns: x.columns, classCount: classCount, seed: seed, dropout: dropout,
                                               widthMultiplier: widthMultiplier)
            if let frozen { try architecture.startFromImageNet(model, frozenBlocks: frozen) }
            let inputs = Tensor(shape: [x.rows] + architecture.inputShape(columns: x.columns), scalars: x.values)
            let trainer = Trainer(model: model, optimizer: try Adam(learningRate: learningRate),
                                  schedule: try CosineAnnealing(epochs: epochs), batchSize: batchSize, seed: seed,
                                  report: progress.map { report in { report("\(architecture.rawValue) \($0.progressLine(epochs: epochs))") } })
            let history = try trainer.fit(try TrainingData(inputs: inputs, labels: labels), epochs: epochs)
            return TrainedNetwork(columns: x.columns, classCount: classCount, weights: model.weightsFile().data(), history: history)
        }
    }

    public var fittedShape: FittedShape? { trained?.shape }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let trained else { throw .notFitted("the \(architecture.rawValue) network") }
        try validateInput(x, columns: trained.columns)
        let (architecture, dropout, widthMultiplier) = (architecture, dropout, builtWidth)
        return try translatingNetworkErrors { () throws -> RowMatrix in
            let weights = try trained.weights(outputLayerInputs: architecture.lastHiddenWidth)
            let model = try architecture.build(columns: trained.columns, classCount: trained.classCount, seed: 0, dropout: dropout,
                                               widthMultiplier: widthMultiplier)
            try model.loadWeights(weights, source: "the model's weights")
            let shape = architecture.inputShape(columns: trained.columns)
            return try softmaxRows(of: x, classCount: trained.classCount, batchSize: 128) { rows in
                let batch = Tensor(shape: [rows.count] + shape,
                                   scalars: Array(x.values[rows.lowerBound * x.columns ..< rows.upperBound * x.columns]))
                return try model.forward(batch, training: false)
            }
        }
    }
}

/// What a network learnt, as a bundle keeps it: the weights as safetensors bytes.
struct TrainedNetwork: Codable, Sendable {
    let columns: Int
    let classCount: Int
    let weights: Data
    let history: TrainingHistory

    var shape: FittedShape { FittedShape(columns: columns, outputs: classCount) }

    var weightsFile: SafetensorsFile {
        get throws { try SafetensorsFile(data: weights, source: "the model's weights") }
    }

    /// The weights, which must hold the output layer, [classCount, inputs]: the network is built for
    /// the class count before its weights are loaded, and this keeps what it allocates within what
    /// the bundle holds.
    func weights(outputLayerInputs inputs: Int) throws -> SafetensorsFile {
        let file = try weightsFile
        guard file.tensors.values.contains(where: { $0.shape == [classCount, inputs] }) else {
            throw ModelError.corruptState("the network's weights have no output layer for \(classCount) classes")
        }
        return file
    }
}

/// Runs `body`, turning the engine's errors into `ModelError`s that name them.
func translatingNetworkErrors<T>(_ body: () throws -> T) throws(ModelError) -> T {
    do { return try body() } catch let error as ModelError { throw error } catch {
        throw .library("\(error)")
    }
}

/// The class probabilities of every row of `x`, from the logits [rows, classes] that `logits` gives
/// for each batch of rows: batches bound the activations' memory however many windows are scored.
func softmaxRows(of x: RowMatrix, classCount: Int, batchSize: Int, logits: (Range<Int>) throws -> Tensor) throws -> RowMatrix {
    var probabilities = RowMatrix(rows: x.rows, columns: classCount)
    for start in stride(from: 0, to: x.rows, by: batchSize) {
        let rows = start ..< min(x.rows, start + batchSize)
        let values = try logits(rows)
        for (offset, row) in rows.enumerated() {
            softmax(values.scalars[offset * classCount ..< (offset + 1) * classCount],
                    into: &probabilities.values[row * classCount ..< (row + 1) * classCount])
        }
    }
    return probabilities
}

/// exp(z - max) / Σ exp(z - max), in Double so a wide logit range cannot overflow or lose the small classes.
private func softmax(_ logits: ArraySlice<Float>, into output: inout ArraySlice<Float>) {
    let top = Double(logits.max() ?? 0)
    let exps = logits.map { exp(Double($0) - top) }
    let sum = exps.reduce(0, +)
    for (index, value) in zip(output.indices, exps) { output[index] = Float(value / sum) }
}
