/// Called by `Trainer.fit` at the end of each epoch, in the manner of a Keras callback; its answer
/// can stop training or scale the learning rate.
public protocol TrainingCallback: AnyObject {
    /// The metric it watches, so that `fit` refuses to start without the validation data it needs.
    var monitor: TrainingMetric? { get }
    /// Called before the first epoch: forget what an earlier `fit` left.
    func trainingBegan()
    func epochEnded(_ record: EpochRecord, model: Sequential) throws -> TrainingAction
    /// Called after the last epoch; returns the epoch whose weights it put back into the model, if it did.
    func trainingEnded(model: Sequential) -> Int?
}

extension TrainingCallback {
    public var monitor: TrainingMetric? { nil }
    public func trainingBegan() {}
    public func trainingEnded(model: Sequential) -> Int? { nil }
}

/// What a callback asks of the trainer after an epoch.
public struct TrainingAction: Equatable, Sendable {
    public var stop: Bool
    /// Multiplies the learning rate from the next epoch on (on top of any schedule); 1 leaves it.
    public var learningRateFactor: Float

    public static let proceed = TrainingAction(stop: false, learningRateFactor: 1)
    public static let stop = TrainingAction(stop: true, learningRateFactor: 1)
    public static func scaleLearningRate(by factor: Float) -> TrainingAction {
        TrainingAction(stop: false, learningRateFactor: factor)
    }
}

/// The best value of a metric so far and, if asked, the weights that gave it. An improvement beats
/// the best by more than `minDelta`, as Keras' callbacks judge it; NaN never improves.
struct MetricTracker {
    let metric: TrainingMetric
    let minDelta: Double
    let keepsWeights: Bool
    private(set) var best: Double?
    private(set) var bestEpoch: Int?
    private var bestWeights: [Tensor]?

    init(_ metric: TrainingMetric, minDelta: Double = 0, keepsWeights: Bool) {
        self.metric = metric
        self.minDelta = minDelta
        self.keepsWeights = keepsWeights
    }

    mutating func reset() { self = MetricTracker(metric, minDelta: minDelta, keepsWeights: keepsWeights) }

    /// Whether `record` improves on the best; if it does, it becomes the best.
    mutating func observe(_ record: EpochRecord, model: Sequential, callback: String) throws -> Bool {
        guard let value = metric.value(in: record) else { throw TrainingError.missingMetric(callback: callback, metric: metric) }
        let improves = metric.higherIsBetter ? value - minDelta > (best ?? -.infinity) : value + minDelta < (best ?? .infinity)
        guard improves else { return false }
        best = value
        bestEpoch = record.epoch
        if keepsWeights { bestWeights = model.parameters.map(\.value) }
        return true
    }

    /// Puts the best weights back into `model`; returns their epoch, or nil when none were kept.
    func restore(into model: Sequential) -> Int? {
        guard let bestWeights, let bestEpoch else { return nil }
        for (parameter, value) in zip(model.parameters, bestWeights) { parameter.value = value }
        return bestEpoch
    }
}

/// Epochs in a row in which a tracked metric has not improved, against a patience.
struct Plateau {
    private(set) var tracker: MetricTracker
    let patience: Int
    private var wait = 0

    init(_ tracker: MetricTracker, patience: Int) {
        self.tracker = tracker
        self.patience = patience
    }

    mutating func reset() {
        tracker.reset()
        wait = 0
    }

    /// Observes `record`; true once `patience` epochs in a row have not improved (Keras acts on the
    /// first such epoch for a patience of 0 as for 1), and from then on until `restart`.
    mutating func exhausted(after record: EpochRecord, model: Sequential, callback: String) throws -> Bool {
        wait = try tracker.observe(record, model: model, callback: callback) ? 0 : wait + 1
        return wait >= max(patience, 1)
    }

    mutating func restart() { wait = 0 }
}
