import Foundation
import GenreKit
import Testing
import TestSupport

/// The networks behind the estimators' contract: they learn, give probabilities, and survive a bundle.
@Suite struct NeuralClassifierTests {
    /// Three classes of 8-feature rows around distinct centres, with seeded noise.
    static func blobs(rows: Int, seed: UInt64) -> (x: RowMatrix, labels: [Int]) {
        var mix = SplitMix(seed: seed)
        let labels = (0 ..< rows).map { $0 % 3 }
        let values = labels.flatMap { label in
            (0 ..< 8).map { Float((($0 % 3) == label ? 2.0 : 0.0) + 0.8 * mix.nextUnit()) }
        }
        return (RowMatrix(rows: rows, columns: 8, values: values), labels)
    }

    @Test func mlpLearnsAndSurvivesABundle() throws {
        let train = Self.blobs(rows: 240, seed: 1), test = Self.blobs(rows: 90, seed: 2)
        var pipeline = ModelPipeline(ModelChoice(.mlp), classCount: 3, seed: 5)
        try pipeline.fit(train.x, labels: train.labels)
        let probabilities = try pipeline.probabilities(test.x)
        for row in 0 ..< probabilities.rows {
            let values = probabilities.row(row)
            #expect(values.allSatisfy { $0.isFinite && $0 >= 0 } && abs(values.reduce(0, +) - 1) < 1e-5)
        }
        let predicted = (0 ..< test.x.rows).map { row in
            let values = Array(probabilities.row(row))
            return values.indices.max { values[$0] < values[$1] }!
        }
        #expect(zip(predicted, test.labels).filter { $0 == $1 }.count >= 85)

        let decoded = try JSONDecoder().decode(ModelPipeline.self, from: JSONEncoder().encode(pipeline))
        #expect(try decoded.probabilities(test.x) == probabilities)
    }

    /// A saved network whose class count (and its pipeline's, so that they agree) is far beyond its
    /// weights is refused before a network is built for it, which would take gigabytes.
    @Test func aClassCountBeyondTheWeightsIsRefused() throws {
        let train = Self.blobs(rows: 30, seed: 6)
        var pipeline = ModelPipeline(ModelChoice(.mlp), classCount: 3, seed: 5)
        try pipeline.fit(train.x, labels: train.labels)
        let forged = try JSONDecoder().decode(ModelPipeline.self, from: ModelBundleTests.editing(JSONEncoder().encode(pipeline), [
            (["classCount"], 10_000_000), (["classifier", "neural", "_0", "trained", "classCount"], 10_000_000),
        ]))
        #expect(throws: ModelError.self) { try forged.probabilities(train.x) }
    }

    /// The same seed gives the same validation part, weights and history (but for the time each
    /// epoch took); another seed other ones.
    @Test func sameSeedSameModel() throws {
        let train = Self.blobs(rows: 60, seed: 3)
        let groups = (0 ..< 60).map { $0 / 3 }
        func fitted(seed: UInt64) throws -> (probabilities: RowMatrix, history: [EpochRecord]) {
            var pipeline = ModelPipeline(ModelChoice(.mlp, training: TrainingChoices(epochs: 12, validationFraction: 0.2)),
                                         classCount: 3, seed: seed)
            try pipeline.fit(train.x, labels: train.labels, groups: groups)
            let history = try #require(pipeline.classifier.history).epochs.map { record in
                var timeless = record
                timeless.seconds = 0
                return timeless
            }
            #expect(history.allSatisfy { $0.validationLoss != nil })
            return (try pipeline.probabilities(train.x), history)
        }
        let (first, again, other) = (try fitted(seed: 1), try fitted(seed: 1), try fitted(seed: 2))
        #expect(first.probabilities == again.probabilities && first.history == again.history)
        #expect(first.probabilities != other.probabilities && first.history != other.history)
    }

    @Test func edgeCNNRefusesRowsThatAreNotLogMelPatches() {
        var pipeline = ModelPipeline(ModelChoice(.edgeCNN), classCount: 3)
        let x = Self.blobs(rows: 6, seed: 4)
        #expect(throws: ModelError.self) { try pipeline.fit(x.x, labels: x.labels) }
    }

    @Test func edgeCNNTrainsOnPatches() throws {
        // 128 x 48 "patches" whose class is where a bright band sits.
        var mix = SplitMix(seed: 9)
        let labels = (0 ..< 18).map { $0 % 3 }
        var values: [Float] = []
        for label in labels {
            for index in 0 ..< 128 * 48 {
                let bright: Float = (index / 48) / 43 == label ? 1 : 0
                values.append(bright + 0.1 * Float(mix.nextUnit()))
            }
        }
        var classifier = NeuralClassifier(architecture: .edgeCNN,
                                          training: TrainingSettings(epochs: 3, batchSize: 6, validationFraction: 0))
        try classifier.fit(RowMatrix(rows: 18, columns: 128 * 48, values: values), labels: labels, classCount: 3)
        #expect(classifier.history?.epochs.count == 3)
        let probabilities = try classifier.probabilities(RowMatrix(rows: 18, columns: 128 * 48, values: values))
        #expect(probabilities.values.allSatisfy { $0.isFinite })
    }
}
