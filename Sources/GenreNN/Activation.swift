import CDNNL

/// What the element-wise activations and softmax share: one oneDNN primitive forward and one backward
/// for a tensor of any shape of rank 1 to 5, the backward computed from the output (oneDNN's
/// `*_use_dst_for_bwd` algorithms) where it can be, which is all the layer keeps, else from the input.
public class Activation: Layer {
    enum Operation {
        /// An eltwise algorithm, its alpha and beta; `fromOutput` for the `*_use_dst_for_bwd` ones,
        /// whose backward reads the output, else it reads the input.
        case eltwise(dnnl_alg_kind_t, alpha: Float, beta: Float = 0, fromOutput: Bool = true)
        /// Softmax along an axis; negative counts from the last.
        case softmax(axis: Int)
    }

    private struct Pass {
        let layout: dnnl_memory_desc_t
        let forward, backward: Primitive
    }

    private let name: String
    private let operation: Operation
    private var passes: PassCache<Pass>
    /// The output (or, for an algorithm that needs it, the input) of the last training forward pass.
    private var record: ForwardRecord<[Float]>?

    init(_ name: String, _ operation: Operation) throws {
        self.name = name
        self.operation = operation
        passes = try PassCache()
    }

    private func pass(for shape: [Int]) throws -> Pass {
        guard (1 ... 5).contains(shape.count) else {
            throw LayerError.badInput(layer: name, shape: shape, expected: "a tensor of rank 1 to 5")
        }
        return try passes.pass(for: shape) { engine in
            var layout = try plainLayout(shape)
            let (forward, backward) = try primitives(layout: &layout, shape: shape, engine: engine)
            return Pass(layout: layout, forward: forward, backward: backward)
        }
    }

    private func primitives(layout: inout dnnl_memory_desc_t, shape: [Int], engine: Engine) throws -> (Primitive, Primitive) {
        switch operation {
        case .eltwise(let algorithm, let alpha, let beta, _):
            var forward = dnnl_eltwise_desc_t(), backward = dnnl_eltwise_desc_t()
            try check(dnnl_eltwise_forward_desc_init(&forward, dnnl_forward_training, algorithm, &layout, alpha, beta),
                      "eltwise forward (\(name))")
            try check(dnnl_eltwise_backward_desc_init(&backward, algorithm, &layout, &layout, alpha, beta),
                      "eltwise backward (\(name))")
            let hint = try Primitive(forward, name: "\(name) forward", engine: engine)
            return (hint, try Primitive(backward, name: "\(name) backward", engine: engine, hint: hint))
        case .softmax(let axis):
            let rank = shape.count
            guard (-rank ..< rank).contains(axis) else {
                throw LayerError.badInput(layer: name, shape: shape, expected: "a tensor that has axis \(axis)")
            }
            let dnnlAxis = Int32((axis + rank) % rank)
            var forward = dnnl_softmax_v2_desc_t(), backward = dnnl_softmax_v2_desc_t()
            try check(dnnl_softmax_v2_forward_desc_init(&forward, dnnl_forward_training, dnnl_softmax_accurate, &layout,
                                                        &layout, dnnlAxis), "softmax forward (\(name))")
            try check(dnnl_softmax_v2_backward_desc_init(&backward, dnnl_softmax_accurate, &layout, &layout, &layout,
                                                         dnnlAxis), "softmax backward (\(name))")
            let hint = try Primitive(forward, name: "\(name) forward", engine: engine)
            return (hint, try Primitive(backward, name: "\(name) backward", engine: engine, hint: hint))
        }
    }

    private var backwardFromInput: Bool {
        if case .eltwise(_, _, _, let fromOutput) = operation { return !fromOutput }
        return false
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        var arguments: [Argument] = [.input(DNNL_ARG_SRC, pass.layout, input.scalars), .output(DNNL_ARG_DST, pass.layout)]
        try passes.engine.execute(pass.forward, &arguments)
        let output = Tensor(shape: input.shape, scalars: arguments[1].values)
        record = training ? ForwardRecord(input: input, outputShape: input.shape,
                                          extra: backwardFromInput ? input.scalars : output.scalars) : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: name)
        let pass = try pass(for: record.input.shape)
        var arguments: [Argument] = [
            .input(backwardFromInput ? DNNL_ARG_SRC : DNNL_ARG_DST, pass.layout, record.extra),
            .input(DNNL_ARG_DIFF_DST, pass.layout, outputGradient.scalars),
            .output(DNNL_ARG_DIFF_SRC, pass.layout),
        ]
        try passes.engine.execute(pass.backward, &arguments)
        return Tensor(shape: record.input.shape, scalars: arguments[2].values)
    }
}

/// max(0, x).
public final class ReLU: Activation {
    public init() throws { try super.init("ReLU", .eltwise(dnnl_eltwise_relu_use_dst_for_bwd, alpha: 0)) }
}

/// min(max(0, x), 6), as MobileNetV2 (PyTorch's `nn.ReLU6`).
public final class ReLU6: Activation {
    public init() throws { try super.init("ReLU6", .eltwise(dnnl_eltwise_clip_v2_use_dst_for_bwd, alpha: 0, beta: 6)) }
}

/// x · sigmoid(x), swish or SiLU, as EfficientNet (PyTorch's `nn.SiLU`). Its backward needs the input.
public final class Swish: Activation {
    public init() throws { try super.init("Swish", .eltwise(dnnl_eltwise_swish, alpha: 1, fromOutput: false)) }
}

/// x for x > 0, alpha (eˣ - 1) otherwise, as PyTorch's `nn.ELU`.
public final class ELU: Activation {
    /// `alpha` must not be negative: the backward pass recovers the slope from the output.
    public init(alpha: Float = 1) throws {
        guard alpha >= 0 else {
            throw LayerError.badSetting(layer: "ELU", reason: "alpha must not be negative, got \(alpha)")
        }
        try super.init("ELU(alpha \(alpha))", .eltwise(dnnl_eltwise_elu_use_dst_for_bwd, alpha: alpha))
    }
}

/// tanh(x).
public final class Tanh: Activation {
    public init() throws { try super.init("Tanh", .eltwise(dnnl_eltwise_tanh_use_dst_for_bwd, alpha: 0)) }
}

/// 1 / (1 + e⁻ˣ).
public final class Sigmoid: Activation {
    public init() throws { try super.init("Sigmoid", .eltwise(dnnl_eltwise_logistic_use_dst_for_bwd, alpha: 0)) }
}

/// exp(x) / Σ exp(x) along `axis`, as PyTorch's `nn.Softmax(dim:)`; -1 (the default) is the last axis.
public final class Softmax: Activation {
    public init(axis: Int = -1) throws { try super.init("Softmax(axis \(axis))", .softmax(axis: axis)) }
}
