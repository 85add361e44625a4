/// [N, d1, d2, ...] to [N, d1 * d2 * ...], the bridge from convolutions to dense layers. Row-major
/// storage makes it a change of shape only.
public final class Flatten: Layer {
    private var inputShape: [Int]?

    public init() {}

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count >= 2 else {
            throw LayerError.badInput(layer: "Flatten", shape: input.shape, expected: "[batch, ...] of rank 2 or more")
        }
        inputShape = training ? input.shape : nil
        return input.reshaped([input.shape[0], input.count / max(1, input.shape[0])])
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw LayerError.backwardBeforeForward(layer: "Flatten") }
        let flat = [inputShape[0], inputShape.dropFirst().reduce(1, *)]
        guard outputGradient.shape == flat else {
            throw LayerError.gradientShape(layer: "Flatten", shape: outputGradient.shape, expected: flat)
        }
        return outputGradient.reshaped(inputShape)
    }
}
