import GenreML
import GenreNN

/// The optimizers a network can train with, by the names the command line knows.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Adam, its weight decay added to the gradient (PyTorch's `Adam`).
    case adam
    /// AdamW, its weight decay taken from the weights apart from the gradient (PyTorch's `AdamW`).
    case adamw
    /// Stochastic gradient descent with momentum 0.9 (PyTorch's `SGD`).
    case sgd

    /// The weight decay when none is chosen: PyTorch's default for each.
    public var defaultWeightDecay: Float { self == .adamw ? 0.01 : 0 }

    func make(learningRate: Float, weightDecay: Float) throws -> any Optimizer {
        switch self {
        case .adam: try Adam(learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: try AdamW(learningRate: learningRate, weightDecay: weightDecay)
        case .sgd: try SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        }
    }
}

/// How a network trains: mini-batches, an optimizer under a cosine schedule, and a validation part
/// carved from the training rows by group (`ValidationPart`) that keeps the weights of the epoch
/// with the lowest validation loss, halves the learning rate when that loss stalls for half the
/// patience, and stops training when it has stalled for `patience` epochs.
public struct TrainingSettings: Codable, Sendable, Equatable {
    /// The most epochs; early stopping may end training before.
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var optimizer: OptimizerKind
    public var weightDecay: Float
    /// The share of the training rows held out for validation, whole groups at a time; 0 holds none
    /// out, and then every epoch trains and the last one's weights are kept.
    public var validationFraction: Double
    /// Epochs in a row without a lower validation loss before training stops.
    public var patience: Int

    public init(epochs: Int, batchSize: Int = 32, learningRate: Float = 1e-3, optimizer: OptimizerKind = .adam,
                weightDecay: Float? = nil, validationFraction: Double = 0.1, patience: Int = 5) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.weightDecay = weightDecay ?? optimizer.defaultWeightDecay
        self.validationFraction = validationFraction
        self.patience = patience
    }

    /// Why the settings cannot train, as `genre train` would name the option; nil when they can.
    public var problem: String? {
        if epochs < 1 { return "--epochs must be at least 1, got \(epochs)" }
        if batchSize < 1 { return "--batch-size must be at least 1, got \(batchSize)" }
        if !(learningRate > 0 && learningRate.isFinite) { return "--learning-rate must be a positive number, got \(learningRate)" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "--weight-decay must be a number of at least 0, got \(weightDecay)" }
        if !(validationFraction >= 0 && validationFraction < 1) {
            return "--validation-fraction must lie in [0, 1), got \(validationFraction)"
        }
        if patience < 1 { return "--patience must be at least 1, got \(patience)" }
        return nil
    }

    /// Trains `model` on the rows of `data`, whose groups (`groups[i]` for row i) decide the
    /// validation part; the model ends with the weights the history names.
    func train(_ model: Sequential, on data: TrainingData, groups: [Int], seed: UInt64, augmentation: BatchAugmentation? = nil,
               progress: ((EpochProgress) -> Void)?) throws -> TrainingHistory {
        if let problem { throw ModelError.invalidParameter(problem) }
        var callbacks: [any TrainingCallback] = []
        var (train, validation): (TrainingData, TrainingData?) = (data, nil)
        if validationFraction > 0 {
            let part = try ValidationPart(labels: data.labels, groups: groups, fraction: validationFraction, seed: seed)
            train = try data.selecting(part.training)
            validation = try data.selecting(part.validation)
            callbacks = [ModelCheckpoint(restoreBest: true), try EarlyStopping(patience: patience),
                         try ReduceLROnPlateau(factor: 0.5, patience: max(1, patience / 2))]
        }
        let trainer = Trainer(model: model, optimizer: try optimizer.make(learningRate: learningRate, weightDecay: weightDecay),
                              schedule: try CosineAnnealing(epochs: epochs), callbacks: callbacks, batchSize: batchSize,
                              seed: seed, progress: progress, augmentation: augmentation)
        return try trainer.fit(train, validation: validation, epochs: epochs)
    }
}

/// Training settings chosen on the command line, each nil for the network's own default.
public struct TrainingChoices: Sendable, Equatable {
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Float?
    public var optimizer: OptimizerKind?
    public var weightDecay: Float?
    public var validationFraction: Double?
    public var patience: Int?

    public init(epochs: Int? = nil, batchSize: Int? = nil, learningRate: Float? = nil, optimizer: OptimizerKind? = nil,
                weightDecay: Float? = nil, validationFraction: Double? = nil, patience: Int? = nil) {
        (self.epochs, self.batchSize, self.learningRate, self.optimizer) = (epochs, batchSize, learningRate, optimizer)
        (self.weightDecay, self.validationFraction, self.patience) = (weightDecay, validationFraction, patience)
    }

    /// Why the chosen settings cannot train, whatever the network's defaults; nil when they can.
    public var problem: String? { applied(to: TrainingSettings(epochs: 1)).problem }

    /// Whether any setting is chosen.
    public var isEmpty: Bool { self == TrainingChoices() }

    /// `defaults` with the chosen settings in their place; a new optimizer brings its own weight decay.
    public func applied(to defaults: TrainingSettings) -> TrainingSettings {
        TrainingSettings(epochs: epochs ?? defaults.epochs, batchSize: batchSize ?? defaults.batchSize,
                         learningRate: learningRate ?? defaults.learningRate, optimizer: optimizer ?? defaults.optimizer,
                         weightDecay: weightDecay ?? (optimizer == nil ? defaults.weightDecay : nil),
                         validationFraction: validationFraction ?? defaults.validationFraction,
                         patience: patience ?? defaults.patience)
    }
}
