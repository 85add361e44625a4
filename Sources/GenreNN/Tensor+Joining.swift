extension Tensor {
    /// Tensors [N, Cᵢ, ...] that agree on every other axis, joined along the channels.
    public static func joiningChannels(_ parts: [Tensor]) -> Tensor {
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
    public static func + (left: Tensor, right: Tensor) -> Tensor {
        Tensor(shape: left.shape, scalars: zip(left.scalars, right.scalars).map { $0 + $1 })
    }
}
