import Foundation

/// Updates parameters from their gradients, keeping per-parameter state (velocities, moments).
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    func step(_ parameters: [Parameter])
}

/// Stochastic gradient descent as PyTorch's `torch.optim.SGD` with dampening 0:
/// g += λp; v = μv + g; p -= lr · (nesterov ? g + μv : v).
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    /// λ, the L2 term PyTorch adds to the gradient (coupled weight decay).
    public let weightDecay: Float
    private var velocities: [ObjectIdentifier: State] = [:]

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
        try requireRate(learningRate, "SGD")
        try require((0 ..< 1).contains(momentum), "SGD", "momentum must lie in [0, 1), got \(momentum)")
        try require(!nesterov || momentum > 0, "SGD", "Nesterov momentum needs a positive momentum")
        try requireDecay(weightDecay, "SGD")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let (momentum, nesterov, weightDecay) = (momentum, nesterov, weightDecay)
        for parameter in parameters {
            let learningRate = learningRate * parameter.learningRateScale
            let velocity = State.of(parameter, in: &velocities, moments: 1)
            velocity.first.withUnsafeMutableBufferPointer { v in
                parameter.update { g, p in
                    for i in p.indices {
                        let gradient = g[i] + weightDecay * p[i]
                        v[i] = momentum * v[i] + gradient
                        p[i] -= learningRate * (nesterov ? gradient + momentum * v[i] : v[i])
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba) with bias-corrected moments, as PyTorch's `torch.optim.Adam`, including its
/// coupled weight decay (λp added to the gradient).
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    private var moments: [ObjectIdentifier: State] = [:]

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) throws {
        try requireRate(learningRate, "Adam")
        try require((0 ..< 1).contains(beta1) && (0 ..< 1).contains(beta2), "Adam",
                    "beta1 and beta2 must lie in [0, 1), got \(beta1) and \(beta2)")
        try require(epsilon >= 0, "Adam", "epsilon must be non-negative, got \(epsilon)")
        try requireDecay(weightDecay, "Adam")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)
        for parameter in parameters {
            let state = State.of(parameter, in: &moments, moments: 2)
            state.steps += 1
            // PyTorch's arrangement: p -= (lr / c1) · m / (√v / √c2 + ε).
            let stepSize = learningRate * parameter.learningRateScale / (1 - pow(beta1, Float(state.steps)))
            let correction2Root = (1 - pow(beta2, Float(state.steps))).squareRoot()
            state.first.withUnsafeMutableBufferPointer { first in
                state.second.withUnsafeMutableBufferPointer { second in
                    parameter.update { g, p in
                        for i in p.indices {
                            let gradient = g[i] + weightDecay * p[i]
                            first[i] += (1 - beta1) * (gradient - first[i])
                            second[i] = beta2 * second[i] + (1 - beta2) * gradient * gradient
                            p[i] -= stepSize * first[i] / (second[i].squareRoot() / correction2Root + epsilon)
                        }
                    }
                }
            }
        }
    }
}

/// AdamW (Loshchilov & Hutter) as PyTorch's `torch.optim.AdamW`: decoupled weight decay,
/// p -= lr·λ·p, then the plain Adam step.
public final class AdamW: Optimizer {
    private let adam: Adam
    public let weightDecay: Float

    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01) throws {
        try requireDecay(weightDecay, "AdamW")
        adam = try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            let keep = 1 - learningRate * parameter.learningRateScale * weightDecay
            parameter.value.withUnsafeMutableScalars { p in
                for i in p.indices { p[i] *= keep }
            }
        }
        adam.step(parameters)
    }
}

/// An optimizer's running values for one parameter (SGD's velocity; Adam's first and second moments and
/// its step count), updated in place: a class, so that changing them copies nothing.
private final class State {
    var first: [Float], second: [Float]
    var steps = 0

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

private func requireRate(_ learningRate: Float, _ optimizer: String) throws {
    try require(learningRate >= 0 && learningRate.isFinite, optimizer,
                "learningRate must be finite and non-negative, got \(learningRate)")
}

private func requireDecay(_ weightDecay: Float, _ optimizer: String) throws {
    try require(weightDecay >= 0 && weightDecay.isFinite, optimizer,
                "weightDecay must be finite and non-negative, got \(weightDecay)")
}
