// The blocks of the mobile image networks: MobileNetV2's inverted residuals (Sandler et al. 2018)
// and EfficientNet's MBConv, which adds squeeze-and-excitation (Hu et al. 2018; Tan & Le 2019).

/// Squeeze-and-excitation: each channel of [N, C, H, W] scaled by a gate in (0, 1) computed from the
/// channels' means, global average pooling, `Dense(C -> squeezed)`, the activation,
/// `Dense(squeezed -> C)` and a sigmoid (EfficientNet's 1 x 1 convolutions on the pooled values, as
/// dense layers). Its tensors are the gate's: "1.weight" and "3.weight", with their biases.
public final class SqueezeExcitation: Layer {
    public let gate: Sequential
    /// The gates of the last training forward pass, [N, C].
    private var record: ForwardRecord<Tensor>?

    public init(channels: Int, squeezed: Int, activation: Activation, generator: inout some RandomNumberGenerator) throws {
        gate = Sequential([try GlobalAveragePooling(), try Dense(inputs: channels, outputs: squeezed, generator: &generator),
                           activation, try Dense(inputs: squeezed, outputs: channels, generator: &generator), try Sigmoid()])
    }

    public var parameters: [Parameter] { gate.parameters }
    public var namedParameters: [(name: String, parameter: Parameter)] { gate.namedParameters }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count == 4 else {
            throw LayerError.badInput(layer: "SqueezeExcitation", shape: input.shape, expected: "[batch, channels, height, width]")
        }
        let gates = try gate.forward(input, training: training)
        record = training ? ForwardRecord(input: input, outputShape: input.shape, extra: gates) : nil
        return Self.scaled(input, by: gates)
    }

    /// y = x · g(x): dL/dx = dL/dy · g, plus the gate's backward of dL/dg = Σ over each map of dL/dy · x.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "SqueezeExcitation")
        let input = record.input, area = input.shape[2] * input.shape[3]
        var gateGradient = [Float](repeating: 0, count: record.extra.count)
        for map in gateGradient.indices {
            var sum: Float = 0
            for index in map * area ..< (map + 1) * area { sum += outputGradient.scalars[index] * input.scalars[index] }
            gateGradient[map] = sum
        }
        let throughGate = try gate.backward(Tensor(shape: record.extra.shape, scalars: gateGradient))
        let direct = Self.scaled(outputGradient, by: record.extra)
        return Tensor(shape: input.shape, scalars: zip(direct.scalars, throughGate.scalars).map(+))
    }

    /// Each map [n, c] of `x` times `gates[n, c]`.
    private static func scaled(_ x: Tensor, by gates: Tensor) -> Tensor {
        let area = x.shape[2] * x.shape[3]
        var scalars = x.scalars
        for map in 0 ..< gates.count {
            for index in map * area ..< (map + 1) * area { scalars[index] *= gates.scalars[map] }
        }
        return Tensor(shape: x.shape, scalars: scalars)
    }
}

/// TensorFlow's 'same' padding of one axis: the output is ceil(size / stride), and the padding that
/// takes is split with the odd one after (for stride 2 on an even size: none before, one after).
/// MobileNetV2's and EfficientNet's weights were trained with it.
public func samePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, after: Int) {
    let output = (size + stride - 1) / stride
    let total = max((output - 1) * stride + kernel - size, 0)
    return (total / 2, total - total / 2)
}

/// An inverted residual block (MobileNetV2's bottleneck, EfficientNet's MBConv) on [N, channels, H, W]:
/// a 1 x 1 convolution expanding to `channels · expansion` (none when the expansion is 1), batch norm
/// and the activation; a depthwise `kernel` x `kernel` convolution with `stride` ('same' padding as
/// TensorFlow's), batch norm and the activation; squeeze-and-excitation where given; a linear 1 x 1
/// projection to `filters` and batch norm. When the stride is 1 and `filters` = `channels` the input is
/// added (the residual). Convolutions keep their bias (zero when weights come from a network without).
public final class InvertedResidual: Layer {
    /// What the block's activation is, made anew for each place it is used.
    public typealias ActivationFactory = () throws -> Activation

    public let body: Sequential
    /// The body, or the body with the input added.
    private let block: any Layer
    public let outputShape: (height: Int, width: Int)

    /// `size` is the input's (height, width), which the 'same' padding depends on; `squeezed` the
    /// squeeze-and-excitation width (nil for none); `epsilon` the batch norms'; `precision` the convolutions'.
    public init(channels: Int, filters: Int, expansion: Int, kernel: Int, stride: Int, size: (height: Int, width: Int),
                squeezed: Int? = nil, epsilon: Float = 1e-3, activation: ActivationFactory, precision: Precision = .float32,
                generator: inout some RandomNumberGenerator) throws {
        guard expansion > 0, kernel > 0, stride > 0, size.height > 0, size.width > 0 else {
            throw LayerError.badSetting(layer: "InvertedResidual", reason:
                "expansion, kernel, stride and size must be positive, got \(expansion), \(kernel), \(stride) and \(size)")
        }
        let expanded = channels * expansion
        var layers: [any Layer] = []
        if expansion != 1 {
            layers += [try Conv2D(channels: channels, filters: expanded, kernel: (1, 1), precision: precision, generator: &generator),
                       try BatchNorm(channels: expanded, epsilon: epsilon), try activation()]
        }
        let vertical = samePadding(size: size.height, kernel: kernel, stride: stride)
        let horizontal = samePadding(size: size.width, kernel: kernel, stride: stride)
        layers += [try Conv2D(channels: expanded, filters: expanded, kernel: (kernel, kernel), stride: (stride, stride),
                              padding: (vertical.before, vertical.after, horizontal.before, horizontal.after),
                              groups: expanded, precision: precision, generator: &generator),
                   try BatchNorm(channels: expanded, epsilon: epsilon), try activation()]
        if let squeezed {
            layers.append(try SqueezeExcitation(channels: expanded, squeezed: squeezed, activation: try activation(),
                                                generator: &generator))
        }
        layers += [try Conv2D(channels: expanded, filters: filters, kernel: (1, 1), precision: precision, generator: &generator),
                   try BatchNorm(channels: filters, epsilon: epsilon)]
        body = Sequential(layers)
        block = stride == 1 && channels == filters ? try Residual(body) : body
        outputShape = ((size.height + stride - 1) / stride, (size.width + stride - 1) / stride)
    }

    /// Whether the input is added to the body's output.
    public var hasResidual: Bool { block is Residual }

    public var parameters: [Parameter] { body.parameters }
    public var buffers: [Parameter] { body.buffers }
    public var namedParameters: [(name: String, parameter: Parameter)] { body.namedParameters }
    public var namedBuffers: [(name: String, parameter: Parameter)] { body.namedBuffers }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor { try block.forward(input, training: training) }
    public func backward(_ outputGradient: Tensor) throws -> Tensor { try block.backward(outputGradient) }
}

/// Log-mel decibels as an image network takes its pixels: each example's values measured from its
/// own peak and mapped from [peak - range, peak] onto [-1, 1] (what lies lower, below -1), as
/// MobileNet's ImageNet input is scaled. With `librosa.power_to_db(top_db=80)` input and the default
/// range of 80 dB, nothing lies lower. The backward pass holds each peak fixed.
public final class DecibelImage: Layer {
    public let range: Float
    private var record: ForwardRecord<Void>?

    public init(range: Float = 80) throws {
        guard range > 0, range.isFinite else {
            throw LayerError.badSetting(layer: "DecibelImage", reason: "the range must be a positive number of decibels, got \(range)")
        }
        self.range = range
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count >= 2, input.shape[0] > 0 else {
            throw LayerError.badInput(layer: "DecibelImage", shape: input.shape, expected: "[batch, ...]")
        }
        let size = input.count / input.shape[0]
        var scalars = input.scalars
        for start in stride(from: 0, to: scalars.count, by: size) {
            let example = start ..< start + size
            let peak = scalars[example].max() ?? 0
            for index in example { scalars[index] = (scalars[index] - peak) * 2 / range + 1 }
        }
        record = training ? ForwardRecord(input: input, outputShape: input.shape, extra: ()) : nil
        return Tensor(shape: input.shape, scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        _ = try ForwardRecord.checked(record, gradient: outputGradient, layer: "DecibelImage")
        return Tensor(shape: outputGradient.shape, scalars: outputGradient.scalars.map { $0 * 2 / range })
    }
}
