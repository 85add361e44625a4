import GenreML
import GenreNN

/// The networks `genre train --model` knows, built for rows of a feature set.
public enum NetworkArchitecture: String, Codable, Sendable, CaseIterable {
    /// Two hidden layers (256, 128) with ReLU and dropout 0.3: for short feature vectors (gtzan57).
    case mlp
    /// The small CNN of an edge-device genre classifier, on 128-band log-mel patches (logmel128):
    /// three convolutions (32, 32, 64 filters of 2 x 6), each followed by batch norm, ReLU and 2 x 2
    /// max pooling; then 512 dense units with L1/L2 penalties, dropout 0.5 and the classes.
    case edgeCNN = "edge-cnn"

    var kind: ModelKind {
        switch self {
        case .mlp: .mlp
        case .edgeCNN: .edgeCNN
        }
    }

    var defaultEpochs: Int {
        switch self {
        case .mlp: 100
        case .edgeCNN: 20
        }
    }

    /// The width of the last hidden layer, which the output layer takes.
    var lastHiddenWidth: Int {
        switch self {
        case .mlp: 128
        case .edgeCNN: 512
        }
    }

    /// Mel bands the convolutional architectures expect in their rows (band-major, as `LogMelPatch` writes them).
    public static let bands = 128

    /// The shape of one example (a row of `columns` features) as the network takes it.
    public func inputShape(columns: Int) -> [Int] {
        switch self {
        case .mlp: [columns]
        case .edgeCNN: [1, Self.bands, columns / Self.bands]
        }
    }

    /// The untrained network for rows of `columns` features and `classCount` classes, its weights and
    /// dropout masks drawn from `seed`; `precision` is that of its convolutions and dense layers.
    public func build(columns: Int, classCount: Int, seed: UInt64, precision: Precision = .float32) throws -> Sequential {
        var generator = SeededGenerator(seed: seed)
        switch self {
        case .mlp:
            return Sequential([
                try Dense(inputs: columns, outputs: 256, precision: precision, generator: &generator), try ReLU(),
                try Dropout(rate: 0.3, seed: seed &+ 1),
                try Dense(inputs: 256, outputs: lastHiddenWidth, precision: precision, generator: &generator), try ReLU(),
                try Dropout(rate: 0.3, seed: seed &+ 2),
                try Dense(inputs: lastHiddenWidth, outputs: classCount, precision: precision, generator: &generator),
            ])
        case .edgeCNN:
            guard columns % Self.bands == 0, columns / Self.bands >= 40 else {
                throw ModelError.invalidParameter(
                    "edge-cnn takes log-mel patches of \(Self.bands) bands (--set logmel128), not rows of \(columns) features")
            }
            var height = Self.bands, width = columns / Self.bands, channels = 1
            var layers: [any Layer] = []
            for filters in [32, 32, 64] {
                layers += [
                    try Conv2D(channels: channels, filters: filters, kernel: (2, 6), precision: precision,
                               generator: &generator),
                    try BatchNorm(channels: filters), try ReLU(), try MaxPool2D(kernel: (2, 2)),
                ]
                (height, width, channels) = ((height - 1) / 2, (width - 5) / 2, filters)
            }
            let hidden = try Dense(inputs: channels * height * width, outputs: lastHiddenWidth, precision: precision,
                                   generator: &generator)
            hidden.weight.penalty = try Penalty(l1: 1e-5, l2: 1e-4)
            return Sequential(layers + [
                Flatten(), hidden, try ReLU(), try Dropout(rate: 0.5, seed: seed &+ 1),
                try Dense(inputs: lastHiddenWidth, outputs: classCount, precision: precision, generator: &generator),
            ])
        }
    }
}
