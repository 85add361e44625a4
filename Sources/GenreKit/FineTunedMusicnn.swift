import Foundation
import GenreML
import GenreNN
import GenrePretrained

/// How `musicnn-fine-tune` trains: which of musicnn's blocks stay as pre-trained, and how fast the
/// others move.
public struct FineTuning: Codable, Sendable, Equatable {
    /// musicnn's blocks (front end, mid end, back end) held still, counted from the input: 0 trains
    /// them all, 3 only the new output layer (the frozen embeddings with a dense head).
    public var frozenBlocks: Int
    /// The learning rate of the pre-trained layers that train, as a fraction of the new layer's.
    public var pretrainedRateScale: Float
    public var epochs: Int

    public init(frozenBlocks: Int = 1, pretrainedRateScale: Float = 0.1, epochs: Int = 8) {
        self.frozenBlocks = frozenBlocks
        self.pretrainedRateScale = pretrainedRateScale
        self.epochs = epochs
    }

    /// The blocks `frozenBlocks` counts.
    public static let blocks = ["front end", "mid end", "back end"]

    /// A bundle's settings are checked when read: prediction cuts the network at `frozenBlocks`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(frozenBlocks: try container.decode(Int.self, forKey: .frozenBlocks),
                  pretrainedRateScale: try container.decode(Float.self, forKey: .pretrainedRateScale),
                  epochs: try container.decode(Int.self, forKey: .epochs))
        do throws(ModelError) { try checkFrozenBlocks() } catch {
            throw DecodingError.dataCorruptedError(forKey: .frozenBlocks, in: container, debugDescription: error.description)
        }
    }

    func checkFrozenBlocks() throws(ModelError) {
        guard (0 ... Self.blocks.count).contains(frozenBlocks) else {
            throw .invalidParameter("--frozen-blocks counts musicnn's \(Self.blocks.count) blocks (\(Self.blocks.joined(separator: ", "))): give 0 to \(Self.blocks.count), not \(frozenBlocks)")
        }
    }
}

/// MSD_musicnn fine-tuned to the classes, the step of transfer learning after frozen embeddings: its
/// tag layer replaced by a new output layer for the classes (behind musicnn's dropout), the first
/// `frozenBlocks` blocks held still, the other pre-trained layers trained at a fraction of the new
/// layer's learning rate; trained as `TrainingSettings` trains, with Adam, a cosine schedule and no
/// validation part. Rows are musicnn's input patches (`--set musicnn-input`), taken as they are (no
/// standardisation). The bundle keeps the weights of what trained; the frozen blocks come from the
/// shipped network.
public struct FineTunedMusicnn: Classifier {
    public static let network = "MSD_musicnn"
    public let settings: FineTuning
    public let batchSize: Int
    public let learningRate: Float
    public let seed: UInt64
    /// Receives the progress of every epoch while the network trains.
    @NotSaved public var progress: (@Sendable (EpochProgress) -> Void)?
    private var trained: TrainedNetwork?

    public init(settings: FineTuning = .init(), batchSize: Int = 32, learningRate: Float = 1e-3, seed: UInt64 = 0,
                progress: (@Sendable (EpochProgress) -> Void)? = nil) {
        self.settings = settings
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
        self.progress = progress
    }

    /// The loss and accuracy of every epoch of the last `fit`.
    public var history: TrainingHistory? { trained?.history }

    /// The weights of what trained: the blocks after the frozen ones ("0.", "1.", ...), then the new
    /// output layer, named as in a `Sequential` of them.
    public var trainedWeights: SafetensorsFile? {
        get throws { try trained?.weightsFile }
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        try validatePatches(x)
        try settings.checkFrozenBlocks()
        guard settings.epochs > 0, batchSize > 0, learningRate > 0,
              settings.pretrainedRateScale >= 0, settings.pretrainedRateScale.isFinite else {
            throw .invalidParameter("epochs, batch size and learning rate must be positive and the pre-trained rate scale at least 0")
        }
        // The one trainer of the networks, without a validation part so far: musicnn's own settings decide.
        let (this, training) = (self, TrainingSettings(epochs: settings.epochs, batchSize: batchSize, learningRate: learningRate,
                                                       validationFraction: 0))
        trained = try translatingNetworkErrors { () throws -> TrainedNetwork in
            let network = try this.network(classCount: classCount)
            for parameter in network.model.layers.dropLast().flatMap(\.parameters) {
                parameter.learningRateScale = this.settings.pretrainedRateScale
            }
            let inputs = try this.frozenOutput(x, rows: 0 ..< x.rows, network: network)
            let history = try training.train(network.model, on: try TrainingData(inputs: inputs, labels: labels),
                                             groups: Array(0 ..< x.rows), seed: this.seed, progress: this.progress)
            return TrainedNetwork(columns: x.columns, classCount: classCount, weights: network.model.weightsFile().data(), history: history)
        }
    }

    public var fittedShape: FittedShape? { trained?.shape }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let trained else { throw .notFitted("the fine-tuned musicnn") }
        try validatePatches(x)
        try validateInput(x, columns: MusicnnPatchFeatureSet.columnCount)
        return try translatingNetworkErrors { () throws -> RowMatrix in
            let network = try network(classCount: trained.classCount, loading: trained)
            return try softmaxRows(of: x, classCount: trained.classCount, batchSize: 64) { rows in
                try network.model.forward(try frozenOutput(x, rows: rows, network: network), training: false)
            }
        }
    }

    /// What trains or runs on top of the frozen blocks, and those blocks.
    private struct Network {
        let frozen: [Sequential]
        /// The blocks after the frozen ones, then the new output layer.
        let model: Sequential
    }

    /// A fresh copy of the shipped network (training changes it) cut at the frozen blocks, with a
    /// new output layer drawn from the seed, or with the weights of `trained` loaded.
    private func network(classCount: Int, loading trained: TrainedNetwork? = nil) throws -> Network {
        var generator = SeededGenerator(seed: seed)
        let (blocks, width) = try PretrainedNetwork(named: Self.network).blocks(seed: seed &+ 1)
        let weights = try trained?.weights(outputLayerInputs: width)
        let output = Sequential([try Dropout(rate: 0.5, seed: seed &+ 2),
                                 try Dense(inputs: width, outputs: classCount, generator: &generator)])
        let network = Network(frozen: Array(blocks[..<settings.frozenBlocks]),
                              model: Sequential(Array(blocks[settings.frozenBlocks...]) + [output]))
        if let weights { try network.model.loadWeights(weights, source: "the model's weights") }
        return network
    }

    /// The patches of `rows` through the frozen blocks in inference mode: the front end as the shipped
    /// network computes it, once per patch in a process (`FrontEndCache`), the rest on GenreNN.
    private func frozenOutput(_ x: RowMatrix, rows: Range<Int>, network: Network) throws -> Tensor {
        let patches = x.values[rows.lowerBound * x.columns ..< rows.upperBound * x.columns]
        guard settings.frozenBlocks > 0 else {
            return Tensor(shape: [rows.count] + PretrainedNetwork.patchShape, scalars: Array(patches))
        }
        let frontEnd = try FrontEndCache.shared.frontEnd(of: patches, network: Self.network)
        return try network.frozen.dropFirst().reduce(frontEnd) { try $1.forward($0, training: false) }
    }

    private func validatePatches(_ x: RowMatrix) throws(ModelError) {
        guard x.columns == MusicnnPatchFeatureSet.columnCount else {
            throw .invalidParameter("musicnn-fine-tune takes musicnn's input patches (--set \(MusicnnPatchFeatureSet.setName), "
                + "\(MusicnnPatchFeatureSet.columnCount) columns), not rows of \(x.columns) features")
        }
    }
}
