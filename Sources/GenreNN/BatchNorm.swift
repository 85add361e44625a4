import CDNNL

/// Batch normalisation over the channels of [N, C], [N, C, W] or [N, C, H, W], as PyTorch's
/// `nn.BatchNorm1d` and `nn.BatchNorm2d`, on oneDNN's batch normalization primitive. A training pass
/// normalises with the batch's mean and (biased) variance and moves the running statistics towards
/// them, the variance unbiased; inference normalises with the running statistics, as one multiply-add
/// per value in Swift (oneDNN 2.6's inference on plain layouts is a reference loop for some ranks and
/// costs far more). `weight` (scale) and `bias` (shift) are learnt; the running statistics are
/// buffers, saved as PyTorch names them.
public final class BatchNorm: Layer {
    /// oneDNN normalises plain [N, C, ...] with a slow loop, so the primitives work on channel blocks
    /// (batches of [N, C] stay plain) and the stagings reorder to and from them.
    private struct Pass {
        let statistics: dnnl_memory_desc_t
        let source, destination, outputGradient, inputGradient: Staging
        let training, backward: Primitive
    }

    public let channels: Int
    public let epsilon: Float, momentum: Float
    public let weight: Parameter, bias: Parameter
    public let runningMean: Parameter, runningVariance: Parameter
    /// Normalise with the running statistics in training passes too and leave them as they are, while
    /// the scale and shift still learn: a pre-trained layer fine-tuned on little data, as Keras runs a
    /// BatchNormalization layer that is not trainable and as PyTorch code that calls `eval()` on it.
    public var frozenStatistics = false
    private var passes: PassCache<Pass>
    /// The input and the mean and variance it was normalised with, of the last training forward pass.
    private var record: ForwardRecord<(mean: [Float], variance: [Float])>?

    /// `epsilon` is added to the variance: PyTorch's 1e-5 by default, 1e-3 for TensorFlow and Keras
    /// models such as musicnn. `momentum` is the weight of each new batch in the running statistics.
    public init(channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) throws {
        guard channels > 0, epsilon > 0, (0 ... 1).contains(momentum) else {
            throw LayerError.badSetting(layer: "BatchNorm", reason:
                "channels and epsilon must be positive and momentum between 0 and 1, got \(channels), \(epsilon) and \(momentum)")
        }
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        let ones = Tensor(shape: [channels], scalars: [Float](repeating: 1, count: channels))
        weight = Parameter("weight", ones)
        bias = Parameter("bias", Tensor(zeros: [channels]))
        runningMean = Parameter("running_mean", Tensor(zeros: [channels]))
        runningVariance = Parameter("running_var", ones)
        passes = try PassCache()
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Parameter] { [runningMean, runningVariance] }

    private var name: String { "BatchNorm(\(channels) channels, epsilon \(epsilon))" }

    private func checkShape(_ shape: [Int]) throws {
        guard (2 ... 4).contains(shape.count), shape[1] == channels, shape[0] > 0 else {
            throw LayerError.badInput(layer: name, shape: shape, expected:
                "[batch, \(channels)], [batch, \(channels), width] or [batch, \(channels), height, width]")
        }
    }

    private func pass(for shape: [Int]) throws -> Pass {
        try checkShape(shape)
        return try passes.pass(for: shape) { engine in
            let plain = try plainLayout(shape)
            var data = shape.count > 2 ? try channelBlockedLayout(shape) : plain
            let scaled = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue
            var training = dnnl_batch_normalization_desc_t(), backward = training
            try check(dnnl_batch_normalization_forward_desc_init(&training, dnnl_forward_training, &data, epsilon, scaled),
                      "batch normalization forward (\(name))")
            try check(dnnl_batch_normalization_backward_desc_init(&backward, dnnl_backward, &data, &data, epsilon, scaled),
                      "batch normalization backward (\(name))")
            let hint = try Primitive(training, name: "\(name) forward", engine: engine)
            let backwardPrimitive = try Primitive(backward, name: "\(name) backward", engine: engine, hint: hint)
            func staging(_ primitive: Primitive, _ query: dnnl_query_t, inward: Bool) throws -> Staging {
                try Staging(plain: plain, of: primitive, query, inward: inward, engine: engine)
            }
            return Pass(statistics: try plainLayout([channels]),
                        source: try staging(hint, dnnl_query_src_md, inward: true),
                        destination: try staging(hint, dnnl_query_dst_md, inward: false),
                        outputGradient: try staging(backwardPrimitive, dnnl_query_diff_dst_md, inward: true),
                        inputGradient: try staging(backwardPrimitive, dnnl_query_diff_src_md, inward: false),
                        training: hint, backward: backwardPrimitive)
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training, !frozenStatistics else {
            try checkShape(input.shape)
            record = training ? ForwardRecord(input: input, outputShape: input.shape,
                                              extra: (runningMean.value.scalars, runningVariance.value.scalars)) : nil
            return infer(input, rectifiedFirst: false)
        }
        let pass = try pass(for: input.shape)
        let perChannel = input.count / channels
        guard perChannel > 1 else {
            throw LayerError.badInput(layer: name, shape: input.shape, expected: "more than one value per channel to train on")
        }
        let engine = passes.engine
        var arguments: [Argument] = [
            try pass.source.input(DNNL_ARG_SRC, input.scalars, engine: engine),
            .input(DNNL_ARG_SCALE, pass.statistics, weight.value.scalars),
            .input(DNNL_ARG_SHIFT, pass.statistics, bias.value.scalars),
            pass.destination.output(DNNL_ARG_DST), .output(DNNL_ARG_MEAN, pass.statistics), .output(DNNL_ARG_VARIANCE, pass.statistics),
        ]
        try engine.execute(pass.training, &arguments)
        let (mean, variance) = (arguments[4].values, arguments[5].values)
        let unbiased = Float(perChannel) / Float(perChannel - 1)
        for c in 0 ..< channels {
            runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * mean[c]
            runningVariance.value[c] = (1 - momentum) * runningVariance.value[c] + momentum * variance[c] * unbiased
        }
        record = ForwardRecord(input: input, outputShape: input.shape, extra: (mean, variance))
        return Tensor(shape: input.shape, scalars: try pass.destination.result(arguments[3], engine: engine))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: name)
        if frozenStatistics { return backwardWithFixedStatistics(outputGradient, input: record.input, record.extra) }
        let pass = try pass(for: record.input.shape)
        let engine = passes.engine
        var arguments: [Argument] = [
            pass.source.filled(DNNL_ARG_SRC, record.input.scalars),
            .input(DNNL_ARG_MEAN, pass.statistics, record.extra.mean),
            .input(DNNL_ARG_VARIANCE, pass.statistics, record.extra.variance),
            try pass.outputGradient.input(DNNL_ARG_DIFF_DST, outputGradient.scalars, engine: engine),
            .input(DNNL_ARG_SCALE, pass.statistics, weight.value.scalars),
            // Not read, but oneDNN 2.6 refuses the execution without it.
            .input(DNNL_ARG_SHIFT, pass.statistics, bias.value.scalars),
            pass.inputGradient.output(DNNL_ARG_DIFF_SRC),
            .output(DNNL_ARG_DIFF_SCALE, pass.statistics),
            .output(DNNL_ARG_DIFF_SHIFT, pass.statistics),
        ]
        try engine.execute(pass.backward, &arguments)
        weight.gradient = Tensor(shape: [channels], scalars: arguments[7].values)
        bias.gradient = Tensor(shape: [channels], scalars: arguments[8].values)
        return Tensor(shape: record.input.shape, scalars: try pass.inputGradient.result(arguments[6], engine: engine))
    }

    /// The gradients of y = weight (x - mean) / √(variance + ε) + bias with the statistics constants,
    /// in one pass over plain [N, C, ...] (oneDNN's backward would want a training forward's hint).
    private func backwardWithFixedStatistics(_ outputGradient: Tensor, input: Tensor,
                                             _ statistics: (mean: [Float], variance: [Float])) -> Tensor {
        let positions = input.count / (input.shape[0] * channels)
        var inputGradient = [Float](repeating: 0, count: input.count)
        var weightGradient = [Double](repeating: 0, count: channels), biasGradient = weightGradient
        for plane in 0 ..< input.shape[0] * channels {
            let c = plane % channels, inverse = 1 / (statistics.variance[c] + epsilon).squareRoot()
            let scale = weight.value[c] * inverse
            for i in plane * positions ..< (plane + 1) * positions {
                let g = outputGradient.scalars[i]
                weightGradient[c] += Double(g * (input.scalars[i] - statistics.mean[c]) * inverse)
                biasGradient[c] += Double(g)
                inputGradient[i] = g * scale
            }
        }
        weight.gradient = Tensor(shape: [channels], scalars: weightGradient.map(Float.init))
        bias.gradient = Tensor(shape: [channels], scalars: biasGradient.map(Float.init))
        return Tensor(shape: input.shape, scalars: inputGradient)
    }
}

extension BatchNorm {
    /// Inference as y = scale x + shift per channel, from the running statistics (as TensorFlow computes it).
    var inferenceAffine: (scale: [Float], shift: [Float]) {
        let scale = (0 ..< channels).map { weight.value[$0] / (runningVariance.value[$0] + epsilon).squareRoot() }
        return (scale, (0 ..< channels).map { bias.value[$0] - runningMean.value[$0] * scale[$0] })
    }

    /// Inference on [N, C, ...] in one pass, of max(x, 0) when `rectifiedFirst` (a ReLU before it).
    func infer(_ input: Tensor, rectifiedFirst: Bool) -> Tensor {
        let (scale, shift) = inferenceAffine
        let positions = input.count / (input.shape[0] * channels)
        var scalars = input.scalars
        scalars.withUnsafeMutableBufferPointer { values in
            for plane in 0 ..< input.shape[0] * channels {
                let (a, b) = (scale[plane % channels], shift[plane % channels])
                let start = values.baseAddress! + plane * positions
                if rectifiedFirst {
                    for i in 0 ..< positions { start[i] = max(start[i], 0) * a + b }
                } else {
                    for i in 0 ..< positions { start[i] = start[i] * a + b }
                }
            }
        }
        return Tensor(shape: input.shape, scalars: scalars)
    }
}
