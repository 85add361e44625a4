import GenreNN
import GenreSupport

/// Makes a network's layers in order: every weight drawn from one generator seeded with the
/// network's seed, and each dropout layer seeded with seed + 1, seed + 2, ... in the order made.
struct NetworkBuilder {
    private var generator: SeededGenerator
    private let seed: UInt64
    private let precision: Precision
    private var dropouts: UInt64 = 0

    init(seed: UInt64, precision: Precision) {
        generator = SeededGenerator(seed: seed)
        self.seed = seed
        self.precision = precision
    }

    mutating func dense(_ inputs: Int, _ outputs: Int) throws -> Dense {
        try Dense(inputs: inputs, outputs: outputs, precision: precision, generator: &generator)
    }

    /// `padding` on every side; 1 with a 3 x 3 kernel keeps the size ('same').
    mutating func conv2D(_ channels: Int, _ filters: Int, kernel: (Int, Int), padding: Int = 0) throws -> Conv2D {
        try Conv2D(channels: channels, filters: filters, kernel: kernel, padding: (padding, padding, padding, padding),
                   precision: precision, generator: &generator)
    }

    mutating func conv1D(_ channels: Int, _ filters: Int, kernel: Int) throws -> Conv1D {
        try Conv1D(channels: channels, filters: filters, kernel: kernel, precision: precision, generator: &generator)
    }

    mutating func lstm(_ inputs: Int, _ hidden: Int) throws -> LSTM { try LSTM(inputSize: inputs, hiddenSize: hidden, generator: &generator) }

    mutating func gru(_ inputs: Int, _ hidden: Int) throws -> GRU { try GRU(inputSize: inputs, hiddenSize: hidden, generator: &generator) }

    /// A dropout layer, or none at rate 0 (which would only cost a mask per value).
    mutating func dropout(_ rate: Float) throws -> [any Layer] {
        guard rate > 0 else { return [] }
        dropouts += 1
        return [try Dropout(rate: rate, seed: seed &+ dropouts)]
    }

    /// One block of the papers' CNNs: the convolution, batch norm over its `filters`, the activation,
    /// then max pooling and dropout where given.
    mutating func block(_ convolution: WeightedLayer, filters: Int, activation: Activation, pool: Pooling?,
                        dropout rate: Float = 0) throws -> [any Layer] {
        [convolution, try BatchNorm(channels: filters), activation] + [pool].compactMap { $0 } + (try dropout(rate))
    }

    /// The width of the mobile networks' last convolution, kept whatever the width multiplier.
    static let mobileHeadWidth = 1280

    /// MobileNetV2 (see `NetworkArchitecture.mobileNetV2`) on an image of `size` (bands, frames).
    mutating func mobileNetV2(size: (Int, Int), width: Float) throws -> [any Layer] {
        let blocks: [MobileStage] = [(1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 32, 3, 2, 3), (6, 64, 4, 2, 3),
                                     (6, 96, 3, 1, 3), (6, 160, 3, 2, 3), (6, 320, 1, 1, 3)]
        return try mobileNetwork(size: size, width: width, stages: blocks, squeezeRatio: nil, activation: ReLU6.init)
    }

    /// EfficientNet-B0 (see `NetworkArchitecture.efficientNetB0`) on an image of `size` (bands, frames).
    mutating func efficientNetB0(size: (Int, Int), width: Float) throws -> [any Layer] {
        let blocks: [MobileStage] = [(1, 16, 1, 1, 3), (6, 24, 2, 2, 3), (6, 40, 2, 2, 5), (6, 80, 3, 2, 3),
                                     (6, 112, 3, 1, 5), (6, 192, 4, 2, 5), (6, 320, 1, 1, 3)]
        return try mobileNetwork(size: size, width: width, stages: blocks, squeezeRatio: 0.25, activation: Swish.init)
    }

    /// Stages of inverted residual blocks: each block `repeats` times, the stride on the first.
    typealias MobileStage = (expansion: Int, filters: Int, repeats: Int, stride: Int, kernel: Int)

    /// The stem (dB to [-1, 1], a 3 x 3 convolution of stride 2 to 32 filters), the stages, and the
    /// head (1 x 1 to `mobileHeadWidth`, global average pooling), with batch norm (epsilon 1e-3, as
    /// TensorFlow's) and the activation after each convolution but the projections. `squeezeRatio`
    /// sizes squeeze-and-excitation from each block's input channels (nil for none).
    private mutating func mobileNetwork(size: (Int, Int), width: Float, stages: [MobileStage], squeezeRatio: Float?,
                                        activation: InvertedResidual.ActivationFactory) throws -> [any Layer] {
        let epsilon: Float = 1e-3
        var channels = Self.scaled(32, by: width)
        let vertical = samePadding(size: size.0, kernel: 3, stride: 2), horizontal = samePadding(size: size.1, kernel: 3, stride: 2)
        var layers: [any Layer] = [
            try DecibelImage(),
            try Conv2D(channels: 1, filters: channels, kernel: (3, 3), stride: (2, 2),
                       padding: (vertical.before, vertical.after, horizontal.before, horizontal.after),
                       precision: precision, generator: &generator),
            try BatchNorm(channels: channels, epsilon: epsilon), try activation(),
        ]
        var spatial = (height: (size.0 + 1) / 2, width: (size.1 + 1) / 2)
        for stage in stages {
            let filters = Self.scaled(stage.filters, by: width)
            for index in 0 ..< stage.repeats {
                let block = try InvertedResidual(
                    channels: channels, filters: filters, expansion: stage.expansion, kernel: stage.kernel,
                    stride: index == 0 ? stage.stride : 1, size: spatial,
                    squeezed: squeezeRatio.map { max(1, Int(Float(channels) * $0)) }, epsilon: epsilon,
                    activation: activation, precision: precision, generator: &generator)
                layers.append(block)
                channels = filters
                spatial = block.outputShape
            }
        }
        return layers + [try conv2D(channels, Self.mobileHeadWidth, kernel: (1, 1)),
                         try BatchNorm(channels: Self.mobileHeadWidth, epsilon: epsilon), try activation(),
                         try GlobalAveragePooling()]
    }

    /// `filters` times the width multiplier, to a multiple of 8 (at least 8) no more than 10% below
    /// it: slim's and Keras' `_make_divisible`.
    static func scaled(_ filters: Int, by width: Float) -> Int {
        let exact = Float(filters) * width
        let rounded = max(8, Int(exact + 4) / 8 * 8)
        return Float(rounded) < 0.9 * exact ? rounded + 8 : rounded
    }
}
