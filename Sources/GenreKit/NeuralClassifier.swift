import Foundation
import GenreML
import GenreNN
import GenrePretrained

/// A network from `NetworkArchitecture` behind the classic estimators' contract: rows of features
/// in, class probabilities out, so cross-validation, aggregation over windows and model bundles
/// work for it unchanged. Trained by GenreNN's `Trainer` as `TrainingSettings` say, validating on
/// whole groups of its training rows (`GroupedFitting`); the learned weights are kept as
/// safetensors bytes, which is also how the bundle stores them.
public struct NeuralClassifier: GroupedFitting {
    public let architecture: NetworkArchitecture
    public let training: TrainingSettings
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
    /// SpecAugment masks and mixup of the training batches; nil for none (and in older bundles).
    public let augmentation: BatchAugmentation?
    /// Receives the progress of every epoch while the network trains.
    @NotSaved public var progress: (@Sendable (EpochProgress) -> Void)?
    private var trained: TrainedNetwork?

    /// `training` nil takes the architecture's `defaultTraining`.
    public init(architecture: NetworkArchitecture, training: TrainingSettings? = nil, dropout: Float? = nil,
                widthMultiplier: Float? = nil, imageNetFrozenBlocks: Int? = nil, seed: UInt64 = 0,
                augmentation: BatchAugmentation? = nil, progress: (@Sendable (EpochProgress) -> Void)? = nil) {
        self.architecture = architecture
        self.training = training ?? architecture.defaultTraining
        self.dropout = dropout
        self.widthMultiplier = widthMultiplier
        self.imageNetFrozenBlocks = imageNetFrozenBlocks
        self.seed = seed
        self.augmentation = augmentation
        self.progress = progress
    }

    /// The width the network is built with: the ImageNet weights are MobileNetV2's at width 1.
    private var builtWidth: Float? { imageNetFrozenBlocks == nil ? widthMultiplier : 1 }

    private enum CodingKeys: String, CodingKey {
        case architecture, training, dropout, widthMultiplier, imageNetFrozenBlocks, seed, augmentation, trained
        // How bundles saved before `training` kept its first settings.
        case epochs, batchSize, learningRate
    }

    /// A bundle saved before the settings were grouped holds epochs, batch size and learning rate
    /// alone: it trained with Adam and without validation.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try container.decode(NetworkArchitecture.self, forKey: .architecture)
        training = try container.decodeIfPresent(TrainingSettings.self, forKey: .training)
            ?? TrainingSettings(epochs: try container.decode(Int.self, forKey: .epochs),
                                batchSize: try container.decode(Int.self, forKey: .batchSize),
                                learningRate: try container.decode(Float.self, forKey: .learningRate), validationFraction: 0)
        dropout = try container.decodeIfPresent(Float.self, forKey: .dropout)
        widthMultiplier = try container.decodeIfPresent(Float.self, forKey: .widthMultiplier)
        imageNetFrozenBlocks = try container.decodeIfPresent(Int.self, forKey: .imageNetFrozenBlocks)
        seed = try container.decode(UInt64.self, forKey: .seed)
        augmentation = try container.decodeIfPresent(BatchAugmentation.self, forKey: .augmentation)
        trained = try container.decodeIfPresent(TrainedNetwork.self, forKey: .trained)
        progress = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(training, forKey: .training)
        try container.encodeIfPresent(dropout, forKey: .dropout)
        try container.encodeIfPresent(widthMultiplier, forKey: .widthMultiplier)
        try container.encodeIfPresent(imageNetFrozenBlocks, forKey: .imageNetFrozenBlocks)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(augmentation, forKey: .augmentation)
        try container.encodeIfPresent(trained, forKey: .trained)
    }

    /// The loss and accuracy of every epoch of the last `fit`.
    public var history: TrainingHistory? { trained?.history }

    public mutating func fit(_ x: RowMatrix, labels: [Int], groups: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        let (architecture, training, dropout, widthMultiplier, frozen, seed, augmentation, progress) =
            (architecture, training, dropout, builtWidth, imageNetFrozenBlocks, seed, augmentation, progress)
        trained = try translatingNetworkErrors { () throws -> TrainedNetwork in
            let model = try architecture.build(columns: x.columns, classCount: classCount, seed: seed, dropout: dropout,
                                               widthMultiplier: widthMultiplier)
            if let frozen { try architecture.startFromImageNet(model, frozenBlocks: frozen) }
            let inputs = Tensor(shape: [x.rows] + architecture.inputShape(columns: x.columns), scalars: x.values)
            let history = try training.train(model, on: try TrainingData(inputs: inputs, labels: labels), groups: groups,
                                             seed: seed, augmentation: augmentation, progress: progress)
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
