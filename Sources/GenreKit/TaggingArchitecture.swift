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
/// The layer runs on oneDNN; the ReLU and the batch norm are one multiply-add per value in Swift.
final class NormalisedUnit {
    let weighted: WeightedLayer
    let norm: BatchNorm
    private let names: (weighted: String, norm: String)
    /// The kernel transformed along its rows, kept for `spectralMaxOverRows(_:)`.
    var spectralKernel: SpectralKernel?
    /// The kernel transformed for `winogradMaxPooled(_:pool:)`, kept.
    var winogradKernel: WinogradKernel?

    init(_ weighted: WeightedLayer, epsilon: Float, names: (weighted: String, norm: String)) throws {
        self.weighted = weighted
        norm = try BatchNorm(channels: weighted.weight.value.shape[0], epsilon: epsilon)
        self.names = names
    }

    var namedLayers: [(prefix: String, layer: any Layer)] { [(names.weighted, weighted), (names.norm, norm)] }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        norm.infer(try weighted.forward(input, training: false), rectifiedFirst: true)
    }
}

extension BatchNorm {
    /// Inference as y = scale x + shift per channel, from the running statistics (as TensorFlow computes it).
    var inferenceAffine: (scale: [Float], shift: [Float]) {
        let scale = (0 ..< channels).map { weight.value[$0] / (runningVariance.value[$0] + epsilon).squareRoot() }
        return (scale, (0 ..< channels).map { bias.value[$0] - runningMean.value[$0] * scale[$0] })
    }

    /// Inference on [N, C, ...] in one pass in Swift, of max(x, 0) when `rectifiedFirst`: oneDNN 2.6's
    /// batch normalization on plain layouts is a reference loop for some ranks and costs far more.
    func infer(_ input: Tensor, rectifiedFirst: Bool) -> Tensor {
        let (scale, shift) = inferenceAffine
        let positions = input.count / (input.shape[0] * channels)
        var scalars = input.scalars
        scalars.withUnsafeMutableBufferPointer { values in
            for plane in 0 ..< input.shape[0] * channels {
                let (a, b) = (scale[plane % channels], shift[plane % channels])
                let start = values.baseAddress! + plane * positions
                if rectifiedFirst {
                    for i in 0 ..< positions { start[i] = max(start[i], 0) * a + b }
                } else {
                    for i in 0 ..< positions { start[i] = start[i] * a + b }
                }
            }
        }
        return Tensor(shape: input.shape, scalars: scalars)
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
