import Foundation
import GenreSupport

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

    /// The examples at `indices`, in that order, e.g. a validation part held out of them.
    public func selecting(_ indices: [Int]) throws -> TrainingData {
        let picked = batch(indices)
        return try TrainingData(inputs: picked.inputs, labels: picked.labels)
    }

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
    /// Called after every training step and once more when the epoch has been validated, e.g. to
    /// show `progress.line`.
    public let progress: ((EpochProgress) -> Void)?
    /// Masks and mixup applied to each training batch; its draws have their own generator, so the
    /// shuffling is the same with and without it.
    public let augmentation: BatchAugmentation?

    public init(model: Sequential, loss: SoftmaxCrossEntropy = .init(), optimizer: any Optimizer,
                schedule: (any LearningRateSchedule)? = nil, callbacks: [any TrainingCallback] = [],
                batchSize: Int = 32, seed: UInt64, progress: ((EpochProgress) -> Void)? = nil,
                augmentation: BatchAugmentation? = nil) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.callbacks = callbacks
        self.batchSize = batchSize
        self.seed = seed
        self.progress = progress
        self.augmentation = augmentation
    }

    /// Trains for up to `epochs` epochs. The optimizer's learning rate when it starts is the
    /// schedule's base. Throws `TrainingError.nonFiniteLoss` as soon as a loss is NaN or infinite.
    public func fit(_ train: TrainingData, validation: TrainingData? = nil, epochs: Int) throws -> TrainingHistory {
        try require(epochs > 0 && batchSize > 0, "Trainer",
                    "epochs and batchSize must be positive, got \(epochs) and \(batchSize)")
        if validation == nil, let callback = callbacks.first(where: { $0.monitor?.needsValidation == true }) {
            throw TrainingError.missingMetric(callback: "\(type(of: callback))", metric: callback.monitor!)
        }
        var generator = SeededGenerator(seed: seed)
        var augmentationGenerator = SeededGenerator(seed: seed ^ 0xA5A5_A5A5_A5A5_A5A5)
        var order = Array(0 ..< train.count)
        let base = optimizer.learningRate
        var scale: Float = 1  // the product of the callbacks' factors
        var records: [EpochRecord] = []
        for callback in callbacks { callback.trainingBegan() }
        for epoch in 1 ... epochs {
            let start = ContinuousClock.now
            optimizer.learningRate = (schedule?.learningRate(completedEpochs: epoch - 1, base: base) ?? base) * scale
            generator.shuffle(&order)
            let trained = try trainEpoch(train, order: order, epoch: epoch, epochs: epochs, start: start, generator: &augmentationGenerator)
            let validated = try validation.map { try evaluate($0, epoch: epoch) }
            let record = EpochRecord(epoch: epoch, trainLoss: trained.loss, trainAccuracy: trained.accuracy,
                                     validationLoss: validated?.loss, validationAccuracy: validated?.accuracy,
                                     learningRate: optimizer.learningRate, seconds: (ContinuousClock.now - start) / .seconds(1))
            records.append(record)
            progress?(EpochProgress(epoch: epoch, epochs: epochs, step: trained.steps, steps: trained.steps,
                                    loss: trained.loss, accuracy: trained.accuracy, seconds: record.seconds, record: record))
            let actions = try callbacks.map { try $0.epochEnded(record, model: model) }
            scale = actions.reduce(scale) { $0 * $1.learningRateFactor }
            if actions.contains(where: \.stop) { break }
        }
        // Every callback is told; a later one's restored weights win.
        let restored = callbacks.compactMap { $0.trainingEnded(model: model) }
        return TrainingHistory(epochs: records, weightsEpoch: restored.last ?? records.count)
    }

    /// What one training step saw: the batch's output, and its loss with the penalties summed over
    /// the examples as `weight` counts them.
    public struct Step {
        public let output: Tensor
        public let lossSum: Double
        public let weight: Double
        /// The mean loss of the batch.
        public var loss: Double { lossSum / weight }
    }

    /// One step of training on a batch: forward in training mode, the loss, backward, the penalties'
    /// gradients and the optimizer's update, which is skipped when the loss is not finite.
    /// With `mix` (mixup's partner labels and λ), the loss is λ · loss(labels) + (1 - λ) · loss(partners).
    @discardableResult
    public func step(_ inputs: Tensor, labels: [Int], mix: (partnerLabels: [Int], weight: Double)? = nil) throws -> Step {
        let output = try model.forward(inputs, training: true)
        var terms = try loss.terms(output, labels: labels)
        if let mix {
            let other = try loss.terms(output, labels: mix.partnerLabels)
            let (a, b) = (mix.weight, 1 - mix.weight)
            terms = (a * terms.sum + b * other.sum * terms.weight / other.weight, terms.weight,
                     Tensor(shape: output.shape, scalars: zip(terms.gradient.scalars, other.gradient.scalars).map { Float(a) * $0 + Float(b) * $1 }))
        }
        try model.backpropagate(terms.gradient)
        let penalty = Penalty.apply(to: model.parameters)
        let step = Step(output: output, lossSum: terms.sum + penalty * terms.weight, weight: terms.weight)
        if step.loss.isFinite { optimizer.step(model.parameters) }
        return step
    }

    private func trainEpoch(_ data: TrainingData, order: [Int], epoch: Int, epochs: Int, start: ContinuousClock.Instant,
                            generator: inout SeededGenerator) throws -> Tally {
        var tally = Tally()
        let steps = (order.count + batchSize - 1) / batchSize
        for (number, first) in stride(from: 0, to: order.count, by: batchSize).enumerated() {
            var batch = data.batch(order[first ..< min(first + batchSize, order.count)])
            var mix: (partnerLabels: [Int], weight: Double)?
            if let augmentation {
                let augmented = try augmentation.apply(batch.inputs, labels: batch.labels, generator: &generator)
                (batch.inputs, mix) = (augmented.inputs, augmented.mix)
            }
            let step = try step(batch.inputs, labels: batch.labels, mix: mix)
            guard step.loss.isFinite else {
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: number + 1, learningRate: optimizer.learningRate)
            }
            tally.add(step.lossSum, weight: step.weight, output: step.output, labels: batch.labels)
            progress?(EpochProgress(epoch: epoch, epochs: epochs, step: number + 1, steps: steps, loss: tally.loss,
                                    accuracy: tally.accuracy, seconds: (ContinuousClock.now - start) / .seconds(1), record: nil))
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
    var correct = 0, count = 0, steps = 0

    var loss: Double { lossSum / weight }
    var accuracy: Double { Double(correct) / Double(count) }

    mutating func add(_ loss: Double, weight: Double, output: Tensor, labels: [Int]) {
        lossSum += loss
        self.weight += weight
        correct += zip(output.rowArgmax(), labels).filter { $0 == $1 }.count
        count += labels.count
        steps += 1
    }
}

extension Tensor {
    /// The index of the largest element of each row of an [N, classes] tensor (the first one on ties).
    func rowArgmax() -> [Int] {
        let columns = shape[1]
        return (0 ..< shape[0]).map { row in
            scalars[row * columns ..< (row + 1) * columns].argmax! - row * columns
        }
    }
}
