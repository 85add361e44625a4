import GenreML
import GenreNN
import GenrePretrained

/// The networks `genre train --model` knows, built for rows of a feature set. The convolutional ones
/// take log-mel patches, rows written band by band as `LogMelPatch` writes them. The seed papers'
/// networks are kept small (their filters are documented with each case and in docs/models.md), so
/// that a few epochs on the GTZAN pack take minutes on a 2-core CPU.
public enum NetworkArchitecture: String, Codable, Sendable, CaseIterable {
    /// Two hidden layers (256, 128) with ReLU and dropout 0.3: for short feature vectors (gtzan57).
    case mlp
    /// The small CNN of an edge-device genre classifier, on 128-band log-mel patches (logmel128):
    /// three convolutions (32, 32, 64 filters of 2 x 6), each followed by batch norm, ReLU and 2 x 2
    /// max pooling; then 512 dense units with L1/L2 penalties, dropout 0.5 and the classes.
    case edgeCNN = "edge-cnn"
    /// Choi, Fazekas & Sandler 2016's fully convolutional network (FCN-5) on 96 x 141 log-mel patches
    /// (logmel96): five blocks of a 3 x 3 convolution ('same' padding; 8, 16, 32, 64, 128 filters),
    /// batch norm, ELU and max pooling (2 x 2, 2 x 2, 2 x 2, 3 x 3, 4 x 4, which leaves 1 x 1 of a 3 s
    /// patch; the maximum over what is left of a longer one), then the classes. No dropout by default
    /// (the paper's baseline); a dropout rate puts dropout after every block (the dropout variant).
    case fcn5
    /// Choi, Fazekas, Sandler & Cho 2017's convolutional recurrent network on logmel96: four blocks
    /// of a 3 x 3 convolution (8, 16, 32, 64 filters), batch norm, ELU, max pooling (2 x 2, 3 x 2,
    /// 4 x 2, 4 x 2: the 96 bands to 1, 141 frames to 8 steps) and dropout 0.1; then two GRU layers
    /// of 32 units over the steps, the last step, and the classes.
    case crnn
    /// 1-D convolutions over time with the 96 mel bands of logmel96 as channels (after Dieleman &
    /// Schrauwen 2014): kernel 4 with 64, 64 and 128 filters, each with batch norm and ReLU, max
    /// pooling 4 and 2 after the first two; the global temporal mean and maximum concatenated (256
    /// values); 128 dense units, ReLU, dropout 0.5, and the classes.
    case temporalCNN = "temporal-cnn"
    /// A CNN-LSTM on logmel96: two blocks of a 1-D convolution over time (kernel 3, 64 filters), batch
    /// norm, ReLU and max pooling 2, dropout 0.2; an LSTM of 64 units whose every step gives a class
    /// distribution (one dense layer and a softmax per step); the distributions combined by
    /// `TimeWeightedAverage`, later steps weighing more. Its output is the log of that average, which
    /// the softmax of training and scoring turns back into it.
    case cnnLSTM = "cnn-lstm"
    /// Sandler et al. 2018's MobileNetV2 (as TF-slim's `mobilenet_v2.py`) on logmel128 seen as an image:
    /// a 3 x 3 convolution with stride 2 (32 filters), 17 inverted residual blocks (expansion 1 then 6;
    /// 16, 24 x 2, 32 x 3, 64 x 4, 96 x 3, 160 x 3, 320 filters; stride 2 at the first of 24, 32, 64 and
    /// 160), a 1 x 1 convolution to 1280, each with batch norm and ReLU6 (none after a projection);
    /// global average pooling, dropout 0.2 and the classes. Filters are scaled by the width multiplier
    /// (to multiples of 8, at least 8), the last 1280 kept, as Keras' MobileNetV2 does below 1.
    case mobileNetV2 = "mobilenet-v2"
    /// Tan & Le 2019's EfficientNet-B0 on logmel96: a 3 x 3 convolution with stride 2 (32 filters),
    /// 16 MBConv blocks (inverted residuals with squeeze-and-excitation to a quarter of the block's
    /// input and swish; expansion 1 then 6; 16, 24 x 2, 40 x 2, 80 x 3, 112 x 3, 192 x 4, 320 filters;
    /// kernels 3, 3, 5, 3, 5, 5, 3; stride 2 at the first of 24, 40, 80 and 192), a 1 x 1 convolution
    /// to 1280, batch norm and swish throughout; global average pooling, dropout 0.2 and the classes.
    /// Filters scale with the width multiplier as for `mobilenet-v2`. Trained from scratch.
    case efficientNetB0 = "efficientnet-b0"

    var kind: ModelKind {
        switch self {
        case .mlp: .mlp
        case .edgeCNN: .edgeCNN
        case .fcn5: .fcn5
        case .crnn: .crnn
        case .temporalCNN: .temporalCNN
        case .cnnLSTM: .cnnLSTM
        case .mobileNetV2: .mobileNetV2
        case .efficientNetB0: .efficientNetB0
        }
    }

    /// How the network trains when no setting is chosen: Adam at 1e-3 in batches of 32, a tenth of
    /// the training rows held out for validation.
    public var defaultTraining: TrainingSettings {
        switch self {
        case .mlp: TrainingSettings(epochs: 100, patience: 10)
        case .edgeCNN: TrainingSettings(epochs: 20, patience: 5)
        // Ten epochs of 3 s windows (some 1,700 windows of the pack's training list) take minutes on 2 cores.
        case .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0: TrainingSettings(epochs: 10, patience: 3)
        }
    }

    /// The rate of the network's dropout layers when none is chosen (see each case for where they are).
    public var defaultDropout: Float {
        switch self {
        case .mlp: 0.3
        case .edgeCNN, .temporalCNN: 0.5
        case .fcn5: 0
        case .crnn: 0.1
        case .cnnLSTM, .mobileNetV2, .efficientNetB0: 0.2
        }
    }

    /// The width of the last hidden layer, which the output layer takes.
    var lastHiddenWidth: Int {
        switch self {
        case .mlp, .fcn5, .temporalCNN: 128
        case .edgeCNN: 512
        case .crnn: 32
        case .cnnLSTM: 64
        case .mobileNetV2, .efficientNetB0: NetworkBuilder.mobileHeadWidth
        }
    }

    /// The log-mel patches the network takes (`--set`); nil for `mlp`, which takes any feature rows.
    public var inputSet: LogMelPatch? {
        switch self {
        case .mlp: nil
        case .edgeCNN, .mobileNetV2: .logmel128
        case .fcn5, .crnn, .temporalCNN, .cnnLSTM, .efficientNetB0: .logmel96
        }
    }

    /// The fewest frames a patch needs to last through the network's convolutions and pooling.
    private var minimumFrames: Int {
        switch self {
        case .mlp: 1
        case .edgeCNN: 40
        case .fcn5: 96
        case .crnn: 16
        case .temporalCNN: 47
        case .cnnLSTM: 10
        // Five stride-2 stages leave at least one column of any patch.
        case .mobileNetV2, .efficientNetB0: 1
        }
    }

    /// The shape of one example (a row of `columns` features) as the network takes it: an image
    /// [1, bands, frames] for 2-D convolutions, [bands, frames] (bands as channels) for 1-D ones.
    public func inputShape(columns: Int) -> [Int] {
        guard let bands = inputSet?.bands else { return [columns] }
        switch self {
        case .temporalCNN, .cnnLSTM: return [bands, columns / bands]
        default: return [1, bands, columns / bands]
        }
    }

    /// Whether the network has a width multiplier (`--width-multiplier`).
    public var isWidthScaled: Bool { self == .mobileNetV2 || self == .efficientNetB0 }

    /// The width multiplier of the scaled networks when none is chosen: 0.35, the smallest published
    /// MobileNetV2, keeps ten epochs on the pack within minutes on 2 cores.
    public static let defaultWidthMultiplier: Float = 0.35

    /// The units `--frozen-blocks` counts in `mobilenet-v2` from ImageNet, from the input: the stem
    /// convolution, the 17 inverted residual blocks and the last 1 x 1 convolution.
    public static let imageNetBlocks = 19

    /// Puts the ImageNet weights into `network`, `mobilenet-v2` at width 1 as `build` makes it, and
    /// holds its first `frozenBlocks` units (`imageNetBlocks`) still; the classes' layer stays new.
    func startFromImageNet(_ network: Sequential, frozenBlocks: Int) throws {
        guard self == .mobileNetV2 else { throw ModelError.invalidParameter("\(rawValue) has no ImageNet weights; only mobilenet-v2 has") }
        guard (0 ... Self.imageNetBlocks).contains(frozenBlocks) else {
            throw ModelError.invalidParameter("--frozen-blocks counts mobilenet-v2's \(Self.imageNetBlocks) blocks from ImageNet: give 0 to \(Self.imageNetBlocks), not \(frozenBlocks)")
        }
        try ImageNetMobileNetV2.load(into: network.layers)
        var units = 0
        for layer in network.layers.prefix(while: { !($0 is GlobalAveragePooling) }) {
            if layer is Conv2D || layer is InvertedResidual { units += 1 }
            guard units <= frozenBlocks, units > 0 else { continue }
            for parameter in layer.parameters { parameter.learningRateScale = 0 }
        }
    }

    /// The untrained network for rows of `columns` features and `classCount` classes, its weights and
    /// dropout masks drawn from `seed`; `dropout` replaces `defaultDropout` (0 leaves the layers out);
    /// `widthMultiplier` replaces `defaultWidthMultiplier` for the networks that have one (and is an
    /// error for the others); `precision` is that of its convolutions and dense layers.
    public func build(columns: Int, classCount: Int, seed: UInt64, dropout: Float? = nil, widthMultiplier: Float? = nil,
                      precision: Precision = .float32) throws -> Sequential {
        guard widthMultiplier == nil || isWidthScaled else {
            throw ModelError.invalidParameter("\(rawValue) has no width multiplier")
        }
        let width = widthMultiplier ?? Self.defaultWidthMultiplier
        guard width > 0, width <= 1 else {
            throw ModelError.invalidParameter("the width multiplier must lie in (0, 1], got \(width)")
        }
        if let patch = inputSet {
            guard columns % patch.bands == 0, columns / patch.bands >= minimumFrames else {
                throw ModelError.invalidParameter("\(rawValue) takes log-mel patches of \(patch.bands) bands and at least "
                    + "\(minimumFrames) frames (--set \(patch.name)), not rows of \(columns) features")
            }
        }
        let rate = dropout ?? defaultDropout
        guard rate >= 0, rate < 1 else { throw ModelError.invalidParameter("the dropout rate must lie in [0, 1), got \(rate)") }
        var builder = NetworkBuilder(seed: seed, precision: precision)
        let shape = inputShape(columns: columns)
        let hidden: [any Layer] = switch self {
        case .mlp: try mlp(columns: columns, dropout: rate, &builder)
        case .edgeCNN: try edgeCNN(bands: shape[1], frames: shape[2], dropout: rate, &builder)
        case .fcn5: try fcn5(dropout: rate, &builder)
        case .crnn: try crnn(dropout: rate, &builder)
        case .temporalCNN: try temporalCNN(bands: shape[0], dropout: rate, &builder)
        case .cnnLSTM: try cnnLSTM(bands: shape[0], dropout: rate, &builder)
        case .mobileNetV2:
            try builder.mobileNetV2(size: (shape[1], shape[2]), width: width) + (try builder.dropout(rate))
        case .efficientNetB0:
            try builder.efficientNetB0(size: (shape[1], shape[2]), width: width) + (try builder.dropout(rate))
        }
        let output = try builder.dense(lastHiddenWidth, classCount)
        return Sequential(self == .cnnLSTM
            ? hidden + [TimeDistributed(output), try Softmax(axis: -1), TimeWeightedAverage(), Logarithm()]
            : hidden + [output])
    }

    private func mlp(columns: Int, dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        [try builder.dense(columns, 256), try ReLU()] + (try builder.dropout(dropout))
            + [try builder.dense(256, lastHiddenWidth), try ReLU()] + (try builder.dropout(dropout))
    }

    private func edgeCNN(bands: Int, frames: Int, dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        var height = bands, width = frames, channels = 1
        var layers: [any Layer] = []
        for filters in [32, 32, 64] {
            layers += try builder.block(try builder.conv2D(channels, filters, kernel: (2, 6)), filters: filters,
                                        activation: try ReLU(), pool: try MaxPool2D(kernel: (2, 2)))
            (height, width, channels) = ((height - 1) / 2, (width - 5) / 2, filters)
        }
        let hidden = try builder.dense(channels * height * width, lastHiddenWidth)
        hidden.weight.penalty = try Penalty(l1: 1e-5, l2: 1e-4)
        return layers + [Flatten(), hidden, try ReLU()] + (try builder.dropout(dropout))
    }

    /// Blocks of a 3 x 3 'same' convolution, batch norm, ELU, max pooling and dropout, as Choi's
    /// networks have them, from a one-channel image.
    private func choiBlocks(_ blocks: [(filters: Int, pool: (Int, Int))], dropout: Float,
                            _ builder: inout NetworkBuilder) throws -> [any Layer] {
        var channels = 1
        var layers: [any Layer] = []
        for (filters, pool) in blocks {
            layers += try builder.block(try builder.conv2D(channels, filters, kernel: (3, 3), padding: 1), filters: filters,
                                        activation: try ELU(), pool: try MaxPool2D(kernel: (.size(pool.0), .size(pool.1))),
                                        dropout: dropout)
            channels = filters
        }
        return layers
    }

    private func fcn5(dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        try choiBlocks([(8, (2, 2)), (16, (2, 2)), (32, (2, 2)), (64, (3, 3)), (lastHiddenWidth, (4, 4))],
                       dropout: dropout, &builder) + [try GlobalMaxPooling()]
    }

    private func crnn(dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        let filters = 64
        // The pooling takes the 96 bands to 1, so the feature maps [filters, 1, steps] are a sequence.
        return try choiBlocks([(8, (2, 2)), (16, (3, 2)), (32, (4, 2)), (filters, (4, 2))], dropout: dropout, &builder)
            + [try Reshape([filters, -1]), ChannelsLast(), try builder.gru(filters, 32), try builder.gru(32, lastHiddenWidth),
               LastStep()]
    }

    /// Blocks of a 1-D convolution over time, batch norm, ReLU and max pooling (none where the pool is nil).
    private func temporalBlocks(_ blocks: [(filters: Int, kernel: Int, pool: Int?)], bands: Int,
                                _ builder: inout NetworkBuilder) throws -> [any Layer] {
        var channels = bands
        var layers: [any Layer] = []
        for (filters, kernel, pool) in blocks {
            layers += try builder.block(try builder.conv1D(channels, filters, kernel: kernel), filters: filters,
                                        activation: try ReLU(), pool: try pool.map { try MaxPool1D(kernel: .size($0)) })
            channels = filters
        }
        return layers
    }

    private func temporalCNN(bands: Int, dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        let top = 128
        return try temporalBlocks([(64, 4, 4), (64, 4, 2), (top, 4, nil)], bands: bands, &builder)
            + [try Concatenate([try GlobalAveragePooling(), try GlobalMaxPooling()], axis: 1),
               try builder.dense(2 * top, lastHiddenWidth), try ReLU()] + (try builder.dropout(dropout))
    }

    private func cnnLSTM(bands: Int, dropout: Float, _ builder: inout NetworkBuilder) throws -> [any Layer] {
        let filters = 64
        return try temporalBlocks([(filters, 3, 2), (filters, 3, 2)], bands: bands, &builder) + (try builder.dropout(dropout))
            + [ChannelsLast(), try builder.lstm(filters, lastHiddenWidth)]
    }
}
