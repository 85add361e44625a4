/// A weight penalty in the sense of Keras' `kernel_regularizer`: adds l1·Σ|w| + l2·Σw² to the loss
/// and its gradient l1·sign(w) + 2·l2·w to the parameter's gradient. Attach it as `Parameter.penalty`.
public struct Penalty: Sendable, Equatable {
    public let l1: Float
    public let l2: Float

    public init(l1: Float = 0, l2: Float = 0) throws {
        try require(l1 >= 0 && l2 >= 0 && l1.isFinite && l2.isFinite, "Penalty",
                    "l1 and l2 must be finite and non-negative, got \(l1) and \(l2)")
        self.l1 = l1
        self.l2 = l2
    }

    /// l1·Σ|w| + l2·Σw² for `value`.
    public func loss(_ value: Tensor) -> Double {
        let (absolute, squares) = value.scalars.reduce((0.0, 0.0)) { sums, w in
            (sums.0 + Double(abs(w)), sums.1 + Double(w) * Double(w))
        }
        return Double(l1) * absolute + Double(l2) * squares
    }

    /// Adds the penalty's gradient to `parameter.gradient`.
    func addGradient(to parameter: Parameter) {
        for i in 0 ..< parameter.value.count {
            let w = parameter.value[i]
            // sign(0) = 0, as TensorFlow's gradient of |w|.
            parameter.gradient[i] += l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) + 2 * l2 * w
        }
    }

    /// The sum of the penalties of `parameters` (those without one add nothing).
    public static func total(_ parameters: [Parameter]) -> Double {
        parameters.reduce(0) { $0 + ($1.penalty?.loss($1.value) ?? 0) }
    }

    /// Adds each penalised parameter's penalty gradient to the gradient `backward` left, and returns
    /// the penalties' sum for the loss. Call it between `backward` and the optimizer's `step`.
    @discardableResult
    public static func apply(to parameters: [Parameter]) -> Double {
        for parameter in parameters { parameter.penalty?.addGradient(to: parameter) }
        return total(parameters)
    }
}
