import Foundation

/// Keeps the weights of the best epoch by `monitor` in memory, as Keras' `ModelCheckpoint` with
/// `save_best_only`; with `url` also writes them there as safetensors (PyTorch names) each time they
/// improve, and with `restoreBest` puts them back into the model when training ends.
public final class ModelCheckpoint: TrainingCallback {
    public let url: URL?
    public let restoreBest: Bool
    private var tracker: MetricTracker

    public init(monitor: TrainingMetric = .validationLoss, url: URL? = nil, restoreBest: Bool = false) {
        tracker = MetricTracker(monitor, keepsWeights: true)
        self.url = url
        self.restoreBest = restoreBest
    }

    public var monitor: TrainingMetric? { tracker.metric }
    /// The best epoch so far and its monitored value.
    public var bestEpoch: Int? { tracker.bestEpoch }
    public var bestValue: Double? { tracker.best }

    public func trainingBegan() { tracker.reset() }

    public func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingAction {
        if try tracker.observe(record, model: model, callback: "ModelCheckpoint"), let url {
            try model.saveWeights(to: url, metadata: ["epoch": "\(record.epoch)", tracker.metric.rawValue: "\(tracker.best!)"])
        }
        return .proceed
    }

    public func trainingEnded(model: Sequential) -> Int? { restoreBest ? tracker.restore(into: model) : nil }
}

/// Stops training once `monitor` has not improved by more than `minDelta` for `patience` epochs in
/// a row, as Keras' `EarlyStopping`. With `restoreBest` the model ends with its best epoch's weights
/// (unlike Keras, also when training ran to the last epoch without stopping).
public final class EarlyStopping: TrainingCallback {
    public let restoreBest: Bool
    private var plateau: Plateau
    /// The epoch at which it stopped training, if it did.
    public private(set) var stoppedEpoch: Int?

    public init(monitor: TrainingMetric = .validationLoss, patience: Int = 0, minDelta: Double = 0,
                restoreBest: Bool = false) throws {
        try require(patience >= 0 && minDelta >= 0, "EarlyStopping",
                    "patience and minDelta must be non-negative, got \(patience) and \(minDelta)")
        plateau = Plateau(MetricTracker(monitor, minDelta: minDelta, keepsWeights: restoreBest), patience: patience)
        self.restoreBest = restoreBest
    }

    public var monitor: TrainingMetric? { plateau.tracker.metric }
    public var patience: Int { plateau.patience }

    public func trainingBegan() {
        plateau.reset()
        stoppedEpoch = nil
    }

    public func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingAction {
        guard try plateau.exhausted(after: record, model: model, callback: "EarlyStopping") else { return .proceed }
        stoppedEpoch = record.epoch
        return .stop
    }

    public func trainingEnded(model: Sequential) -> Int? { plateau.tracker.restore(into: model) }
}

/// Multiplies the learning rate by `factor` once `monitor` has not improved by more than `minDelta`
/// for `patience` epochs in a row, never below `minimum`, as Keras' `ReduceLROnPlateau` (without cooldown).
public final class ReduceLROnPlateau: TrainingCallback {
    public let factor: Float
    public let minimum: Float
    private var plateau: Plateau

    public init(monitor: TrainingMetric = .validationLoss, factor: Float = 0.1, patience: Int = 10,
                minimum: Float = 0, minDelta: Double = 1e-4) throws {
        try require(factor > 0 && factor < 1, "ReduceLROnPlateau", "factor must lie in (0, 1), got \(factor)")
        try require(patience >= 0 && minimum >= 0 && minDelta >= 0, "ReduceLROnPlateau",
                    "patience, minimum and minDelta must be non-negative, got \(patience), \(minimum) and \(minDelta)")
        plateau = Plateau(MetricTracker(monitor, minDelta: minDelta, keepsWeights: false), patience: patience)
        self.factor = factor
        self.minimum = minimum
    }

    public var monitor: TrainingMetric? { plateau.tracker.metric }
    public var patience: Int { plateau.patience }

    public func trainingBegan() { plateau.reset() }

    public func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingAction {
        guard try plateau.exhausted(after: record, model: model, callback: "ReduceLROnPlateau"),
              record.learningRate > minimum else { return .proceed }
        plateau.restart()
        return .scaleLearningRate(by: max(record.learningRate * factor, minimum) / record.learningRate)
    }
}
