import Foundation
import GenreKit
import Testing
import TestSupport

/// Fine-tuning musicnn: the fine-tuned classifier learns, holds its frozen blocks still and survives a
/// bundle (its blocks' parity with the original: MusicnnBlocksTests).
@Suite struct FineTunedMusicnnTests {
    /// Patches of two kinds of 3 s signal at 16 kHz: low steady tones (class 0) and bursts of noise (class 1).
    static func patches(count: Int, seed: UInt64) throws -> (x: RowMatrix, labels: [Int]) {
        var mix = SplitMix(seed: seed)
        let set = try MusicnnPatchFeatureSet()
        let labels = (0 ..< count).map { $0 % 2 }
        let rows = try labels.map { label in
            let frequency = 110 + 220 * mix.nextUnit(), phase = 6.28 * mix.nextUnit()
            let samples = (0 ..< 48000).map { i -> Float in
                let t = Double(i) / 16000
                return label == 0 ? Float(0.5 * sin(2 * .pi * frequency * t + phase))
                    : (i / 4000) % 2 == 0 ? Float(mix.nextUnit() - 0.5) : 0
            }
            return try set.extract(samples).map(Float.init)
        }
        return (RowMatrix(stacking: rows), labels)
    }

    @Test func fineTuningLearnsAndSurvivesABundle() throws {
        let train = try Self.patches(count: 24, seed: 1), test = try Self.patches(count: 12, seed: 2)
        var model = FineTunedMusicnn(settings: FineTuning(frozenBlocks: 1, pretrainedRateScale: 0.1, epochs: 10),
                                     batchSize: 8, seed: 3)
        try model.fit(train.x, labels: train.labels, classCount: 2)
        let probabilities = try model.probabilities(test.x)
        #expect(probabilities.values.allSatisfy { $0.isFinite && $0 >= 0 })
        let predicted = (0 ..< test.x.rows).map { row in probabilities[row, 1] > probabilities[row, 0] ? 1 : 0 }
        #expect(predicted == test.labels, "\(model.history!.epochs.map { "\($0.trainLoss) \($0.trainAccuracy)" })")

        let decoded = try JSONDecoder().decode(FineTunedMusicnn.self, from: JSONEncoder().encode(model))
        #expect(Deviation.compare(try decoded.probabilities(test.x).values, probabilities.values).maxAbsolute < 1e-6)
        // Its pipeline takes the patches as they are.
        #expect(ModelPipeline(ModelChoice(.musicnnFineTune), classCount: 2).scaler == nil)
    }

    @Test func frozenBlocksStayAsShippedAndTheOthersMove() throws {
        let train = try Self.patches(count: 8, seed: 4)
        var model = FineTunedMusicnn(settings: FineTuning(frozenBlocks: 2, pretrainedRateScale: 0.5, epochs: 1), seed: 5)
        try model.fit(train.x, labels: train.labels, classCount: 2)
        let weights = try #require(try model.trainedWeights)
        // The back end and the new output layer: the dense layer, the batch norms around it, the output's weight and bias.
        let shipped = try PretrainedNetwork(named: FineTunedMusicnn.network).blocks(seed: 0).blocks
        let backEnd = shipped[2].namedParameters
        #expect(weights.tensors.count == (shipped[2].namedParameters + shipped[2].namedBuffers).count + 2)
        for (name, parameter) in backEnd {
            let tuned = try #require(weights.tensors["0.\(name)"], "\(name)")
            #expect(tuned.scalars != parameter.value.scalars, "\(name) did not train")
        }
    }

    @Test func rowsThatAreNotPatchesAndBadSettingsAreRefused() throws {
        var model = FineTunedMusicnn()
        #expect(throws: ModelError.self) { try model.fit(RowMatrix(rows: 4, columns: 57), labels: [0, 1, 0, 1], classCount: 2) }
        let train = try Self.patches(count: 2, seed: 6)
        var tooFrozen = FineTunedMusicnn(settings: FineTuning(frozenBlocks: 4))
        #expect(throws: ModelError.self) { try tooFrozen.fit(train.x, labels: train.labels, classCount: 2) }
        #expect(throws: ModelError.notFitted("the fine-tuned musicnn")) { try FineTunedMusicnn().probabilities(train.x) }
        var withPCA = ModelPipeline(ModelChoice(.musicnnFineTune), classCount: 2, pcaComponents: 2)
        #expect(throws: ModelError.self) { try withPCA.fit(train.x, labels: train.labels) }
        // Saved settings cut the network where prediction cuts it: a count of blocks it lacks is refused.
        let saved = try JSONEncoder().encode(FineTuning())
        #expect(try JSONDecoder().decode(FineTuning.self, from: saved) == FineTuning())
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FineTuning.self, from: ModelBundleTests.editing(saved, [(["frozenBlocks"], 7)]))
        }
    }
}
