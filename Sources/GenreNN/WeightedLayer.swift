import CDNNL

/// How a layer with weights and a bias (inner product, convolution) describes its oneDNN operations.
protocol WeightedOperations {
    var name: String { get }
    /// The weight parameter's shape, as PyTorch has it.
    var weightShape: [Int] { get }
    /// The weight's shape as oneDNN takes it, the same values in the same order (grouped convolutions
    /// split the filters' axis in two); `weightShape` unless an operation says otherwise.
    var layoutWeightShape: [Int] { get }
    /// How many inputs feed one output, for the initialisation.
    var fanIn: Int { get }
    /// Throws a `LayerError.badSetting` unless the sizes make a layer.
    func validate() throws
    /// The output shape for an input shape, or a `LayerError` that says why it cannot be taken.
    func outputShape(for input: [Int]) throws -> [Int]
    func forward(_ layouts: WeightedLayouts, engine: Engine) throws -> Primitive
    func backwardData(_ layouts: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive
    func backwardWeights(_ layouts: WeightedLayouts, engine: Engine, hint: Primitive) throws -> Primitive
}

extension WeightedOperations {
    var layoutWeightShape: [Int] { weightShape }
}

/// The layouts one primitive of a pass is made with: source, weights, bias and destination (or their
/// gradients).
struct WeightedLayouts {
    var source, weights, bias, destination: dnnl_memory_desc_t
}

/// The forward, backward-data and backward-weights primitives for one input shape, in the layouts they
/// chose (blocked ones run far faster than plain NCHW), and the stagings from and to the plain arrays
/// of tensors and parameters. A backward staging is nil where its primitive chose the layout of an
/// earlier one and reads that one's buffer, filled in the same step.
private final class WeightedPass {
    let inputShape: [Int], outputShape: [Int]
    let bias: dnnl_memory_desc_t
    let forward, backwardData, backwardWeights: Primitive
    let source, weights, destination: Staging
    let outputGradient: Staging, dataWeights: Staging?, inputGradient: Staging
    let weightsSource: Staging?, weightsOutputGradient: Staging?, weightGradient: Staging

    /// Operands are `operandType` and results float32.
    init(_ operations: some WeightedOperations, inputShape: [Int], operandType: dnnl_data_type_t, engine: Engine) throws {
        self.inputShape = inputShape
        outputShape = try operations.outputShape(for: inputShape)
        let shapes = (source: inputShape, weights: operations.layoutWeightShape, destination: outputShape)
        let bias = try plainLayout([operations.weightShape[0]])
        self.bias = bias
        // Float32 inner products (gemm) take plain weights best: left to choose, oneDNN transposes them,
        // a reorder of every weight on each forward pass and each gradient.
        func weightLayout(_ type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
            type == dnnl_f32 && shapes.weights.count == 2 ? try plainLayout(shapes.weights) : try openLayout(shapes.weights, type)
        }
        func layouts(source: dnnl_data_type_t, weights: dnnl_data_type_t, destination: dnnl_data_type_t) throws -> WeightedLayouts {
            WeightedLayouts(source: try openLayout(shapes.source, source), weights: try weightLayout(weights),
                            bias: bias, destination: try openLayout(shapes.destination, destination))
        }
        forward = try operations.forward(layouts(source: operandType, weights: operandType, destination: dnnl_f32),
                                         engine: engine)
        backwardData = try operations.backwardData(layouts(source: dnnl_f32, weights: operandType, destination: operandType),
                                                   engine: engine, hint: forward)
        backwardWeights = try operations.backwardWeights(
            layouts(source: operandType, weights: dnnl_f32, destination: operandType), engine: engine, hint: forward)

        let plain = (source: try plainLayout(shapes.source), weights: try plainLayout(shapes.weights),
                     destination: try plainLayout(shapes.destination))
        func staging(_ plain: dnnl_memory_desc_t, _ primitive: Primitive, _ query: dnnl_query_t, inward: Bool) throws -> Staging {
            try Staging(plain: plain, of: primitive, query, inward: inward, engine: engine)
        }
        func unless(_ earlier: Staging, _ primitive: Primitive, _ query: dnnl_query_t) throws -> Staging? {
            sameLayout(earlier.chosen, primitive.layout(query)) ? nil : try staging(earlier.plain, primitive, query, inward: true)
        }
        source = try staging(plain.source, forward, dnnl_query_src_md, inward: true)
        weights = try staging(plain.weights, forward, dnnl_query_weights_md, inward: true)
        destination = try staging(plain.destination, forward, dnnl_query_dst_md, inward: false)
        outputGradient = try staging(plain.destination, backwardData, dnnl_query_diff_dst_md, inward: true)
        dataWeights = try unless(weights, backwardData, dnnl_query_weights_md)
        inputGradient = try staging(plain.source, backwardData, dnnl_query_diff_src_md, inward: false)
        weightsSource = try unless(source, backwardWeights, dnnl_query_src_md)
        weightsOutputGradient = try unless(outputGradient, backwardWeights, dnnl_query_diff_dst_md)
        weightGradient = try staging(plain.weights, backwardWeights, dnnl_query_diff_weights_md, inward: false)
    }
}

/// What `Dense`, `Conv1D` and `Conv2D` share: the weight and bias, the primitives for the last input
/// shape (rebuilt when it changes) and the forward and backward passes through them.
public class WeightedLayer: Layer, ParameterGradientsLayer {
    let operations: any WeightedOperations
    public let weight: Parameter
    public let bias: Parameter
    private let operandType: dnnl_data_type_t
    private var passes: PassCache<WeightedPass>
    private var record: ForwardRecord<Void>?

    /// Validates `operations` and starts with He-uniform weights and a zero bias. `precision` bfloat16 on
    /// a CPU without it is a `PrecisionError`.
    init(_ operations: some WeightedOperations, precision: Precision,
         generator: inout some RandomNumberGenerator) throws {
        try operations.validate()
        self.operations = operations
        operandType = try precision.operandType()
        passes = try PassCache()
        weight = Parameter("weight", heUniform(operations.weightShape, fanIn: operations.fanIn, using: &generator))
        bias = Parameter("bias", Tensor(zeros: [operations.weightShape[0]]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    private func pass(for shape: [Int]) throws -> WeightedPass {
        try passes.pass(for: shape) { try WeightedPass(operations, inputShape: shape, operandType: operandType, engine: $0) }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.source.input(DNNL_ARG_SRC, input.scalars, engine: engine),
            try pass.weights.input(DNNL_ARG_WEIGHTS, weight.value.scalars, engine: engine),
            .input(DNNL_ARG_BIAS, pass.bias, bias.value.scalars),
            pass.destination.output(DNNL_ARG_DST),
        ]
        try engine.execute(pass.forward, &arguments)
        record = training ? ForwardRecord(input: input, outputShape: pass.outputShape, extra: ()) : nil
        return Tensor(shape: pass.outputShape, scalars: try pass.destination.result(arguments[3], engine: engine))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let (record, pass, gradient) = try weightGradients(outputGradient)
        let engine = passes.engine
        var data: [Argument] = [
            gradient,
            try pass.dataWeights?.input(DNNL_ARG_WEIGHTS, weight.value.scalars, engine: engine)
                ?? pass.weights.filled(DNNL_ARG_WEIGHTS, weight.value.scalars),
            pass.inputGradient.output(DNNL_ARG_DIFF_SRC),
        ]
        try engine.execute(pass.backwardData, &data)
        return Tensor(shape: record.input.shape, scalars: try pass.inputGradient.result(data[2], engine: engine))
    }

    func backwardParameters(_ outputGradient: Tensor) throws { _ = try weightGradients(outputGradient) }

    /// Sets the weight and bias gradients; returns what the input gradient needs as well, the output
    /// gradient staged as backward data takes it. Reads the buffers the training forward pass filled
    /// (source, weights), which stay valid while `record` is set: any later forward pass replaces or clears it.
    private func weightGradients(_ outputGradient: Tensor) throws -> (ForwardRecord<Void>, WeightedPass, Argument) {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: operations.name)
        let pass = try pass(for: record.input.shape)
        let engine = passes.engine
        let gradient = try pass.outputGradient.input(DNNL_ARG_DIFF_DST, outputGradient.scalars, engine: engine)
        var weights: [Argument] = [
            try pass.weightsSource?.input(DNNL_ARG_SRC, record.input.scalars, engine: engine)
                ?? pass.source.filled(DNNL_ARG_SRC, record.input.scalars),
            try pass.weightsOutputGradient?.input(DNNL_ARG_DIFF_DST, outputGradient.scalars, engine: engine) ?? gradient,
            pass.weightGradient.output(DNNL_ARG_DIFF_WEIGHTS),
            .output(DNNL_ARG_DIFF_BIAS, pass.bias),
        ]
        try engine.execute(pass.backwardWeights, &weights)
        weight.gradient = Tensor(shape: weight.value.shape, scalars: try pass.weightGradient.result(weights[2], engine: engine))
        bias.gradient = Tensor(shape: bias.value.shape, scalars: weights[3].values)
        return (record, pass, gradient)
    }
}

/// He (Kaiming) uniform initialisation, suited to ReLU networks: U(-b, b) with b = sqrt(6 / fanIn).
func heUniform(_ shape: [Int], fanIn: Int, using generator: inout some RandomNumberGenerator) -> Tensor {
    uniform(shape, bound: (6 / Float(fanIn)).squareRoot(), using: &generator)
}

/// U(-bound, bound) in `shape`.
func uniform(_ shape: [Int], bound: Float, using generator: inout some RandomNumberGenerator) -> Tensor {
    let count = shape.reduce(1, *)
    // 24 random bits per value, so the numbers do not depend on the standard library's float sampling.
    let scalars = (0 ..< count).map { _ in (Float(generator.next() >> 40) * 0x1p-24 * 2 - 1) * bound }
    return Tensor(shape: shape, scalars: scalars)
}
