import CDNNL

/// How a layer with weights and a bias (inner product, convolution) describes its oneDNN operations.
protocol WeightedOperations {
    var name: String { get }
    var weightShape: [Int] { get }
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

/// The plain layouts of one pass: source, weights, bias and destination.
struct WeightedLayouts {
    var source, weights, bias, destination: dnnl_memory_desc_t
}

/// The forward, backward-data and backward-weights primitives for one input shape.
private final class WeightedPass {
    let inputShape: [Int], outputShape: [Int]
    let layouts: WeightedLayouts
    let forward, backwardData, backwardWeights: Primitive

    init(_ operations: some WeightedOperations, inputShape: [Int], engine: Engine) throws {
        self.inputShape = inputShape
        outputShape = try operations.outputShape(for: inputShape)
        layouts = WeightedLayouts(source: try plainLayout(inputShape), weights: try plainLayout(operations.weightShape),
                                  bias: try plainLayout([operations.weightShape[0]]),
                                  destination: try plainLayout(outputShape))
        forward = try operations.forward(layouts, engine: engine)
        backwardData = try operations.backwardData(layouts, engine: engine, hint: forward)
        backwardWeights = try operations.backwardWeights(layouts, engine: engine, hint: forward)
    }
}

/// What `Dense`, `Conv1D` and `Conv2D` share: the weight and bias, the primitives for the last input
/// shape (rebuilt when it changes) and the forward and backward passes through them.
public class WeightedLayer: Layer {
    let operations: any WeightedOperations
    public let weight: Parameter
    public let bias: Parameter
    private var passes: PassCache<WeightedPass>
    private var record: ForwardRecord<Void>?

    /// Validates `operations` and starts with He-uniform weights and a zero bias.
    init(_ operations: some WeightedOperations, generator: inout some RandomNumberGenerator) throws {
        try operations.validate()
        self.operations = operations
        passes = try PassCache()
        weight = Parameter("weight", heUniform(operations.weightShape, fanIn: operations.fanIn, using: &generator))
        bias = Parameter("bias", Tensor(zeros: [operations.weightShape[0]]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    private func pass(for shape: [Int]) throws -> WeightedPass {
        try passes.pass(for: shape) { try WeightedPass(operations, inputShape: shape, engine: $0) }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        var arguments: [Argument] = [
            .input(DNNL_ARG_SRC, pass.layouts.source, input.scalars),
            .input(DNNL_ARG_WEIGHTS, pass.layouts.weights, weight.value.scalars),
            .input(DNNL_ARG_BIAS, pass.layouts.bias, bias.value.scalars),
            .output(DNNL_ARG_DST, pass.layouts.destination),
        ]
        try passes.engine.execute(pass.forward, &arguments)
        record = training ? ForwardRecord(input: input, outputShape: pass.outputShape, extra: ()) : nil
        return Tensor(shape: pass.outputShape, scalars: arguments[3].values)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: operations.name)
        let pass = try pass(for: record.input.shape)
        var data: [Argument] = [
            .input(DNNL_ARG_DIFF_DST, pass.layouts.destination, outputGradient.scalars),
            .input(DNNL_ARG_WEIGHTS, pass.layouts.weights, weight.value.scalars),
            .output(DNNL_ARG_DIFF_SRC, pass.layouts.source),
        ]
        try passes.engine.execute(pass.backwardData, &data)
        var weights: [Argument] = [
            .input(DNNL_ARG_SRC, pass.layouts.source, record.input.scalars),
            .input(DNNL_ARG_DIFF_DST, pass.layouts.destination, outputGradient.scalars),
            .output(DNNL_ARG_DIFF_WEIGHTS, pass.layouts.weights),
            .output(DNNL_ARG_DIFF_BIAS, pass.layouts.bias),
        ]
        try passes.engine.execute(pass.backwardWeights, &weights)
        weight.gradient = Tensor(shape: weight.value.shape, scalars: weights[2].values)
        bias.gradient = Tensor(shape: bias.value.shape, scalars: weights[3].values)
        return Tensor(shape: record.input.shape, scalars: data[2].values)
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
