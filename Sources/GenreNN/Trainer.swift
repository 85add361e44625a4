import Foundation

/// Examples and their class labels; the first axis of `inputs` counts examples ([N, features] or
/// [N, C, H, W]), and batches are gathered from it by index.
public struct TrainingData: Sendable {
    public let inputs: Tensor
    public let labels: [Int]

    public init(inputs: Tensor, labels: [Int]) throws {
        guard inputs.shape.count >= 2, inputs.shape[0] == labels.count, !labels.isEmpty else {
            throw TrainingError.badData("inputs of shape \(inputs.shape) do not hold one example per label for "
                + "\(labels.count) labels; give [examples, ...] with examples = labels.count > 0")
        }
        if let bad = labels.first(where: { $0 < 0 }) { throw TrainingError.badData("label \(bad) is negative") }
        self.inputs = inputs
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The examples at `indices`, in that order.
    func batch(_ indices: some Collection<Int>) -> (inputs: Tensor, labels: [Int]) {
        let size = inputs.count / count
        var scalars: [Float] = []
        scalars.reserveCapacity(indices.count * size)
        for index in indices { scalars += inputs.scalars[index * size ..< (index + 1) * size] }
        return (Tensor(shape: [indices.count] + inputs.shape.dropFirst(), scalars: scalars), indices.map { labels[$0] })
    }
}

/// Mini-batch training of a `Sequential` model in the manner of Keras' `fit`: each epoch shuffles
/// the training examples, steps the optimizer once per batch (the last batch may be smaller),
/// evaluates the validation data in inference mode, and lets the callbacks stop training or scale
/// the learning rate. The validation loss is the same loss (smoothing and class weights included),
/// as when PyTorch code reuses its criterion. The same seed, model and data give the same weights.
public final class Trainer {
    public let model: Sequential
    public let loss: SoftmaxCrossEntropy
    public let optimizer: any Optimizer
    /// nil keeps the optimizer's learning rate (except for the callbacks' changes).
    public let schedule: (any LearningRateSchedule)?
    public let callbacks: [any TrainingCallback]
    public let batchSize: Int
    /// Seeds the shuffling of each `fit`.
    public let seed: UInt64
    /// Called with each epoch's record as it ends, e.g. to print `record.progressLine(epochs:)`.
    public let report: ((EpochRecord) -> Void)?

    public init(model: Sequential, loss: SoftmaxCrossEntropy = .init(), optimizer: any Optimizer,
                schedule: (any LearningRateSchedule)? = nil, callbacks: [any TrainingCallback] = [],
                batchSize: Int = 32, seed: UInt64, report: ((EpochRecord) -> Void)? = nil) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.callbacks = callbacks
        self.batchSize = batchSize
        self.seed = seed
        self.report = report
    }

    /// Trains for up to `epochs` epochs. The optimizer's learning rate when it starts is the
    /// schedule's base. Throws `TrainingError.nonFiniteLoss` as soon as a loss is NaN or infinite.
    public func fit(_ train: TrainingData, validation: TrainingData? = nil, epochs: Int) throws -> TrainingHistory {
        try require(epochs > 0 && batchSize > 0, "Trainer",
                    "epochs and batchSize must be positive, got \(epochs) and \(batchSize)")
        if validation == nil, let callback = callbacks.first(where: { $0.monitor?.needsValidation == true }) {
            throw TrainingError.missingMetric(callback: "\(type(of: callback))", metric: callback.monitor!)
        }
        var generator = SplitMix64(seed: seed)
        var order = Array(0 ..< train.count)
        let base = optimizer.learningRate
        var scale: Float = 1  // the product of the callbacks' factors
        var records: [EpochRecord] = []
        for callback in callbacks { callback.trainingBegan() }
        for epoch in 1 ... epochs {
            let start = ContinuousClock.now
            optimizer.learningRate = (schedule?.learningRate(completedEpochs: epoch - 1, base: base) ?? base) * scale
            generator.shuffle(&order)
            let trained = try trainEpoch(train, order: order, epoch: epoch)
            let validated = try validation.map { try evaluate($0, epoch: epoch) }
            let record = EpochRecord(epoch: epoch, trainLoss: trained.loss, trainAccuracy: trained.accuracy,
                                     validationLoss: validated?.loss, validationAccuracy: validated?.accuracy,
                                     learningRate: optimizer.learningRate, seconds: (ContinuousClock.now - start) / .seconds(1))
            records.append(record)
            report?(record)
            let actions = try callbacks.map { try $0.epochEnded(record, model: model) }
            scale = actions.reduce(scale) { $0 * $1.learningRateFactor }
            if actions.contains(where: \.stop) { break }
        }
        // Every callback is told; a later one's restored weights win.
        let restored = callbacks.compactMap { $0.trainingEnded(model: model) }
        return TrainingHistory(epochs: records, weightsEpoch: restored.last ?? records.count)
    }

    private func trainEpoch(_ data: TrainingData, order: [Int], epoch: Int) throws -> Tally {
        var tally = Tally()
        for (number, start) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
            let batch = data.batch(order[start ..< min(start + batchSize, order.count)])
            let output = try model.forward(batch.inputs, training: true)
            let terms = try loss.terms(output, labels: batch.labels)
            try model.backpropagate(terms.gradient)
            let penalty = Penalty.apply(to: model.parameters)
            guard (terms.sum / terms.weight + penalty).isFinite else {
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: number + 1, learningRate: optimizer.learningRate)
            }
            optimizer.step(model.parameters)
            tally.add(terms.sum + penalty * terms.weight, weight: terms.weight, output: output, labels: batch.labels)
        }
        return tally
    }

    /// Loss and accuracy on `data` in inference mode, batch by batch, with the penalties of the current weights.
    private func evaluate(_ data: TrainingData, epoch: Int) throws -> Tally {
        var tally = Tally()
        for start in stride(from: 0, to: data.count, by: batchSize) {
            let batch = data.batch(start ..< min(start + batchSize, data.count))
            let output = try model.forward(batch.inputs, training: false)
            let terms = try loss.terms(output, labels: batch.labels)
            tally.add(terms.sum, weight: terms.weight, output: output, labels: batch.labels)
        }
        tally.lossSum += Penalty.total(model.parameters) * tally.weight
        guard tally.loss.isFinite else {
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: nil, learningRate: optimizer.learningRate)
        }
        return tally
    }
}

/// Loss and accuracy summed over the batches of an epoch: the loss is the weighted mean over all
/// its examples, as one batch of them all would give.
private struct Tally {
    var lossSum = 0.0, weight = 0.0
    var correct = 0, count = 0

    var loss: Double { lossSum / weight }
    var accuracy: Double { Double(correct) / Double(count) }

    mutating func add(_ loss: Double, weight: Double, output: Tensor, labels: [Int]) {
        lossSum += loss
        self.weight += weight
        correct += zip(output.rowArgmax(), labels).filter { $0 == $1 }.count
        count += labels.count
    }
}

extension Tensor {
    /// The index of the largest element of each row of an [N, classes] tensor (the first one on ties).
    func rowArgmax() -> [Int] {
        let columns = shape[1]
        return (0 ..< shape[0]).map { row in
            let values = scalars[row * columns ..< (row + 1) * columns]
            return values.indices.max { values[$0] < values[$1] }! - row * columns
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood): the trainer's shuffling generator, small and giving the same
/// numbers on every platform and Swift version.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fisher–Yates, drawing each index as the high word of next() · bound (Lemire's map, without
    /// its rare rejection: the bias is below 2⁻³² for any array that fits in memory).
    mutating func shuffle(_ array: inout [Int]) {
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(next().multipliedFullWidth(by: UInt64(i + 1)).high)
            array.swapAt(i, j)
        }
    }
}
