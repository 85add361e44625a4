import CDNNL

/// A 2-D convolution (cross-correlation, as in PyTorch's `nn.Conv2d`) on oneDNN. Input [N, C, H, W],
/// output [N, filters, H', W']; `weight` is [filters, C / groups, kernelHeight, kernelWidth]. Any kernel
/// shape, stride, zero padding (top/bottom, left/right), dilation and groups.
public final class Conv2D: WeightedLayer {
    /// `padding` is (top, bottom, left, right); `dilation` 1 is an ordinary convolution. `groups` splits
    /// the channels and filters into that many convolutions side by side: `groups` = `channels` =
    /// `filters` is a depthwise convolution (MobileNet's), one filter per channel. `precision` bfloat16
    /// on a CPU without it is a `PrecisionError`.
    public init(channels: Int, filters: Int, kernel: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1),
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0),
                dilation: (height: Int, width: Int) = (1, 1), groups: Int = 1,
                precision: Precision = .float32, generator: inout some RandomNumberGenerator) throws {
        try super.init(ConvolutionOperations(
            channels: channels, filters: filters, kernel: [kernel.height, kernel.width],
            stride: [stride.height, stride.width], dilation: [dilation.height, dilation.width],
            paddingBefore: [padding.top, padding.left], paddingAfter: [padding.bottom, padding.right], groups: groups),
                       precision: precision, generator: &generator)
    }
}

/// A convolution over any number of spatial axes (width; height and width): the sizes along them are
/// arrays with one element an axis, as oneDNN takes them.
struct ConvolutionOperations: WeightedOperations {
    let channels: Int, filters: Int
    let kernel, stride, dilation, paddingBefore, paddingAfter: [Int]
    var groups = 1

    /// "Conv1D", "Conv2D".
    private var kind: String { "Conv\(kernel.count)D" }
    var name: String {
        "\(kind)(\(channels) -> \(filters), kernel \(kernel), stride \(stride), dilation \(dilation), padding \(paddingBefore) \(paddingAfter)\(groups == 1 ? "" : ", groups \(groups)"))"
    }
    var weightShape: [Int] { [filters, channels / groups] + kernel }
    /// oneDNN's grouped weights, [groups, filters / groups, channels / groups, kernel...]: the same
    /// values in the same order as `weightShape`.
    var layoutWeightShape: [Int] { groups == 1 ? weightShape : [groups, filters / groups, channels / groups] + kernel }
    var fanIn: Int { channels / groups * kernel.reduce(1, *) }

    func validate() throws {
        let fine = channels > 0 && filters > 0 && (kernel + stride + dilation).allSatisfy { $0 > 0 }
            && (paddingBefore + paddingAfter).allSatisfy { $0 >= 0 }
            && groups > 0 && channels % groups == 0 && filters % groups == 0
        guard fine else {
            throw LayerError.badSetting(layer: kind, reason:
                "channels, filters, kernel, stride, dilation and groups must be positive, padding not negative and channels and filters multiples of groups (\(name))")
        }
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        let axes = kernel.count == 1 ? "width" : "height, width"
        guard input.count == 2 + kernel.count, input[1] == channels, input[0] > 0 else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, \(channels), \(axes)]")
        }
        let spatial = kernel.indices.map { axis in
            let span = (kernel[axis] - 1) * dilation[axis] + 1
            let padded = input[2 + axis] + paddingBefore[axis] + paddingAfter[axis]
            return padded >= span ? (padded - span) / stride[axis] + 1 : 0
        }
        guard spatial.allSatisfy({ $0 > 0 }) else {
            throw LayerError.badInput(layer: name, shape: input, expected: "\(axes) at least the dilated kernel after padding")
        }
        return [input[0], filters] + spatial
    }

    /// oneDNN counts dilation from 0 (0 = dense kernel).
    private var dnnlDilation: [Int64] { dilation.map { Int64($0 - 1) } }
    private var strides: [Int64] { stride.map(Int64.init) }
    private var before: [Int64] { paddingBefore.map(Int64.init) }
    private var after: [Int64] { paddingAfter.map(Int64.init) }

    func forward(_ l: WeightedLayouts, engine: Engine) throws -> Primitive {
        var operation = dnnl_convolution_desc_t()
        try check(dnnl_dilated_convolution_forward_desc_init(
            &operation, dnnl_forward_training, dnnl_convolution_direct, [l.source], [l.weights], [l.bias],
            [l.destination], strides, dnnlDilation, before, after), "convolution forward (\(name))")
        return try Primitive(operation, name: "\(name) forward", engine: engine)
    }

    func backwardData(_ l: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive {
        var operation = dnnl_convolution_desc_t()
        try check(dnnl_dilated_convolution_backward_data_desc_init(
            &operation, dnnl_convolution_direct, [l.source], [l.weights], [l.destination],
            strides, dnnlDilation, before, after), "convolution backward data (\(name))")
        return try Primitive(operation, name: "\(name) backward data", engine: engine, hint: hint)
    }

    func backwardWeights(_ l: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive {
        var operation = dnnl_convolution_desc_t()
        try check(dnnl_dilated_convolution_backward_weights_desc_init(
            &operation, dnnl_convolution_direct, [l.source], [l.weights], [l.bias], [l.destination],
            strides, dnnlDilation, before, after), "convolution backward weights (\(name))")
        return try Primitive(operation, name: "\(name) backward weights", engine: engine, hint: hint)
    }
}
