import Foundation
import GenreKit
import GenreNN
import GenrePretrained
import Testing
import TestSupport

/// mobilenet-v2 and efficientnet-b0: their structure against the papers' (by Keras' parameter counts),
/// their shapes at a few widths on their inputs, a bundle round trip and the settings they refuse.
@Suite struct MobileNetworkTests {
    static let kinds: [NetworkArchitecture] = [.mobileNetV2, .efficientNetB0]

    static func columns(_ kind: NetworkArchitecture) throws -> Int { try #require(kind.inputSet).columns.count }

    static func blocks(_ network: Sequential) -> [InvertedResidual] { network.layers.compactMap { $0 as? InvertedResidual } }

    /// At width 1 with 1000 classes, the networks are Keras' `MobileNetV2` (3,538,984 weights and
    /// statistics) and `EfficientNetB0` (5,330,571, 7 of them its input normalisation's), but for a
    /// one-channel stem (2 · 9 · 32 weights fewer) and a bias on every convolution (Keras has none):
    /// 17,056 and 21,008 of them, the sum of the convolutions' filters in the papers' tables.
    @Test func atWidthOneTheyAreThePapersNetworks() throws {
        let expected: [NetworkArchitecture: Int] = [.mobileNetV2: 3_538_984 - 576 + 17_056, .efficientNetB0: 5_330_571 - 7 - 576 + 21_008]
        for kind in Self.kinds {
            let network = try kind.build(columns: try Self.columns(kind), classCount: 1000, seed: 0, widthMultiplier: 1)
            let count = (network.parameters + network.buffers).map(\.value.count).reduce(0, +)
            #expect(count == expected[kind], "\(kind)")
        }
    }

    /// Blocks, residuals and squeeze-and-excitation as the papers have them; the output is the
    /// classes' logits at every width, and the filters scale to multiples of 8.
    @Test(arguments: kinds, [0.35, 0.5, 1] as [Float]) func shapes(kind: NetworkArchitecture, width: Float) throws {
        let columns = try Self.columns(kind)
        let network = try kind.build(columns: columns, classCount: 10, seed: 1, widthMultiplier: width)
        let blocks = Self.blocks(network)
        #expect(blocks.count == (kind == .mobileNetV2 ? 17 : 16))
        #expect(blocks.filter(\.hasResidual).count == (kind == .mobileNetV2 ? 10 : 9))
        let squeezes = blocks.filter { $0.body.layers.contains { $0 is SqueezeExcitation } }.count
        #expect(squeezes == (kind == .efficientNetB0 ? 16 : 0))
        let convolutions = network.parameters.filter { $0.name == "weight" && $0.value.shape.count == 4 }
        #expect(convolutions.allSatisfy { $0.value.shape[0] % 8 == 0 })
        let output = try network.forward(Tensor(shape: [2] + kind.inputShape(columns: columns),
                                                scalars: (0 ..< 2 * columns).map { Float($0 % 97) - 80 }), training: false)
        #expect(output.shape == [2, 10] && output.scalars.allSatisfy(\.isFinite))
    }

    /// Slim's rounding at width 0.35: the stem's 32 filters to 16 (11.2 rounds to 8, more than 10%
    /// below), the last block's 320 to 112; the head keeps 1280.
    @Test func widthScaling() throws {
        let network = try NetworkArchitecture.mobileNetV2.build(columns: try Self.columns(.mobileNetV2), classCount: 3, seed: 0,
                                                               widthMultiplier: 0.35)
        let stem = try #require(network.layers.compactMap { $0 as? Conv2D }.first)
        let last = try #require(Self.blocks(network).last?.body.layers.compactMap { $0 as? Conv2D }.last)
        let head = try #require(network.layers.compactMap { $0 as? Conv2D }.last)
        #expect(stem.weight.value.shape == [16, 1, 3, 3] && last.weight.value.shape[0] == 112 && head.weight.value.shape == [1280, 112, 1, 1])
    }

    @Test func eachTakesItsOwnInputAndItsOwnScaling() throws {
        #expect(ModelKind.mobileNetV2.inputSet == "logmel128" && ModelKind.efficientNetB0.inputSet == "logmel96")
        #expect(ModelKind.mobileNetV2.defaultSegmentSeconds == 3)
        // The network scales decibels itself, so the pipeline keeps them as they are.
        let network = try NetworkArchitecture.mobileNetV2.build(columns: try Self.columns(.mobileNetV2), classCount: 3, seed: 0)
        #expect(network.layers.first is DecibelImage)
        var pipeline = ModelPipeline(ModelChoice(.efficientNetB0), classCount: 3)
        let rows = NeuralClassifierTests.blobs(rows: 6, seed: 4)
        let error = #expect(throws: ModelError.self) { try pipeline.fit(rows.x, labels: rows.labels) }
        #expect(error.map { "\($0)" }?.contains("--set logmel96") == true, "\(String(describing: error))")
    }

    @Test func badWidthsAreRefused() throws {
        for (kind, width) in [(NetworkArchitecture.mobileNetV2, Float(0)), (.efficientNetB0, 1.5), (.fcn5, 0.5)] {
            #expect(throws: ModelError.self) {
                try kind.build(columns: try Self.columns(kind), classCount: 3, seed: 0, widthMultiplier: width)
            }
        }
    }

    /// Trained briefly on synthetic logmel128 patches, saved and loaded: the same probabilities, and
    /// the width multiplier (which decides the network's shape) kept.
    @Test func answersTheSameFromItsBundle() throws {
        let patch = LogMelPatch.logmel128
        var mix = SplitMix(seed: 12)
        let labels = (0 ..< 6).map { $0 % 2 }
        let values = labels.flatMap { label in
            (0 ..< patch.columns.count).map { index -> Float in
                ((index / patch.frames) / 64 == label ? -20 : -60) + 5 * Float(mix.nextUnit())
            }
        }
        let x = RowMatrix(rows: labels.count, columns: patch.columns.count, values: values)
        var pipeline = ModelPipeline(ModelChoice(.mobileNetV2, widthMultiplier: 0.25), classCount: 2, seed: 5)
        try pipeline.fit(x, labels: labels)
        let probabilities = try pipeline.probabilities(x)
        #expect(probabilities.values.allSatisfy { $0.isFinite && $0 >= 0 })

        let folder = try TemporaryFolder()
        let bundle = ModelBundle(classes: ["a", "b"], featureSet: patch, columns: patch.columns,
                                 segmenter: try Segmenter(segmentSeconds: 3), aggregation: .mean, pipeline: pipeline, evaluations: [],
                                 provenance: .init(data: "synthetic", tracks: 6, rows: 6, trainedOn: "all", created: "2026-12-07T00:00:00Z",
                                                   genreKitVersion: GenreKitVersion.current, seed: 0))
        try bundle.write(to: folder.file("m.genremodel"))
        let loaded = try ModelBundle(contentsOf: folder.file("m.genremodel"))
        #expect(loaded.pipeline.classifier.kind == .mobileNetV2)
        #expect((loaded.pipeline.classifier.classifier as? NeuralClassifier)?.widthMultiplier == 0.25)
        #expect(try loaded.pipeline.probabilities(x) == probabilities)
    }

    /// The ImageNet weights in GenreNN's MobileNetV2 give the global-pooled values the converter's
    /// float64 numpy forward pass gives for the same log-mel image (scripts/convert_mobilenet_v2.py,
    /// which also checks that pass against the quantised TFLite interpreter's logits): the weights,
    /// their order, the folded stem, TensorFlow's padding and the dB scaling all agree.
    @Test func imageNetWeightsMatchTheConvertersForwardPass() throws {
        let expected = try #require(try Fixture.load("mobilenet_v2_imagenet.safetensors").tensors["pooled"]).values
        let network = try NetworkArchitecture.mobileNetV2.build(columns: try Self.columns(.mobileNetV2), classCount: 10, seed: 0,
                                                               widthMultiplier: 1)
        try ImageNetMobileNetV2.load(into: network.layers)
        // The converter's fixture_patch(): 128 x 130 decibels.
        var patch: [Float] = []
        for h in 0 ..< 128 {
            for w in 0 ..< 130 {
                let (band, frame) = (Double(h), Double(w))
                let phase: Double = 0.037 * band * (1 + 0.01 * frame) + 0.05 * frame
                patch.append(Float(-80 * abs(sin(phase)) - 0.1 * band))
            }
        }
        let body = network.layers.prefix { !($0 is Dropout) && !($0 is Dense) }
        let pooled = try body.reduce(Tensor(shape: [1, 1, 128, 130], scalars: patch)) { try $1.forward($0, training: false) }
        #expect(pooled.shape == [1, 1280])
        let worst = zip(pooled.scalars, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? .infinity
        #expect(worst < 1e-3, "worst relative difference \(worst)")
    }

    /// From ImageNet with every block frozen, training moves only the classes' layer: the stem and
    /// the last convolution keep the ImageNet weights, in the weights the model saves.
    @Test func frozenImageNetBlocksStayAsShipped() throws {
        let patch = LogMelPatch.logmel128
        var mix = SplitMix(seed: 13)
        let labels = [0, 1, 0, 1]
        let x = RowMatrix(rows: 4, columns: patch.columns.count, values: labels.flatMap { label in
            (0 ..< patch.columns.count).map { _ in Float(label * 20) - 60 + 5 * Float(mix.nextUnit()) }
        })
        var model = NeuralClassifier(architecture: .mobileNetV2, training: TrainingSettings(epochs: 2, batchSize: 4, validationFraction: 0),
                                     imageNetFrozenBlocks: NetworkArchitecture.imageNetBlocks)
        try model.fit(x, labels: labels, classCount: 2)
        #expect(try model.probabilities(x).values.allSatisfy { $0.isFinite && $0 >= 0 })

        let saved = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model)) as? [String: Any]
        let encoded = try #require((saved?["trained"] as? [String: Any])?["weights"] as? String)
        let weights = try SafetensorsFile(data: try #require(Data(base64Encoded: encoded)))
        let shipped = try ImageNetMobileNetV2.weights()
        // Layer 1 is the stem (after the decibel scaling), layer 21 the last 1 x 1 convolution (after 17 blocks).
        for (layer, convolution) in [("1", "conv00"), ("21", "conv51")] {
            let kept = try #require(weights.tensors["\(layer).weight"]), original = try #require(shipped.tensors["\(convolution).weight"])
            #expect(kept == original, "\(layer)")
        }
        #expect(model.imageNetFrozenBlocks == NetworkArchitecture.imageNetBlocks)
        #expect(throws: ModelError.self) {
            var scratch = NeuralClassifier(architecture: .efficientNetB0, training: TrainingSettings(epochs: 1, validationFraction: 0),
                                           imageNetFrozenBlocks: 0)
            try scratch.fit(x, labels: labels, classCount: 2)
        }
    }
}
