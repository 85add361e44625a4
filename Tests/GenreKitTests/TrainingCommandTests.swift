import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GenreKit
import Testing
import TestSupport

/// `genre train`'s network options, the history it writes beside a bundle, and `genre plot`.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable),
                "the genre executable is not built beside the tests"))
struct TrainingCommandTests {
    /// A table of gtzan57's features for 3 genres, 8 tracks each, whose first columns tell them apart.
    static func table(in folder: TemporaryFolder, name: String = "features.csv") throws -> String {
        var mix = SplitMix(seed: 8)
        let columns = try FeatureCatalog.named("gtzan57").columns
        var lines = ["filename," + columns.joined(separator: ",") + ",label"]
        for (index, genre) in ["blues", "classical", "metal"].enumerated() {
            for track in 0 ..< 8 {
                let values = columns.indices.map { column in (column == index ? 3.0 : 0.0) + mix.nextUnit() }
                lines.append("\(genre).0000\(track).wav," + values.map { String(format: "%.4f", $0) }.joined(separator: ",") + ",\(genre)")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder.file(name), atomically: true, encoding: .utf8)
        return folder.file(name)
    }

    @Test func aNetworkWritesItsHistoryAndCurvesBesideTheBundle() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let bundle = folder.file("mlp.genremodel")
        let train = try GenreRun(["train", table, "--model", "mlp", "--epochs", "6", "--optimizer", "sgd", "--learning-rate", "0.01",
                                  "--validation-fraction", "0.25", "--patience", "3", "--skip-evaluation", "-o", bundle])
        #expect(train.status == 0, "\(train.stderr)")
        // Piped, training shows no progress line, only what it saved.
        #expect(!train.stderr.contains("ETA") && !train.stderr.contains("epoch 1/6"))
        #expect(train.stderr.contains("history in \(folder.file("mlp.history.json"))"))

        let history = try JSONDecoder().decode(TrainingHistory.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("mlp.history.json"))))
        #expect((1 ... 6).contains(history.epochs.count) && history.epochs.allSatisfy { $0.validationAccuracy != nil })
        let curves = try String(contentsOfFile: folder.file("mlp.curves.svg"), encoding: .utf8)
        #expect(curves.contains("class=\"validation\"") && XMLParser(data: Data(curves.utf8)).parse())

        let redrawn = folder.file("again.svg")
        let plot = try GenreRun(["plot", "curves", folder.file("mlp.history.json"), "-o", redrawn])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(try String(contentsOfFile: redrawn, encoding: .utf8) == curves)

        let classic = try GenreRun(["train", table, "--model", "logistic", "--skip-evaluation", "-o", folder.file("logistic.genremodel")])
        #expect(classic.status == 0 && !FileManager.default.fileExists(atPath: folder.file("logistic.history.json")))
    }

    @Test func trainingOptionsAreCheckedAndApplyToNetworksOnly() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let bundle = folder.file("m.genremodel")
        for (arguments, message) in [
            (["--model", "rbf-svm", "--epochs", "3"], "--epochs applies to the networks (--model mlp, edge-cnn, fcn5"),
            (["--model", "musicnn-fine-tune", "--batch-size", "8"], "musicnn-fine-tune has --fine-tuning-epochs"),
            (["--model", "mlp", "--epochs", "0"], "--epochs must be at least 1, got 0"),
            (["--model", "mlp", "--validation-fraction", "1"], "--validation-fraction must lie in [0, 1), got 1.0"),
            (["--model", "mlp", "--learning-rate", "-1"], "--learning-rate must be a positive number"),
            (["--model", "mlp", "--weight-decay", "nan"], "--weight-decay must be a number of at least 0"),
            (["--model", "mlp", "--patience", "2", "--validation-fraction", "0"], "--validation-fraction 0 holds no validation part out"),
            (["--model", "mlp", "--optimizer", "rmsprop"], "'rmsprop'"),
        ] {
            let run = try GenreRun(["train", table] + arguments + ["--skip-evaluation", "-o", bundle])
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        let evaluate = try GenreRun(["evaluate", table, "--model", "knn", "--patience", "3"])
        #expect(evaluate.status == 2 && evaluate.stderr.contains("--patience applies to the networks"))
    }

    @Test func theHistoryNeverReplacesAnInput() throws {
        let folder = try TemporaryFolder()
        // The data itself sits where the bundle's history would go.
        let table = try Self.table(in: folder, name: "m.history.json")
        let run = try GenreRun(["train", table, "--model", "mlp", "--skip-evaluation", "-o", folder.file("m.genremodel")])
        #expect(run.status == 2 && run.stderr.contains("it is one of the inputs"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("m.genremodel")))
    }

    @Test func pcaPlotColoursTheGenresAndNamesTheVariance() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let picture = folder.file("pca.svg")
        let run = try GenreRun(["plot", "pca", table, "-o", picture])
        #expect(run.status == 0, "\(run.stderr)")
        let svg = try String(contentsOfFile: picture, encoding: .utf8)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        #expect(["blues", "classical", "metal"].allSatisfy { svg.contains(">\($0)</text>") })
        #expect(svg.contains("PC1 (") && svg.contains("PC2 (") && svg.contains("% of variance)"))
        #expect(svg.components(separatedBy: "class=\"genre\"").count - 1 == 3)

        let onInput = try GenreRun(["plot", "pca", table, "-o", table])
        #expect(onInput.status == 2 && onInput.stderr.contains("it is one of the inputs"))
        let setOnTable = try GenreRun(["plot", "pca", table, "--set", "gtzan57", "-o", picture])
        #expect(setOnTable.status == 2 && setOnTable.stderr.contains("--set applies to audio"))
    }

    @Test func curvesOfABadHistoryAreAClearError() throws {
        let folder = try TemporaryFolder()
        try "{\"epochs\": 3}".write(toFile: folder.file("bad.json"), atomically: true, encoding: .utf8)
        let bad = try GenreRun(["plot", "curves", folder.file("bad.json"), "-o", folder.file("c.svg")])
        #expect(bad.status == 1 && bad.stderr.contains("cannot read the training history"), "\(bad.stderr)")
        try "{\"epochs\": [], \"weightsEpoch\": 1}".write(toFile: folder.file("empty.json"), atomically: true, encoding: .utf8)
        let empty = try GenreRun(["plot", "curves", folder.file("empty.json"), "-o", folder.file("c.svg")])
        #expect(empty.status == 1 && empty.stderr.contains("holds 0 epochs"))
        let missing = try GenreRun(["plot", "curves", folder.file("none.json"), "-o", folder.file("c.svg")])
        #expect(missing.status == 1 && missing.stderr.contains("none.json"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("c.svg")))
        let onInput = try GenreRun(["plot", "curves", folder.file("bad.json"), "-o", folder.file("bad.json")])
        #expect(onInput.status == 2)
    }
}
