/// [N, ...] to [N] + `shape`, keeping the batch axis, as Keras' `Reshape`; one entry of `shape` may be
/// -1, inferred from the others. Row-major storage makes it a change of shape only.
public class Reshape: Layer {
    /// The shape of one example; -1 where it is inferred.
    public let shape: [Int]
    private let name: String
    private var inputShape: [Int]?

    public convenience init(_ shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 || $0 == -1 }), shape.filter({ $0 == -1 }).count <= 1 else {
            throw LayerError.badSetting(layer: "Reshape", reason: "the shape must hold positive sizes and at most one -1, got \(shape)")
        }
        self.init(shape, name: "Reshape(\(shape))")
    }

    init(_ shape: [Int], name: String) {
        self.shape = shape
        self.name = name
    }

    private func outputShape(for input: [Int]) throws -> [Int] {
        let example = input.dropFirst().reduce(1, *), known = shape.filter { $0 > 0 }.reduce(1, *)
        let fits = shape.contains(-1) ? example % known == 0 : example == known
        guard input.count >= 2, fits else {
            let values = shape.contains(-1) ? "a multiple of \(known)" : "\(known)"
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, ...] with \(values) values an example")
        }
        return [input[0]] + shape.map { $0 == -1 ? example / known : $0 }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let output = try outputShape(for: input.shape)
        inputShape = training ? input.shape : nil
        return input.reshaped(output)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw LayerError.backwardBeforeForward(layer: name) }
        let output = try outputShape(for: inputShape)
        guard outputGradient.shape == output else {
            throw LayerError.gradientShape(layer: name, shape: outputGradient.shape, expected: output)
        }
        return outputGradient.reshaped(inputShape)
    }
}

/// [N, d1, d2, ...] to [N, d1 * d2 * ...], the bridge from convolutions to dense layers.
public final class Flatten: Reshape {
    public init() { super.init([-1], name: "Flatten") }
}
