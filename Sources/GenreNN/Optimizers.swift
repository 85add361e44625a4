import Foundation

/// Updates parameters from their gradients, keeping per-parameter state (velocities, moments).
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    func step(_ parameters: [Parameter])
}

/// Stochastic gradient descent with momentum as PyTorch defines it: v = μv + g, p -= lr · v.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    private var velocities: [ObjectIdentifier: [Float]] = [:]

    public init(learningRate: Float, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            let gradient = parameter.gradient.scalars
            var velocity = velocities[ObjectIdentifier(parameter)] ?? [Float](repeating: 0, count: gradient.count)
            for i in velocity.indices {
                velocity[i] = momentum * velocity[i] + gradient[i]
                parameter.value[i] -= learningRate * velocity[i]
            }
            velocities[ObjectIdentifier(parameter)] = velocity
        }
    }
}

/// Adam (Kingma & Ba) with bias-corrected moments, as PyTorch's `torch.optim.Adam`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    private var moments: [ObjectIdentifier: (first: [Float], second: [Float])] = [:]
    private var steps = 0

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public func step(_ parameters: [Parameter]) {
        steps += 1
        let correction1 = 1 - pow(beta1, Float(steps)), correction2 = 1 - pow(beta2, Float(steps))
        for parameter in parameters {
            let gradient = parameter.gradient.scalars
            let zeros = [Float](repeating: 0, count: gradient.count)
            var (first, second) = moments[ObjectIdentifier(parameter)] ?? (zeros, zeros)
            for i in first.indices {
                first[i] = beta1 * first[i] + (1 - beta1) * gradient[i]
                second[i] = beta2 * second[i] + (1 - beta2) * gradient[i] * gradient[i]
                let update = (first[i] / correction1) / ((second[i] / correction2).squareRoot() + epsilon)
                parameter.value[i] -= learningRate * update
            }
            moments[ObjectIdentifier(parameter)] = (first, second)
        }
    }
}
