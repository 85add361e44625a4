/// Inverted dropout: in training each element is zeroed with probability `rate` and the others are
/// scaled by 1 / (1 - rate), so inference is the identity. The masks come from a generator seeded
/// with `seed`: the same seed gives the same masks, pass after pass. (oneDNN has no dropout primitive.)
public final class Dropout: Layer {
    public let rate: Float
    private var state: UInt64
    /// The input and the scaled mask of the last training forward pass.
    private var record: ForwardRecord<[Float]>?

    public init(rate: Float, seed: UInt64) throws {
        guard rate >= 0, rate < 1 else {
            throw LayerError.badSetting(layer: "Dropout", reason: "rate must lie in [0, 1), got \(rate)")
        }
        self.rate = rate
        state = seed
    }

    /// SplitMix64's next value as a uniform number in [0, 1) with 24 random bits.
    private func nextUnit() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float((z ^ (z >> 31)) >> 40) * 0x1p-24
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training else {
            record = nil
            return input
        }
        let keep = 1 / (1 - rate)
        let mask = (0 ..< input.count).map { _ in nextUnit() < rate ? 0 : keep }
        record = ForwardRecord(input: input, outputShape: input.shape, extra: mask)
        return Tensor(shape: input.shape, scalars: zip(input.scalars, mask).map(*))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "Dropout(rate \(rate))")
        return Tensor(shape: outputGradient.shape, scalars: zip(outputGradient.scalars, record.extra).map(*))
    }
}
