/// A network of musicnn's family, built from its description and run for inference only.
protocol TaggingArchitecture: AnyObject {
    /// Every layer with tensors and the prefix of their names in the converted weights:
    /// ("timbral_38.conv", conv) holds "timbral_38.conv.weight" and "timbral_38.conv.bias".
    var namedLayers: [(prefix: String, layer: any Layer)] { get }
    /// "logits" and every intermediate output for patches [N, 1, 96, 187].
    func outputs(_ patches: Tensor) throws -> [String: Tensor]
}

/// A convolution or dense layer, its ReLU, then batch norm: the unit musicnn's networks repeat (they
/// normalise after the activation, so the batch norm cannot be folded into the weights before it).
final class NormalisedUnit {
    let weighted: WeightedLayer
    let norm: BatchNorm
    private let relu: ReLU
    private let names: (weighted: String, norm: String)

    init(_ weighted: WeightedLayer, epsilon: Float, names: (weighted: String, norm: String)) throws {
        self.weighted = weighted
        norm = try BatchNorm(channels: weighted.weight.value.shape[0], epsilon: epsilon)
        relu = try ReLU()
        self.names = names
    }

    var namedLayers: [(prefix: String, layer: any Layer)] { [(names.weighted, weighted), (names.norm, norm)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        try norm.forward(relu.forward(weighted.forward(input, training: false), training: false), training: false)
    }
}

extension Tensor {
    /// Tensors [N, Cᵢ, ...] that agree on every other axis, joined along the channels.
    static func joiningChannels(_ parts: [Tensor]) -> Tensor {
        let batch = parts[0].shape[0]
        var scalars: [Float] = []
        scalars.reserveCapacity(parts.map(\.count).reduce(0, +))
        for n in 0 ..< batch {
            for part in parts {
                let size = part.count / batch
                scalars += part.scalars[n * size ..< (n + 1) * size]
            }
        }
        var shape = parts[0].shape
        shape[1] = parts.map { $0.shape[1] }.reduce(0, +)
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The element-wise sum with a tensor of the same shape (a residual connection).
    static func + (left: Tensor, right: Tensor) -> Tensor {
        Tensor(shape: left.shape, scalars: zip(left.scalars, right.scalars).map { $0 + $1 })
    }
}
