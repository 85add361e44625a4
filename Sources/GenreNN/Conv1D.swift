/// A 1-D convolution (cross-correlation, as in PyTorch's `nn.Conv1d`) on oneDNN. Input [N, C, W],
/// output [N, filters, W']; `weight` is [filters, C, kernel]. Any kernel, stride, zero padding
/// (left, right) and dilation.
public final class Conv1D: WeightedLayer {
    /// `dilation` 1 is an ordinary convolution. `precision` bfloat16 on a CPU without it is a `PrecisionError`.
    public init(channels: Int, filters: Int, kernel: Int, stride: Int = 1, padding: (left: Int, right: Int) = (0, 0),
                dilation: Int = 1, precision: Precision = .float32, generator: inout some RandomNumberGenerator) throws {
        try super.init(ConvolutionOperations(
            channels: channels, filters: filters, kernel: [kernel], stride: [stride], dilation: [dilation],
            paddingBefore: [padding.left], paddingAfter: [padding.right]), precision: precision, generator: &generator)
    }
}
