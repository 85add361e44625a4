import CDNNL

/// A fully connected layer, y = x Wᵀ + b, on oneDNN's inner product. Input [N, inputs], output
/// [N, outputs]; `weight` is [outputs, inputs] as in PyTorch's `nn.Linear`.
public final class Dense: WeightedLayer {
    /// `precision` bfloat16 on a CPU without it is a `PrecisionError`.
    public init(inputs: Int, outputs: Int, precision: Precision = .float32, generator: inout some RandomNumberGenerator) throws {
        try super.init(DenseOperations(inputs: inputs, outputs: outputs), precision: precision, generator: &generator)
    }
}

struct DenseOperations: WeightedOperations {
    let inputs: Int, outputs: Int
    var name: String { "Dense(\(inputs) -> \(outputs))" }
    var weightShape: [Int] { [outputs, inputs] }
    var fanIn: Int { inputs }

    func validate() throws {
        guard inputs > 0, outputs > 0 else {
            throw LayerError.badSetting(layer: "Dense", reason: "inputs and outputs must be positive, got \(inputs) and \(outputs)")
        }
    }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == inputs, input[0] > 0 else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, \(inputs)]")
        }
        return [input[0], outputs]
    }

    func forward(_ l: WeightedLayouts, engine: Engine) throws -> Primitive {
        var operation = dnnl_inner_product_desc_t()
        try check(dnnl_inner_product_forward_desc_init(&operation, dnnl_forward_training, [l.source], [l.weights],
                                                       [l.bias], [l.destination]), "inner product forward (\(name))")
        return try Primitive(operation, name: "\(name) forward", engine: engine)
    }

    func backwardData(_ l: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive {
        var operation = dnnl_inner_product_desc_t()
        try check(dnnl_inner_product_backward_data_desc_init(&operation, [l.source], [l.weights], [l.destination]),
                  "inner product backward data (\(name))")
        return try Primitive(operation, name: "\(name) backward data", engine: engine, hint: hint)
    }

    func backwardWeights(_ l: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive {
        var operation = dnnl_inner_product_desc_t()
        try check(dnnl_inner_product_backward_weights_desc_init(&operation, [l.source], [l.weights], [l.bias],
                                                                [l.destination]), "inner product backward weights (\(name))")
        return try Primitive(operation, name: "\(name) backward weights", engine: engine, hint: hint)
    }
}
