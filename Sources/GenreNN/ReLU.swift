import CDNNL

/// max(0, x), element by element, on oneDNN's eltwise primitive. Any shape of rank 1 to 5.
public final class ReLU: Layer {
    private struct Pass {
        let layout: dnnl_memory_desc_t
        let forward, backward: Primitive
    }

    private var passes: PassCache<Pass>
    private var record: ForwardRecord<Void>?

    public init() throws { passes = try PassCache() }

    private func pass(for shape: [Int]) throws -> Pass {
        try passes.pass(for: shape) { engine in
            var layout = try plainLayout(shape)
            var forward = dnnl_eltwise_desc_t()
            try check(dnnl_eltwise_forward_desc_init(&forward, dnnl_forward_training, dnnl_eltwise_relu, &layout, 0, 0),
                      "eltwise forward (ReLU)")
            let forwardPrimitive = try Primitive(forward, name: "ReLU forward", engine: engine)
            var backward = dnnl_eltwise_desc_t()
            try check(dnnl_eltwise_backward_desc_init(&backward, dnnl_eltwise_relu, &layout, &layout, 0, 0),
                      "eltwise backward (ReLU)")
            return Pass(layout: layout, forward: forwardPrimitive,
                        backward: try Primitive(backward, name: "ReLU backward", engine: engine, hint: forwardPrimitive))
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        var arguments: [Argument] = [.input(DNNL_ARG_SRC, pass.layout, input.scalars), .output(DNNL_ARG_DST, pass.layout)]
        try passes.engine.execute(pass.forward, &arguments)
        record = training ? ForwardRecord(input: input, outputShape: input.shape, extra: ()) : nil
        return Tensor(shape: input.shape, scalars: arguments[1].values)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "ReLU")
        let pass = try pass(for: record.input.shape)
        var arguments: [Argument] = [
            .input(DNNL_ARG_SRC, pass.layout, record.input.scalars),
            .input(DNNL_ARG_DIFF_DST, pass.layout, outputGradient.scalars),
            .output(DNNL_ARG_DIFF_SRC, pass.layout),
        ]
        try passes.engine.execute(pass.backward, &arguments)
        return Tensor(shape: record.input.shape, scalars: arguments[2].values)
    }
}
