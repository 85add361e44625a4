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
}
