import Foundation

/// The learning rate of each epoch, from `base`, the optimizer's rate when training began.
/// `completedEpochs` counts the epochs before this one (0 for the first), as PyTorch's schedulers count.
public protocol LearningRateSchedule: Sendable {
    func learningRate(completedEpochs: Int, base: Float) -> Float
}

/// The base rate throughout.
public struct ConstantLearningRate: LearningRateSchedule {
    public init() {}

    public func learningRate(completedEpochs: Int, base: Float) -> Float { base }
}

/// base · factor^⌊epochs / every⌋, as PyTorch's `StepLR(step_size: every, gamma: factor)`.
public struct StepDecay: LearningRateSchedule {
    public let every: Int
    public let factor: Float

    public init(every: Int, factor: Float) throws {
        try require(every > 0, "StepDecay", "every must be a positive number of epochs, got \(every)")
        try requireFactor(factor, "StepDecay")
        self.every = every
        self.factor = factor
    }

    public func learningRate(completedEpochs: Int, base: Float) -> Float {
        base * pow(factor, Float(completedEpochs / every))
    }
}

/// base · factor^epochs, as PyTorch's `ExponentialLR(gamma: factor)`.
public struct ExponentialDecay: LearningRateSchedule {
    public let factor: Float

    public init(factor: Float) throws {
        try requireFactor(factor, "ExponentialDecay")
        self.factor = factor
    }

    public func learningRate(completedEpochs: Int, base: Float) -> Float {
        base * pow(factor, Float(completedEpochs))
    }
}

/// Cosine annealing from base to `minimum` over the epochs after an optional linear warm-up, as
/// PyTorch's `CosineAnnealingLR(T_max: epochs - warmupEpochs, eta_min: minimum)`. The warm-up climbs
/// base · (e + 1) / (warmupEpochs + 1) for e = 0..<warmupEpochs, so the cosine starts at base;
/// after `epochs` the rate stays at `minimum`.
public struct CosineAnnealing: LearningRateSchedule {
    public let epochs: Int
    public let minimum: Float
    public let warmupEpochs: Int

    public init(epochs: Int, minimum: Float = 0, warmupEpochs: Int = 0) throws {
        try require(warmupEpochs >= 0 && epochs > warmupEpochs, "CosineAnnealing",
                    "epochs must exceed warmupEpochs >= 0, got \(epochs) and \(warmupEpochs)")
        try require(minimum >= 0, "CosineAnnealing", "minimum must be non-negative, got \(minimum)")
        self.epochs = epochs
        self.minimum = minimum
        self.warmupEpochs = warmupEpochs
    }

    public func learningRate(completedEpochs: Int, base: Float) -> Float {
        if completedEpochs < warmupEpochs {
            return base * Float(completedEpochs + 1) / Float(warmupEpochs + 1)
        }
        let progress = Double(min(completedEpochs - warmupEpochs, epochs - warmupEpochs)) / Double(epochs - warmupEpochs)
        return minimum + (base - minimum) * Float((1 + cos(Double.pi * progress)) / 2)
    }
}

private func requireFactor(_ factor: Float, _ schedule: String) throws {
    try require(factor > 0 && factor.isFinite, schedule, "factor must be positive and finite, got \(factor)")
}
