import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import GenreKit
import Testing
import TestSupport

/// The networks' one trainer: its settings, the validation part carved by group, and what it keeps.
@Suite struct TrainingSettingsTests {
    /// 3 classes; groups (artists) of 1 to 4 songs of one class, each song 10 windows.
    static func windows() -> (labels: [Int], groups: [Int], songs: [Int]) {
        var labels: [Int] = [], groups: [Int] = [], songs: [Int] = []
        var song = 0
        for group in 0 ..< 30 {
            for _ in 0 ..< 1 + group % 4 {
                labels += Array(repeating: group % 3, count: 10)
                groups += Array(repeating: group, count: 10)
                songs += Array(repeating: song, count: 10)
                song += 1
            }
        }
        return (labels, groups, songs)
    }

    @Test func noGroupIsOnBothSides() throws {
        let data = Self.windows()
        for seed: UInt64 in 0 ..< 5 {
            let part = try ValidationPart(labels: data.labels, groups: data.groups, fraction: 0.2, seed: seed)
            #expect(Set(part.training.map { data.groups[$0] }).isDisjoint(with: part.validation.map { data.groups[$0] }))
            #expect(Set(part.training.map { data.songs[$0] }).isDisjoint(with: part.validation.map { data.songs[$0] }))
            #expect((part.training + part.validation).sorted() == Array(data.labels.indices))
            // About a fifth of every class, which training keeps too.
            for label in 0 ..< 3 {
                let held = part.validation.filter { data.labels[$0] == label }.count
                let all = data.labels.filter { $0 == label }.count
                #expect(Double(held) >= 0.2 * Double(all) && Double(held) <= 0.2 * Double(all) + 40, "class \(label): \(held) of \(all)")
                #expect(part.training.contains { data.labels[$0] == label })
            }
        }
        let again = try ValidationPart(labels: data.labels, groups: data.groups, fraction: 0.2, seed: 3)
        #expect(again == (try ValidationPart(labels: data.labels, groups: data.groups, fraction: 0.2, seed: 3)))
        #expect(again != (try ValidationPart(labels: data.labels, groups: data.groups, fraction: 0.2, seed: 4)))
    }

    @Test func aClassOfOneGroupStaysInTraining() throws {
        // Class 1 is one artist's: it cannot be validated without leaving training without it.
        let part = try ValidationPart(labels: [0, 0, 0, 0, 1, 1], groups: [0, 1, 2, 3, 4, 4], fraction: 0.5, seed: 0)
        #expect(part.validation.allSatisfy { $0 < 4 } && part.training.contains(4) && part.training.contains(5))
        #expect(throws: ModelError.self) {
            try ValidationPart(labels: [0, 0, 1, 1], groups: [0, 0, 1, 1], fraction: 0.5, seed: 0)
        }
        #expect(throws: ModelError.self) { try ValidationPart(labels: [0, 1], groups: [0], fraction: 0.5, seed: 0) }
    }

    @Test func choicesReplaceTheDefaultsAndBadOnesAreNamed() {
        let defaults = NetworkArchitecture.fcn5.defaultTraining
        #expect(TrainingChoices().applied(to: defaults) == defaults && TrainingChoices().isEmpty)
        let chosen = TrainingChoices(epochs: 3, optimizer: .adamw, patience: 2).applied(to: defaults)
        #expect(chosen.epochs == 3 && chosen.patience == 2 && chosen.optimizer == .adamw)
        #expect(chosen.weightDecay == 0.01 && chosen.batchSize == defaults.batchSize)
        #expect(TrainingChoices(optimizer: .sgd, weightDecay: 1e-4).applied(to: defaults).weightDecay == 1e-4)
        #expect(TrainingChoices(epochs: 0).problem == "--epochs must be at least 1, got 0")
        #expect(TrainingChoices(validationFraction: 1).problem?.contains("--validation-fraction must lie in [0, 1)") == true)
        #expect(TrainingChoices(learningRate: .nan).problem?.contains("--learning-rate") == true)
        #expect(TrainingChoices(weightDecay: -1).problem?.contains("--weight-decay") == true)
        #expect(TrainingChoices(patience: 0).problem?.contains("--patience") == true)
        #expect(TrainingChoices(batchSize: 0).problem?.contains("--batch-size") == true)
    }

    /// Training stops once the validation loss has stalled for the patience, and keeps the weights
    /// of its best epoch: on labels drawn at random, what the network learns never carries over.
    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        let data = NeuralClassifierTests.blobs(rows: 90, seed: 11)
        var mix = SplitMix(seed: 12)
        let noise = data.labels.map { _ in Int(mix.next() % 3) }
        var classifier = NeuralClassifier(architecture: .mlp, training: TrainingSettings(
            epochs: 60, learningRate: 3e-3, validationFraction: 0.3, patience: 2), seed: 1)
        try classifier.fit(data.x, labels: noise, classCount: 3)
        let history = try #require(classifier.history)
        #expect(history.epochs.count < 60)
        let losses = history.epochs.map { $0.validationLoss! }
        #expect(history.weightsEpoch == losses.indices.min { losses[$0] < losses[$1] }! + 1)

        var without = NeuralClassifier(architecture: .mlp, training: TrainingSettings(epochs: 4, validationFraction: 0))
        try without.fit(data.x, labels: data.labels, classCount: 3)
        #expect(without.history?.epochs.count == 4 && without.history?.weightsEpoch == 4)
        #expect(without.history?.epochs.allSatisfy { $0.validationLoss == nil } == true)
    }

    /// A bundle saved before the settings were grouped: epochs, batch size and learning rate alone.
    @Test func oldBundlesKeepTheirSettings() throws {
        let data = NeuralClassifierTests.blobs(rows: 30, seed: 2)
        var classifier = NeuralClassifier(architecture: .mlp, training: TrainingSettings(epochs: 2, batchSize: 8, validationFraction: 0))
        try classifier.fit(data.x, labels: data.labels, classCount: 3)
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(classifier)) as? [String: Any])
        object["training"] = nil
        object["epochs"] = 2
        object["batchSize"] = 8
        object["learningRate"] = 0.001
        let old = try JSONDecoder().decode(NeuralClassifier.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.training == TrainingSettings(epochs: 2, batchSize: 8, learningRate: 0.001, validationFraction: 0))
        #expect(try old.probabilities(data.x) == classifier.probabilities(data.x))
    }

    @Test func pcaScatterNamesItsGenresAndVariance() throws {
        var mix = SplitMix(seed: 4)
        let classes = ["blues", "jazz & swing", "metal"]
        let tracks = (0 ..< 30).map { Track(id: "t\($0)", label: classes[$0 % 3]) }
        let values = (0 ..< 30).flatMap { row in (0 ..< 5).map { Float(($0 == row % 3 ? 3.0 : 0.0) + mix.nextUnit()) } }
        let data = FeatureDataset(tracks: tracks, columns: ["a", "b", "c", "d", "e"], x: RowMatrix(rows: 30, columns: 5, values: values),
                                  rowTrack: Array(0 ..< 30), source: "test")
        let scatter = try PCAScatter(data)
        #expect(scatter.explainedVariance.first >= scatter.explainedVariance.second && scatter.explainedVariance.first > 0.2)
        let svg = scatter.svg(title: "PCA of the test")
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(svg.contains("blues") && svg.contains("jazz &amp; swing") && svg.contains("metal"))
        #expect(svg.contains(String(format: "PC1 (%.1f%% of variance)", scatter.explainedVariance.first * 100)))
        #expect(svg.contains(String(format: "PC2 (%.1f%% of variance)", scatter.explainedVariance.second * 100)))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 30 + 3)
        #expect(!svg.contains("nan") && !svg.contains("inf"))

        let wide = FeatureDataset(tracks: tracks, columns: (0 ..< 5000).map { "c\($0)" },
                                  x: RowMatrix(rows: 30, columns: 5000), rowTrack: Array(0 ..< 30), source: "wide")
        #expect(throws: ModelError.self) { try PCAScatter(wide) }
    }
}
