/// A convolution or dense layer, its ReLU, then batch norm: the unit musicnn's networks repeat (they
/// normalise after the activation, so the batch norm cannot be folded into the weights before it).
/// The layer runs on oneDNN; the ReLU and the batch norm are one multiply-add per value in Swift.
/// Its fused inference operations (Fused/) take the ReLU, the batch norm and a max pooling in the
/// convolution's own loops, and each gives what the plain layers give.
public final class NormalisedUnit {
    public let weighted: WeightedLayer
    public let norm: BatchNorm
    private let names: (weighted: String, norm: String)
    /// The kernel transformed along its rows, kept for `spectralMaxOverRows(_:)`.
    var spectralKernel: SpectralKernel?
    /// The kernel transformed for `winogradMaxPooled(_:pool:)`, kept.
    var winogradKernel: WinogradKernel?

    /// `names` are the two layers' in a weights file (`namedLayers`).
    public init(_ weighted: WeightedLayer, epsilon: Float, names: (weighted: String, norm: String)) throws {
        self.weighted = weighted
        norm = try BatchNorm(channels: weighted.weight.value.shape[0], epsilon: epsilon)
        self.names = names
    }

    public var namedLayers: [(prefix: String, layer: any Layer)] { [(names.weighted, weighted), (names.norm, norm)] }

    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        norm.infer(try weighted.forward(input, training: false), rectifiedFirst: true)
    }
}
