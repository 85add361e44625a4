import CDNNL

/// oneDNN's sum and concat, and the split that undoes a concat (reorders out of sub-tensors), for the
/// layers that join branches. Each keeps the primitives for the last shapes it saw.
final class Joins {
    private struct Part {
        let source, destination: dnnl_memory_desc_t
        let primitive: Primitive
    }

    private var sums: PassCache<Primitive>
    private var concats: PassCache<Primitive>
    private var splits: PassCache<[Part]>

    init() throws {
        sums = try PassCache()
        concats = try PassCache()
        splits = try PassCache()
    }

    private var engine: Engine { sums.engine }

    /// The element-wise sum of tensors of one shape.
    func sum(_ tensors: [Tensor]) throws -> Tensor {
        let shape = tensors[0].shape, layout = try plainLayout(shape)
        let primitive = try sums.pass(for: shape + [tensors.count]) { engine in
            let sources = [dnnl_memory_desc_t](repeating: layout, count: tensors.count)
            let scales = [Float](repeating: 1, count: tensors.count)
            return try Primitive(name: "sum of \(tensors.count) \(shape)", engine: engine) {
                dnnl_sum_primitive_desc_create(&$0, [layout], Int32(tensors.count), scales, sources, engine.attributes, engine.engine)
            }
        }
        var arguments = tensors.enumerated().map { Argument.input(DNNL_ARG_MULTIPLE_SRC + Int32($0), layout, $1.scalars) }
        arguments.append(.output(DNNL_ARG_DST, layout))
        try engine.execute(primitive, &arguments)
        return Tensor(shape: shape, scalars: arguments[tensors.count].values)
    }

    /// Tensors that differ only along `axis`, joined along it.
    func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        var shape = tensors[0].shape
        shape[axis] = tensors.map { $0.shape[axis] }.reduce(0, +)
        let sources = try tensors.map { try plainLayout($0.shape) }, destination = try plainLayout(shape)
        let primitive = try concats.pass(for: [axis] + tensors.flatMap { [-1] + $0.shape }) { engine in
            try Primitive(name: "concat of \(tensors.map(\.shape)) along axis \(axis)", engine: engine) {
                dnnl_concat_primitive_desc_create(&$0, [destination], Int32(tensors.count), Int32(axis), sources,
                                                  engine.attributes, engine.engine)
            }
        }
        var arguments = zip(sources, tensors).enumerated().map { index, source in
            Argument.input(DNNL_ARG_MULTIPLE_SRC + Int32(index), source.0, source.1.scalars)
        }
        arguments.append(.output(DNNL_ARG_DST, destination))
        try engine.execute(primitive, &arguments)
        return Tensor(shape: shape, scalars: arguments[tensors.count].values)
    }

    /// `tensor` cut along `axis` into consecutive parts of the given sizes: the inverse of `concatenate`.
    func split(_ tensor: Tensor, axis: Int, sizes: [Int]) throws -> [Tensor] {
        let shapes = sizes.map { size in tensor.shape.enumerated().map { $0 == axis ? size : $1 } }
        let parts = try splits.pass(for: [axis] + tensor.shape + [-1] + sizes) { engine in
            var whole = try plainLayout(tensor.shape)
            var offset = 0
            return try shapes.map { shape in
                var source = dnnl_memory_desc_t()
                let offsets = tensor.shape.indices.map { Int64($0 == axis ? offset : 0) }
                offset += shape[axis]
                try check(dnnl_memory_desc_init_submemory(&source, &whole, shape.map(Int64.init), offsets),
                          "dnnl_memory_desc_init_submemory \(shape) of \(tensor.shape)")
                let destination = try plainLayout(shape)
                let primitive = try Primitive(reorderFrom: source, to: destination,
                                              name: "split \(shape) out of \(tensor.shape)", engine: engine)
                return Part(source: source, destination: destination, primitive: primitive)
            }
        }
        return try zip(parts, shapes).map { part, shape in
            var arguments: [Argument] = [.input(DNNL_ARG_FROM, part.source, tensor.scalars), .output(DNNL_ARG_TO, part.destination)]
            try engine.execute(part.primitive, &arguments)
            return Tensor(shape: shape, scalars: arguments[1].values)
        }
    }
}
