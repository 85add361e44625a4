import Foundation
import GenreKit
import Testing
import TestSupport

/// Hyper-parameters by name, search spaces and `genre tune`'s nested search.
struct TuningTests {
    static func spaceFile(_ json: String) throws -> (TemporaryFolder, String) {
        let folder = try TemporaryFolder()
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder.file("space.json")))
        return (folder, folder.file("space.json"))
    }

    static func refusal(_ json: String, kind: ModelKind = .rbfSVM) throws -> String {
        let (folder, path) = try spaceFile(json)
        defer { withExtendedLifetime(folder) {} }
        do {
            _ = try SearchSpace(kind: kind, file: path)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func spaceFilesAreCheckedNamingTheKey() throws {
        #expect(try Self.refusal(#"{"C": [1], "kernel": ["rbf"]}"#).contains("no hyper-parameter \"kernel\""))
        #expect(try Self.refusal(#"{"C": [-1]}"#).contains("\"C\" cannot be -1"))
        #expect(try Self.refusal(#"{"C": []}"#).contains("\"C\" lists no values"))
        #expect(try Self.refusal(#"{"gamma": ["auto"]}"#).contains("\"gamma\" cannot be auto"))
        #expect(try Self.refusal(#"{"C": {"min": 10, "max": 1}}"#).contains("\"C\""))
        #expect(try Self.refusal(#"{"C": {"min": 1, "max": 10, "steps": 0}}"#).contains("\"C\""))
        #expect(try Self.refusal(#"{"C": {"min": 1, "max": 10, "stride": 2}}"#).contains("stride"))
        #expect(try Self.refusal(#"{"k": [2.5]}"#, kind: .knn).contains("\"k\" cannot be 2.5"))
        #expect(try Self.refusal(#"[1, 2]"#).contains("JSON object"))
        #expect(try Self.refusal("{not json").contains("not a search space"))
        #expect(try Self.refusal(#"{"C": [1, 10], "gamma": ["scale", 0.01]}"#).isEmpty)
    }

    @Test func theGridCrossesEveryParametersPoints() throws {
        let (folder, path) = try Self.spaceFile(#"{"C": {"min": 0.1, "max": 1000, "steps": 5}, "gamma": ["scale", 0.01]}"#)
        defer { withExtendedLifetime(folder) {} }
        let space = try SearchSpace(kind: .rbfSVM, file: path)
        let grid = space.grid
        #expect(grid.count == 10)
        let costs = Set(grid.compactMap { if case .number(let c)? = $0.values["C"] { c } else { nil } }).sorted()
        // C searches on a log scale by default: 0.1, 1, 10, 100, 1000.
        #expect(zip(costs, [0.1, 1, 10, 100, 1000]).allSatisfy { abs($0 / $1 - 1) < 1e-9 }, "\(costs)")
        // Integer ranges keep distinct whole points only.
        let (knnFolder, knnPath) = try Self.spaceFile(#"{"k": {"min": 1, "max": 3, "steps": 10}}"#)
        defer { withExtendedLifetime(knnFolder) {} }
        #expect(try SearchSpace(kind: .knn, file: knnPath).grid.count == 3)
    }

    @Test func randomTrialsAreDistinctSeededAndInTheSpace() throws {
        let (folder, path) = try Self.spaceFile(#"{"C": {"min": 0.01, "max": 100}, "gamma": {"min": 0.0001, "max": 1, "log": true}}"#)
        defer { withExtendedLifetime(folder) {} }
        let space = try SearchSpace(kind: .rbfSVM, file: path)
        let make = { (seed: UInt64) in Tuning(model: ModelChoice(.rbfSVM), space: space, strategy: .random, trials: 12, seed: seed) }
        let trials = make(7).candidates()
        #expect(trials.count == 12 && Set(trials).count == 12)
        #expect(trials == make(7).candidates() && trials != make(8).candidates())
        for trial in trials {
            guard case .number(let c)? = trial.values["C"], case .number(let gamma)? = trial.values["gamma"] else {
                Issue.record("a trial without both numbers: \(trial)")
                continue
            }
            #expect((0.01 ... 100).contains(c) && (0.0001 ... 1).contains(gamma))
            try ModelKind.rbfSVM.check(trial)
        }
        // A finite space gives at most its own points, however many trials are asked for.
        let listed = Tuning(model: ModelChoice(.knn), space: SearchSpace(defaultFor: .knn), strategy: .random, trials: 500)
        #expect(listed.candidates().count == SearchSpace(defaultFor: .knn).grid.count)
        // A grid larger than --trials runs a seeded sample of its points.
        let sampled = Tuning(model: ModelChoice(.knn), space: SearchSpace(defaultFor: .knn), strategy: .grid, trials: 4)
        #expect(sampled.candidates().count == 4 && Set(sampled.candidates()).isSubset(of: Set(SearchSpace(defaultFor: .knn).grid)))
    }

    @Test func settingsReachTheModel() throws {
        let svm = ModelChoice(.rbfSVM, settings: ModelSettings(["C": .number(10), "gamma": .number(0.05)])).make(seed: 0)
        let machine = try #require(svm.classifier as? SupportVectorMachine)
        #expect(machine.cost == 10 && machine.gamma == .fixed(0.05))
        let scaled = try #require(ModelChoice(.rbfSVM).make(seed: 0).classifier as? SupportVectorMachine)
        #expect(scaled.cost == 1 && scaled.gamma == .scale)
        let knn = try #require(ModelChoice(.knn, settings: ModelSettings(["k": .number(3), "weights": .name("distance")]))
            .make(seed: 0).classifier as? KNearestNeighbors)
        #expect(knn.neighbors == 3 && knn.weighting == .distance)
        let forest = try #require(ModelChoice(.forest, settings: ModelSettings(["max-depth": .number(7)])).make(seed: 0).classifier as? RandomForest)
        #expect(forest.growth.maxDepth == 7 && forest.treeCount == 100 && forest.growth.maxFeatures == .sqrt)
        let network = try #require(ModelChoice(.fcn5, dropout: 0.3, settings: ModelSettings(["learning-rate": .number(0.01)]))
            .make(seed: 0).classifier as? NeuralClassifier)
        #expect(network.training.learningRate == 0.01 && network.dropout == 0.3
                && network.training.epochs == NetworkArchitecture.fcn5.defaultTraining.epochs)
        #expect(throws: TuningError.self) { try ModelKind.forest.check(ModelSettings(["C": .number(1)])) }
    }

    /// docs/cli.md lists every kind's parameters as the code defines them.
    @Test func theDocsListEveryParameter() throws {
        let docs = try String(contentsOf: SharedData.packageRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        for kind in ModelKind.allCases {
            for parameter in kind.hyperParameters {
                let row = "| \(kind.rawValue) | \(parameter.name) | \(parameter.takes) | \(parameter.defaultValue) | "
                    + parameter.searched.map(\.description).joined(separator: ", ") + " |"
                #expect(docs.contains(row), "docs/cli.md lacks the row\n\(row)")
            }
        }
    }

    /// Tracks kept by `restricted` carry exactly their rows, and no other track's.
    @Test func aRestrictedDatasetHoldsOnlyItsTracks() {
        let tracks = (0 ..< 6).map { Track(id: "t\($0)", label: $0 % 2 == 0 ? "a" : "b") }
        let rowTrack = [0, 0, 1, 2, 2, 2, 3, 4, 5, 5]
        let x = RowMatrix(rows: rowTrack.count, columns: 1, values: rowTrack.indices.map(Float.init))
        let data = FeatureDataset(tracks: tracks, columns: ["f"], x: x, rowTrack: rowTrack, source: "test")
        let kept = data.restricted(toTracks: [5, 2])
        #expect(kept.tracks.map(\.id) == ["t2", "t5"])
        #expect(kept.x.values == [3, 4, 5, 8, 9] && kept.rowTrack == [0, 0, 0, 1, 1])
    }
}

/// `genre tune` end to end on a small synthetic feature table.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable),
                "the genre executable is not built beside the tests"))
struct TuneCommandTests {
    /// 60 tracks of three classes, two noisy feature columns (named as gtzan57's, so a bundle can compute them); ids as GTZAN names them, one artist
    /// (group) per pair of tracks; the first 40 listed for training, the rest for scoring.
    static func table() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        var generator = SplitMix(seed: 3)
        var rows = ["filename,tempo,zero_crossing_rate_mean,label"], manifest = ["path,label,group"], train: [String] = [], test: [String] = []
        for index in 0 ..< 60 {
            let label = ["blues", "jazz", "metal"][index % 3]
            let centre = Double(index % 3) * 2
            rows.append("\(label).\(String(format: "%05d", index)).wav,\(centre + generator.nextUnit() * 1.5),\(generator.nextUnit()),\(label)")
            manifest.append("\(label)/\(label).\(String(format: "%05d", index)).wav,\(label),artist\(index / 2)")
            (index < 40 ? { train.append("\(label)/\(label).\(String(format: "%05d", index)).wav") }
                        : { test.append("\(label)/\(label).\(String(format: "%05d", index)).wav") })()
        }
        for (name, lines) in [("table.csv", rows), ("manifest.csv", manifest), ("train.txt", train), ("test.txt", test)] {
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: folder.file(name)))
        }
        return folder
    }

    @Test func aGridSearchRanksTrialsOnTheTrainingTracksAndSavesTheWinner() throws {
        let data = try Self.table()
        try Data(#"{"k": [1, 5, 15], "weights": ["uniform", "distance"]}"#.utf8).write(to: URL(fileURLWithPath: data.file("space.json")))
        let run = try GenreRun(["tune", data.file("table.csv"), "--manifest", data.file("manifest.csv"), "--model", "knn",
                                "--space", data.file("space.json"), "--strategy", "grid", "--folds", "4",
                                "--train-list", data.file("train.txt"), "--test-list", data.file("test.txt"),
                                "--table", data.file("tune.md"), "--json", data.file("tune.json"), "-o", data.file("knn.genre"), "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("knn: 6 trials (grid search) on 40 tracks"), "\(run.stdout)")
        #expect(run.stdout.contains("scored once on"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data.file("tune.json")))) as? [String: Any])
        let trials = try #require(json["trials"] as? [[String: Any]])
        let accuracies = trials.compactMap { $0["accuracy"] as? Double }
        #expect(trials.count == 6 && accuracies == accuracies.sorted(by: >))
        #expect(json["tracks"] as? Int == 40)
        let markdown = try String(contentsOfFile: data.file("tune.md"), encoding: .utf8)
        #expect(markdown.contains("| rank | k | weights | accuracy | macro F1 | seconds |"))
        let bundle = try ModelBundle(contentsOf: data.file("knn.genre"))
        let best = try #require(trials.first?["settings"] as? [String: Any])
        let knn = try #require(bundle.pipeline.classifier.classifier as? KNearestNeighbors)
        #expect(Double(knn.neighbors) == best["k"] as? Double)
        #expect(bundle.provenance.trainedOn.contains("40 tracks"))
    }

    @Test func badSpacesAndOptionsAreUsageErrors() throws {
        let data = try Self.table()
        try Data(#"{"depth": [3]}"#.utf8).write(to: URL(fileURLWithPath: data.file("space.json")))
        let unknown = try GenreRun(["tune", data.file("table.csv"), "--model", "forest", "--space", data.file("space.json")])
        #expect(unknown.status == 2 && unknown.stderr.contains("no hyper-parameter \"depth\""), "\(unknown.stderr)")
        let leaky = try GenreRun(["tune", data.file("table.csv"), "--leaky-random-segments", "0.2"])
        #expect(leaky.status == 2 && leaky.stderr.contains("without leakage"))
        let overwrite = try GenreRun(["tune", data.file("table.csv"), "--table", data.file("table.csv")])
        #expect(overwrite.status == 2, "\(overwrite.stderr)")
        let trials = try GenreRun(["tune", data.file("table.csv"), "--trials", "0"])
        #expect(trials.status == 2 && trials.stderr.contains("--trials"))
    }
}
