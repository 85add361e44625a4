import CDNNL

/// How far a pooling window reaches along one axis: a fixed size, or the whole axis whatever its length
/// at run time (musicnn max-pools over all the frequency bins its front-end convolutions leave).
public enum PoolingKernel: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case size(Int)
    case wholeAxis

    public init(integerLiteral value: Int) { self = .size(value) }

    public var description: String {
        switch self {
        case .size(let size): "\(size)"
        case .wholeAxis: "whole"
        }
    }
}

/// What every pooling layer shares: windows over the spatial axes of [N, C, ...] on oneDNN's pooling
/// primitive, forward and backward. Max pooling routes each gradient to its window's maximum, kept in
/// oneDNN's workspace; padding is never the maximum (it counts as minus infinity). Average pooling
/// divides by the whole window or, without `countIncludesPadding`, by its part inside the input.
public class Pooling: Layer {
    /// oneDNN pools plain layouts with slow loops, so the primitives work on channel blocks and the
    /// stagings reorder to and from them.
    private struct Pass {
        let outputShape: [Int]
        let source, destination, outputGradient, inputGradient: Staging
        /// Max pooling's argmax; nil for average pooling, which needs none.
        let workspace: dnnl_memory_desc_t?
        let forward, backward: Primitive
    }

    /// One entry per spatial axis; empty for global pooling, which takes every spatial axis whole.
    public let kernel: [PoolingKernel]
    public let stride: [Int], paddingBefore: [Int], paddingAfter: [Int]
    private let algorithm: dnnl_alg_kind_t
    private let kind: String
    private var passes: PassCache<Pass>
    /// The input and, for max pooling, the workspace of the last training forward pass.
    private var record: ForwardRecord<[Float]>?

    private var global: Bool { kernel.isEmpty }
    private var name: String {
        global ? kind : "\(kind)(kernel \(kernel), stride \(stride), padding \(paddingBefore) \(paddingAfter))"
    }

    /// `stride` defaults to the kernel (windows that do not overlap); a whole axis takes no padding.
    init(_ kind: String, algorithm: dnnl_alg_kind_t, kernel: [PoolingKernel], stride: [Int]?,
         paddingBefore: [Int], paddingAfter: [Int]) throws {
        self.kind = kind
        self.algorithm = algorithm
        self.kernel = kernel
        self.stride = stride ?? kernel.map { if case .size(let size) = $0 { size } else { 1 } }
        self.paddingBefore = paddingBefore
        self.paddingAfter = paddingAfter
        // Padding as wide as the kernel would give windows of padding alone.
        let fits = kernel.indices.allSatisfy { axis in
            let (before, after) = (paddingBefore[axis], paddingAfter[axis])
            return switch kernel[axis] {
            case .size(let size): size > 0 && min(before, after) >= 0 && max(before, after) < size
            case .wholeAxis: before == 0 && after == 0
            }
        }
        guard fits, self.stride.allSatisfy({ $0 > 0 }) else {
            throw LayerError.badSetting(layer: kind, reason: "kernel and stride must be positive and padding between 0 and kernel - 1 (0 along a whole axis), got kernel \(kernel), stride \(self.stride), padding \(paddingBefore) \(paddingAfter)")
        }
        passes = try PassCache()
    }

    /// The window, stride and padding for an input shape: whole axes take the input's size.
    private func windows(for input: [Int]) -> (window: [Int], stride: [Int], before: [Int], after: [Int]) {
        let spatial = Array(input.dropFirst(2))
        guard !global else {
            let zeros = spatial.map { _ in 0 }
            return (spatial, spatial.map { _ in 1 }, zeros, zeros)
        }
        let window = zip(kernel, spatial).map { kernel, size in if case .size(let k) = kernel { k } else { size } }
        return (window, stride, paddingBefore, paddingAfter)
    }

    /// [N, C, ...] pooled; global pooling keeps the spatial axes as 1s here and drops them in `forward`.
    private func outputShape(for input: [Int]) throws -> [Int] {
        let rankFits = global ? (3 ... 5).contains(input.count) : input.count == 2 + kernel.count
        let axes = global ? "one to three spatial axes" : kernel.count == 1 ? "width" : "height, width"
        guard rankFits, input[0] > 0, input[1] > 0 else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, channels, \(axes)]")
        }
        let w = windows(for: input)
        let padded = w.window.indices.map { input[2 + $0] + w.before[$0] + w.after[$0] }
        guard zip(padded, w.window).allSatisfy({ $0 >= $1 && $1 > 0 }) else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, channels, \(axes)] at least the kernel after padding")
        }
        return Array(input[0 ..< 2]) + padded.indices.map { (padded[$0] - w.window[$0]) / w.stride[$0] + 1 }
    }

    private func pass(for shape: [Int]) throws -> Pass {
        let outputShape = try outputShape(for: shape)
        return try passes.pass(for: shape) { engine in
            var source = try channelBlockedLayout(shape), destination = try openLayout(outputShape, dnnl_f32)
            let w = windows(for: shape)
            let (strides, window) = (w.stride.map(Int64.init), w.window.map(Int64.init))
            let (before, after) = (w.before.map(Int64.init), w.after.map(Int64.init))
            let dilation = [Int64](repeating: 0, count: window.count)
            var forward = dnnl_pooling_v2_desc_t()
            try check(dnnl_pooling_v2_forward_desc_init(&forward, dnnl_forward_training, algorithm, &source,
                                                        &destination, strides, window, dilation, before, after),
                      "pooling forward (\(name))")
            let forwardPrimitive = try Primitive(forward, name: "\(name) forward", engine: engine)
            var backward = dnnl_pooling_v2_desc_t()
            try check(dnnl_pooling_v2_backward_desc_init(&backward, algorithm, &source, &destination, strides,
                                                         window, dilation, before, after), "pooling backward (\(name))")
            let backwardPrimitive = try Primitive(backward, name: "\(name) backward", engine: engine, hint: forwardPrimitive)
            let plain = (source: try plainLayout(shape), destination: try plainLayout(outputShape))
            let workspace = forwardPrimitive.workspace
            return Pass(
                outputShape: outputShape,
                source: try Staging(plain: plain.source, of: forwardPrimitive, dnnl_query_src_md, inward: true, engine: engine),
                destination: try Staging(plain: plain.destination, of: forwardPrimitive, dnnl_query_dst_md, inward: false,
                                         engine: engine),
                outputGradient: try Staging(plain: plain.destination, of: backwardPrimitive, dnnl_query_diff_dst_md,
                                            inward: true, engine: engine),
                inputGradient: try Staging(plain: plain.source, of: backwardPrimitive, dnnl_query_diff_src_md, inward: false,
                                           engine: engine),
                workspace: workspace.ndims > 0 ? workspace : nil, forward: forwardPrimitive, backward: backwardPrimitive)
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.source.input(DNNL_ARG_SRC, input.scalars, engine: engine), pass.destination.output(DNNL_ARG_DST),
        ]
        if let workspace = pass.workspace { arguments.append(.output(DNNL_ARG_WORKSPACE, workspace)) }
        try engine.execute(pass.forward, &arguments)
        let shape = global ? Array(pass.outputShape[0 ..< 2]) : pass.outputShape
        record = training ? ForwardRecord(input: input, outputShape: shape, extra: arguments.count > 2 ? arguments[2].values : []) : nil
        return Tensor(shape: shape, scalars: try pass.destination.result(arguments[1], engine: engine))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: name)
        let pass = try pass(for: record.input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.outputGradient.input(DNNL_ARG_DIFF_DST, outputGradient.scalars, engine: engine),
            pass.inputGradient.output(DNNL_ARG_DIFF_SRC),
        ]
        if let workspace = pass.workspace { arguments.append(.input(DNNL_ARG_WORKSPACE, workspace, record.extra)) }
        try engine.execute(pass.backward, &arguments)
        return Tensor(shape: record.input.shape, scalars: try pass.inputGradient.result(arguments[1], engine: engine))
    }
}

/// The average algorithm PyTorch's `count_include_pad` picks.
private func average(countIncludesPadding: Bool) -> dnnl_alg_kind_t {
    countIncludesPadding ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
}

/// The maximum over windows of width of an [N, C, W] input, as PyTorch's `nn.MaxPool1d`.
public final class MaxPool1D: Pooling {
    public init(kernel: PoolingKernel, stride: Int? = nil, padding: (left: Int, right: Int) = (0, 0)) throws {
        try super.init("MaxPool1D", algorithm: dnnl_pooling_max, kernel: [kernel], stride: stride.map { [$0] },
                       paddingBefore: [padding.left], paddingAfter: [padding.right])
    }
}

/// The maximum over each window of an [N, C, H, W] input, as PyTorch's `nn.MaxPool2d`;
/// `MaxPool2D(kernel: (.wholeAxis, 1))` takes the maximum over all frequencies of each frame.
public final class MaxPool2D: Pooling {
    /// `padding` is (top, bottom, left, right).
    public init(kernel: (height: PoolingKernel, width: PoolingKernel), stride: (height: Int, width: Int)? = nil,
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) throws {
        try super.init("MaxPool2D", algorithm: dnnl_pooling_max, kernel: [kernel.height, kernel.width],
                       stride: stride.map { [$0.height, $0.width] },
                       paddingBefore: [padding.top, padding.left], paddingAfter: [padding.bottom, padding.right])
    }
}

/// The mean over windows of width of an [N, C, W] input, as PyTorch's `nn.AvgPool1d` (whose
/// `count_include_pad` is true by default).
public final class AvgPool1D: Pooling {
    public init(kernel: PoolingKernel, stride: Int? = nil, padding: (left: Int, right: Int) = (0, 0),
                countIncludesPadding: Bool = true) throws {
        try super.init("AvgPool1D", algorithm: average(countIncludesPadding: countIncludesPadding), kernel: [kernel],
                       stride: stride.map { [$0] }, paddingBefore: [padding.left], paddingAfter: [padding.right])
    }
}

/// The mean over each window of an [N, C, H, W] input, as PyTorch's `nn.AvgPool2d`.
public final class AvgPool2D: Pooling {
    /// `padding` is (top, bottom, left, right).
    public init(kernel: (height: PoolingKernel, width: PoolingKernel), stride: (height: Int, width: Int)? = nil,
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0),
                countIncludesPadding: Bool = true) throws {
        try super.init("AvgPool2D", algorithm: average(countIncludesPadding: countIncludesPadding),
                       kernel: [kernel.height, kernel.width], stride: stride.map { [$0.height, $0.width] },
                       paddingBefore: [padding.top, padding.left], paddingAfter: [padding.bottom, padding.right])
    }
}

/// [N, C, ...] to [N, C]: the maximum over all positions of each channel, as Keras' `GlobalMaxPooling2D`.
public final class GlobalMaxPooling: Pooling {
    public init() throws {
        try super.init("GlobalMaxPooling", algorithm: dnnl_pooling_max, kernel: [], stride: [], paddingBefore: [], paddingAfter: [])
    }
}

/// [N, C, ...] to [N, C]: the mean over all positions of each channel, as Keras' `GlobalAveragePooling2D`.
public final class GlobalAveragePooling: Pooling {
    public init() throws {
        try super.init("GlobalAveragePooling", algorithm: dnnl_pooling_avg_exclude_padding, kernel: [], stride: [],
                       paddingBefore: [], paddingAfter: [])
    }
}
