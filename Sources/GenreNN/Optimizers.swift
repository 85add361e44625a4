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
    private var velocities: [ObjectIdentifier: State] = [:]

    public init(learningRate: Float, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func step(_ parameters: [Parameter]) {
        let (momentum, learningRate) = (momentum, learningRate)
        for parameter in parameters {
            let velocity = State.of(parameter, in: &velocities, moments: 1)
            velocity.first.withUnsafeMutableBufferPointer { v in
                parameter.update { g, p in
                    for i in p.indices {
                        v[i] = momentum * v[i] + g[i]
                        p[i] -= learningRate * v[i]
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba) with bias-corrected moments, as PyTorch's `torch.optim.Adam`.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    private var moments: [ObjectIdentifier: State] = [:]
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
        let (beta1, beta2, epsilon, learningRate) = (beta1, beta2, epsilon, learningRate)
        for parameter in parameters {
            let state = State.of(parameter, in: &moments, moments: 2)
            state.first.withUnsafeMutableBufferPointer { first in
                state.second.withUnsafeMutableBufferPointer { second in
                    parameter.update { g, p in
                        for i in p.indices {
                            first[i] = beta1 * first[i] + (1 - beta1) * g[i]
                            second[i] = beta2 * second[i] + (1 - beta2) * g[i] * g[i]
                            let update = (first[i] / correction1) / ((second[i] / correction2).squareRoot() + epsilon)
                            p[i] -= learningRate * update
                        }
                    }
                }
            }
        }
    }
}

/// An optimizer's running values for one parameter (SGD's velocity; Adam's first and second moments),
/// updated in place: a class, so that changing them copies nothing.
private final class State {
    var first: [Float], second: [Float]

    private init(count: Int, moments: Int) {
        first = [Float](repeating: 0, count: count)
        second = moments > 1 ? first : []
    }

    /// The state kept for `parameter`, made (zeroed) on its first step.
    static func of(_ parameter: Parameter, in states: inout [ObjectIdentifier: State], moments: Int) -> State {
        if let state = states[ObjectIdentifier(parameter)] { return state }
        let state = State(count: parameter.value.count, moments: moments)
        states[ObjectIdentifier(parameter)] = state
        return state
    }
}

extension Parameter {
    /// Calls `body` with the gradient and the value to change in place.
    func update(_ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) {
        gradient.scalars.withUnsafeBufferPointer { gradient in value.withUnsafeMutableScalars { body(gradient, $0) } }
    }
}
