import CDNNL

/// The maximum over each window of an [N, C, H, W] input, on oneDNN's pooling primitive; the
/// backward pass routes each gradient to its window's maximum, kept in oneDNN's workspace.
/// Padding is never the maximum (it counts as minus infinity).
public final class MaxPool2D: Layer {
    /// oneDNN pools plain NCHW with a slow reference loop, so the primitives work on channel blocks
    /// and the stagings reorder to and from them.
    private struct Pass {
        let outputShape: [Int]
        let source, destination, outputGradient, inputGradient: Staging
        let workspace: dnnl_memory_desc_t
        let forward, backward: Primitive
    }

    public let kernel: [Int], stride: [Int], paddingBefore: [Int], paddingAfter: [Int]
    private var passes: PassCache<Pass>
    /// The input and the workspace of the last training forward pass.
    private var record: ForwardRecord<[Float]>?

    /// `stride` defaults to the kernel (windows that do not overlap); `padding` is (top, bottom, left, right).
    public init(kernel: (height: Int, width: Int), stride: (height: Int, width: Int)? = nil,
                padding: (top: Int, bottom: Int, left: Int, right: Int) = (0, 0, 0, 0)) throws {
        self.kernel = [kernel.height, kernel.width]
        self.stride = stride.map { [$0.height, $0.width] } ?? self.kernel
        paddingBefore = [padding.top, padding.left]
        paddingAfter = [padding.bottom, padding.right]
        let positive = (self.kernel + self.stride).allSatisfy { $0 > 0 }
        // Padding as wide as the kernel would give windows of padding alone.
        let paddingFits = zip(zip(paddingBefore, paddingAfter), self.kernel).allSatisfy { pads, size in
            min(pads.0, pads.1) >= 0 && max(pads.0, pads.1) < size
        }
        guard positive, paddingFits else {
            throw LayerError.badSetting(layer: "MaxPool2D", reason: "kernel and stride must be positive and padding between 0 and kernel - 1, got \(self.kernel), \(self.stride), \(paddingBefore), \(paddingAfter)")
        }
        passes = try PassCache()
    }

    private var name: String { "MaxPool2D(kernel \(kernel), stride \(stride), padding \(paddingBefore) \(paddingAfter))" }

    func outputShape(for input: [Int]) throws -> [Int] {
        let padded = input.count == 4 ? (0 ..< 2).map { input[2 + $0] + paddingBefore[$0] + paddingAfter[$0] } : []
        guard input.count == 4, input[0] > 0, input[1] > 0, zip(padded, kernel).allSatisfy({ $0 >= $1 }) else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, channels, height, width] at least the kernel after padding")
        }
        return Array(input[0 ..< 2]) + (0 ..< 2).map { (padded[$0] - kernel[$0]) / stride[$0] + 1 }
    }

    private func pass(for shape: [Int]) throws -> Pass {
        let outputShape = try outputShape(for: shape)
        return try passes.pass(for: shape) { engine in
            var source = try channelBlockedLayout(shape), destination = try openLayout(outputShape, dnnl_f32)
            let strides = stride.map(Int64.init), window = kernel.map(Int64.init), dilation: [Int64] = [0, 0]
            let before = paddingBefore.map(Int64.init), after = paddingAfter.map(Int64.init)
            var forward = dnnl_pooling_v2_desc_t()
            try check(dnnl_pooling_v2_forward_desc_init(&forward, dnnl_forward_training, dnnl_pooling_max, &source,
                                                        &destination, strides, window, dilation, before, after),
                      "pooling forward (\(name))")
            let forwardPrimitive = try Primitive(forward, name: "\(name) forward", engine: engine)
            var backward = dnnl_pooling_v2_desc_t()
            try check(dnnl_pooling_v2_backward_desc_init(&backward, dnnl_pooling_max, &source, &destination, strides,
                                                         window, dilation, before, after), "pooling backward (\(name))")
            let backwardPrimitive = try Primitive(backward, name: "\(name) backward", engine: engine, hint: forwardPrimitive)
            let plain = (source: try plainLayout(shape), destination: try plainLayout(outputShape))
            func staging(_ plain: dnnl_memory_desc_t, _ primitive: Primitive, _ query: dnnl_query_t, inward: Bool) throws -> Staging {
                try Staging(plain: plain, chosen: primitive.layout(query), inward: inward, name: primitive.name, engine: engine)
            }
            return Pass(outputShape: outputShape,
                        source: try staging(plain.source, forwardPrimitive, dnnl_query_src_md, inward: true),
                        destination: try staging(plain.destination, forwardPrimitive, dnnl_query_dst_md, inward: false),
                        outputGradient: try staging(plain.destination, backwardPrimitive, dnnl_query_diff_dst_md, inward: true),
                        inputGradient: try staging(plain.source, backwardPrimitive, dnnl_query_diff_src_md, inward: false),
                        workspace: forwardPrimitive.workspace, forward: forwardPrimitive, backward: backwardPrimitive)
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.source.input(DNNL_ARG_SRC, input.scalars, engine: engine),
            pass.destination.output(DNNL_ARG_DST),
            .output(DNNL_ARG_WORKSPACE, pass.workspace),
        ]
        try engine.execute(pass.forward, &arguments)
        record = training ? ForwardRecord(input: input, outputShape: pass.outputShape, extra: arguments[2].values) : nil
        return Tensor(shape: pass.outputShape, scalars: try pass.destination.result(arguments[1], engine: engine))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: name)
        let pass = try pass(for: record.input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.outputGradient.input(DNNL_ARG_DIFF_DST, outputGradient.scalars, engine: engine),
            .input(DNNL_ARG_WORKSPACE, pass.workspace, record.extra),
            pass.inputGradient.output(DNNL_ARG_DIFF_SRC),
        ]
        try engine.execute(pass.backward, &arguments)
        return Tensor(shape: record.input.shape, scalars: try pass.inputGradient.result(arguments[2], engine: engine))
    }
}
