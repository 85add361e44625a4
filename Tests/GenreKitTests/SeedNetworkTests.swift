import Foundation
import GenreKit
import Testing
import TestSupport

/// fcn5, crnn, temporal-cnn and cnn-lstm: each trains (10 epochs) on 12 synthetic logmel96 patches, is saved
/// in a bundle, and answers the same after loading; each asks for its own input.
@Suite struct SeedNetworkTests {
    static let kinds: [ModelKind] = [.fcn5, .crnn, .temporalCNN, .cnnLSTM]

    /// 12 logmel96 patches (96 x 141) in 3 classes: the class is the third of the bands that is bright.
    static func patches() -> (x: RowMatrix, labels: [Int]) {
        let patch = LogMelPatch.logmel96
        var mix = SplitMix(seed: 11)
        let labels = (0 ..< 12).map { $0 % 3 }
        var values: [Float] = []
        for label in labels {
            for index in 0 ..< patch.bands * patch.frames {
                let level: Float = (index / patch.frames) / 32 == label ? -20 : -60
                values.append(level + 5 * Float(mix.nextUnit()))
            }
        }
        return (RowMatrix(rows: labels.count, columns: patch.columns.count, values: values), labels)
    }

    static func bundle(_ pipeline: ModelPipeline) -> ModelBundle {
        ModelBundle(classes: ["a", "b", "c"], featureSet: LogMelPatch.logmel96, columns: LogMelPatch.logmel96.columns,
                    segmenter: try? Segmenter(segmentSeconds: 3), aggregation: .mean, pipeline: pipeline, evaluations: [],
                    provenance: .init(data: "synthetic", tracks: 12, rows: 12, trainedOn: "all", created: "2026-12-07T00:00:00Z",
                                      genreKitVersion: GenreKitVersion.current, seed: 0))
    }

    @Test(arguments: kinds) func trainsAndAnswersTheSameFromItsBundle(kind: ModelKind) throws {
        let data = Self.patches()
        // Without a validation part, so that every one of the default epochs runs.
        var pipeline = ModelPipeline(ModelChoice(kind, training: TrainingChoices(validationFraction: 0)), classCount: 3, seed: 3)
        try pipeline.fit(data.x, labels: data.labels)
        #expect((pipeline.classifier.classifier as? NeuralClassifier)?.history?.epochs.count == 10)
        let probabilities = try pipeline.probabilities(data.x)
        for row in 0 ..< probabilities.rows {
            let values = probabilities.row(row)
            #expect(values.allSatisfy { $0.isFinite && $0 >= 0 } && abs(values.reduce(0, +) - 1) < 1e-5)
        }

        let folder = try TemporaryFolder()
        try Self.bundle(pipeline).write(to: folder.file("m.genremodel"))
        let loaded = try ModelBundle(contentsOf: folder.file("m.genremodel"))
        #expect(loaded.pipeline.classifier.kind == kind)
        #expect(try loaded.pipeline.probabilities(data.x) == probabilities)
    }

    /// A chosen dropout rate decides which layers the network has, so the bundle keeps it: fcn5's
    /// dropout variant reloads as itself.
    @Test func theDropoutVariantReloads() throws {
        let data = Self.patches()
        var pipeline = ModelPipeline(ModelChoice(.fcn5, dropout: 0.3), classCount: 3, seed: 4)
        try pipeline.fit(data.x, labels: data.labels)
        let decoded = try JSONDecoder().decode(ModelPipeline.self, from: JSONEncoder().encode(pipeline))
        #expect((decoded.classifier.classifier as? NeuralClassifier)?.dropout == 0.3)
        #expect(try decoded.probabilities(data.x) == pipeline.probabilities(data.x))
    }

    @Test(arguments: kinds) func eachTakesLogMel96InThreeSecondWindows(kind: ModelKind) throws {
        #expect(kind.inputSet == "logmel96" && kind.defaultSegmentSeconds == 3)
        var pipeline = ModelPipeline(ModelChoice(kind), classCount: 3)
        let rows = NeuralClassifierTests.blobs(rows: 6, seed: 4)
        let error = #expect(throws: ModelError.self) { try pipeline.fit(rows.x, labels: rows.labels) }
        #expect(error.map { "\($0)" }?.contains("--set logmel96") == true, "\(String(describing: error))")
    }

    /// The parameter counts docs/models.md gives, for 10 classes on logmel96 patches.
    @Test func parameterCounts() throws {
        let counts = try Self.kinds.map { kind in
            try #require(kind.architecture).build(columns: LogMelPatch.logmel96.columns.count, classCount: 10, seed: 0)
                .parameters.map(\.value.count).reduce(0, +)
        }
        #expect(counts == [100_026, 40_698, 108_682, 65_034])
    }

    @Test func theOtherKindsKeepTheirInputs() {
        #expect(ModelKind.edgeCNN.inputSet == "logmel128" && ModelKind.musicnnFineTune.inputSet == "musicnn-input")
        #expect(ModelKind.mlp.inputSet == nil && ModelKind.rbfSVM.inputSet == nil && ModelKind.rbfSVM.defaultSegmentSeconds == nil)
    }

    @Test func logmel96IsChoisInputOverThreeSeconds() throws {
        let patch = try #require(FeatureSets.named("logmel96") as? LogMelPatch)
        #expect(patch.sampleRate == 12000 && patch.stft.nFFT == 512 && patch.stft.hopLength == 256)
        #expect(patch.shape == [1, 96, 141])
        // 141 frames fit in a 3 s window at 12 kHz.
        #expect((patch.frames - 1) * patch.stft.hopLength <= 3 * patch.sampleRate)
    }
}
