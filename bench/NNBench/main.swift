import ArgumentParser
import Foundation
import GenreKit

/// Times GenreNN on the networks of bench/nn.sh: one training epoch (forward, loss, backward, weight
/// penalties, Adam) over random patches, and one inference batch. bench/nn_torch.py times PyTorch on the
/// same models.
@main
struct NNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "genre-nn-bench",
        abstract: "Training and inference timings of GenreNN's networks on random log-mel patches.")

    @Option(help: "A GenreKit model kind (edge for edge-cnn, fcn5, crnn, temporal-cnn, cnn-lstm, mobilenet-v2) on 3 s patches of its input set, or choi (5 convolution blocks, 96 x 256 patches).")
    var model: BenchModel = .edge

    @Option(help: "float32, bfloat16 or automatic.")
    var precision: Precision = .float32

    @Option(help: "Random patches per epoch.")
    var patches = 512

    @Option(help: "Patches per training and inference batch.")
    var batch = 32

    @Option(help: "Timed training epochs (after one untimed warm-up step).")
    var epochs = 2

    @Option(help: "Timed inference batches.")
    var inferenceBatches = 8

    @Flag(help: "Only print the instruction set oneDNN uses and whether it runs bfloat16 natively.")
    var describePrecision = false

    func validate() throws {
        guard patches >= batch, batch > 0, epochs > 0, inferenceBatches > 0 else {
            throw ValidationError("patches must be at least batch, and batch, epochs and inference batches positive")
        }
    }

    func run() throws {
        if describePrecision {
            print("isa=\(Precision.instructionSet) bfloat16_native=\(Precision.bfloat16IsNative)")
            return
        }
        Heap.keepFreedMemory()  // as `genre` does, for the activations of each batch
        // Seeded: the system generator makes a system call per number.
        var generator = SeededGenerator(seed: 2024)
        let network = try model.network(precision: precision, generator: &generator)
        let shape = [batch] + model.patchShape
        let batches = (0 ..< patches / batch).map { _ in
            Tensor(shape: shape, scalars: (0 ..< shape.reduce(1, *)).map { _ in Float.random(in: -1 ... 1, using: &generator) })
        }
        let labels = batches.map { _ in (0 ..< batch).map { _ in Int.random(in: 0 ..< 10, using: &generator) } }
        let trainer = Trainer(model: network, optimizer: try Adam(), batchSize: batch, seed: 0)
        func step(_ index: Int) throws { try trainer.step(batches[index], labels: labels[index]) }
        try step(0)  // builds the primitives
        let clock = ContinuousClock()
        let epochTimes = try (0 ..< epochs).map { _ in try clock.measure { for index in batches.indices { try step(index) } } }
        _ = try network.forward(batches[0], training: false)
        let batchTimes = try (0 ..< inferenceBatches).map { index in
            try clock.measure { _ = try network.forward(batches[index % batches.count], training: false) }
        }
        let epochSeconds = epochTimes.map(\.seconds).reduce(0, +) / Double(epochs)
        let batchSeconds = batchTimes.map(\.seconds).reduce(0, +) / Double(inferenceBatches)
        print("model=\(model) precision=\(precision.resolved) patches=\(batches.count * batch) batch=\(batch)",
              "parameters=\(network.parameters.map(\.value.count).reduce(0, +))",
              String(format: "epoch_seconds=%.4f batch_seconds=%.5f", epochSeconds, batchSeconds))
    }
}

enum BenchModel: String, ExpressibleByArgument, CaseIterable, CustomStringConvertible {
    case edge, choi, fcn5, crnn
    case temporalCNN = "temporal-cnn", cnnLSTM = "cnn-lstm", mobileNetV2 = "mobilenet-v2"

    var description: String { rawValue }

    /// The GenreKit model kind, built as `genre train --model` builds it; nil for choi, the bench's own CNN.
    var architecture: NetworkArchitecture? {
        switch self {
        case .edge: .edgeCNN
        case .choi: nil
        case .fcn5: .fcn5
        case .crnn: .crnn
        case .temporalCNN: .temporalCNN
        case .cnnLSTM: .cnnLSTM
        case .mobileNetV2: .mobileNetV2
        }
    }

    /// One patch as the network takes it: 3 s of the kind's input set (logmel96: 96 bands x 141 frames,
    /// logmel128: 128 x 130), [1, bands, frames], or [bands, frames] for the 1-D convolutions; choi's
    /// is 256 frames of 96 bands.
    var patchShape: [Int] {
        guard let architecture, let patch = architecture.inputSet else { return [1, 96, 256] }
        return architecture.inputShape(columns: patch.bands * patch.frames)
    }

    func network(precision: Precision, generator: inout some RandomNumberGenerator) throws -> Sequential {
        guard let architecture else { return try Self.choi(precision: precision, generator: &generator) }
        // The kind's defaults: dropout rate and, for mobilenet-v2, the width multiplier 0.35.
        return try architecture.build(columns: patchShape.reduce(1, *), classCount: 10, seed: generator.next(),
                                      precision: precision)
    }

    /// Five blocks of 3x3 conv (same padding) -> batch norm -> relu -> maxpool, as Choi et al.'s FCN-5 with
    /// pools scaled to 256 frames; dense 10.
    private static func choi(precision: Precision, generator: inout some RandomNumberGenerator) throws -> Sequential {
        let blocks: [(channels: Int, filters: Int, pool: (height: PoolingKernel, width: PoolingKernel))] = [
            (1, 32, (2, 2)), (32, 64, (2, 2)), (64, 128, (2, 2)), (128, 128, (2, 4)), (128, 64, (3, 4)),
        ]
        var layers: [any Layer] = []
        for block in blocks {
            layers += [try Conv2D(channels: block.channels, filters: block.filters, kernel: (3, 3),
                                  padding: (1, 1, 1, 1), precision: precision, generator: &generator),
                       try BatchNorm(channels: block.filters), try ReLU(), try MaxPool2D(kernel: block.pool)]
        }
        return Sequential(layers + [Flatten(), try Dense(inputs: 64 * 2 * 2, outputs: 10, precision: precision,
                                                         generator: &generator)])
    }
}

extension Precision: @retroactive ExpressibleByArgument {}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
