import Foundation
import GenreKit
import Testing
import TestSupport

@Suite struct MetricsTests {
    let fixture = try! Fixture.load("metrics.safetensors")

    var report: ClassificationReport {
        ClassificationReport(truth: fixture.tensors["truth"]!.values.map { Int($0) },
                             predicted: fixture.tensors["predicted"]!.values.map { Int($0) },
                             classes: fixture.metadata["classes"]!.split(separator: ",").map(String.init))
    }

    @Test func scoresEqualScikitLearns() throws {
        let report = report
        let tolerance = 1e-12
        #expect(abs(report.accuracy - fixture.tensors["accuracy"]!.scalar) < tolerance)
        for (c, scores) in report.perClass.enumerated() {
            #expect(abs(scores.precision - fixture.tensors["precision"]!.values[c]) < tolerance)
            #expect(abs(scores.recall - fixture.tensors["recall"]!.values[c]) < tolerance)
            #expect(abs(scores.f1 - fixture.tensors["f1"]!.values[c]) < tolerance)
            #expect(Double(scores.support) == fixture.tensors["support"]!.values[c])
        }
        for (name, mean) in [("macro", report.macro), ("weighted", report.weighted)] {
            let expected = fixture.tensors[name]!.values
            #expect(abs(mean.precision - expected[0]) < tolerance, "\(name) precision")
            #expect(abs(mean.recall - expected[1]) < tolerance, "\(name) recall")
            #expect(abs(mean.f1 - expected[2]) < tolerance, "\(name) f1")
        }
        #expect(report.confusion.flatMap { $0 }.map(Double.init) == fixture.tensors["confusion"]!.values)
    }

    /// A saved report (a bundle's) whose scores or confusion matrix are not one per class is refused:
    /// the text and the SVG index them by class.
    @Test func aSavedReportHasOneRowPerClass() throws {
        let saved = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(ClassificationReport.self, from: saved) == report)
        for edit in [(["classes"], report.classes + ["extra"]) as ([String], Any), (["confusion"], [[1]]), (["perClass"], [])] {
            #expect(throws: DecodingError.self, "\(edit.0)") {
                try JSONDecoder().decode(ClassificationReport.self, from: ModelBundleTests.editing(saved, [edit]))
            }
        }
    }

    @Test func textIsLaidOutAsScikitLearnPrintsIt() {
        #expect(report.text() == fixture.metadata["report"]!)
    }

    @Test func crossValidationSummaryUsesPopulationDeviation() {
        let a = ClassificationReport(truth: [0, 1], predicted: [0, 1], classes: ["a", "b"])
        let b = ClassificationReport(truth: [0, 1], predicted: [0, 0], classes: ["a", "b"])
        let summary = CrossValidationSummary([a, b])
        #expect(summary.accuracyMean == 0.75)
        #expect(summary.accuracyStd == 0.25)
    }

    @Test func confusionSVGHasACellPerPairAndEscapesNames() {
        let report = ClassificationReport(truth: [0, 1, 1], predicted: [0, 1, 0], classes: ["r&b", "<pop>"])
        let svg = report.confusionSVG(title: "test")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 4)
        #expect(svg.contains("r&amp;b") && svg.contains("&lt;pop&gt;"))
    }

    /// The title is the model's name, at 16 px, and the picture is wide enough for it (Helvetica
    /// averages well under 0.6 em a character); long notes wrap instead of running off the sides.
    @Test func confusionSVGIsWideEnoughForItsTitleAndWrapsItsNotes() throws {
        let report = ClassificationReport(truth: [0, 1], predicted: [0, 1], classes: ["a", "b"])
        let title = "gradient-boosted trees (XGBoost) with a name much longer than a two-class matrix"
        let note = "grouped 10-fold cross-validation over tracks, no group in two folds (seed 0); " + String(repeating: "more words ", count: 20)
        let svg = report.confusionSVG(title: title, notes: [note])
        let width = try #require(svg.firstMatch(of: /width="(\d+)"/).flatMap { Int($0.1) })
        #expect(Double(width) >= Double(title.count) * 16 * 0.55)
        #expect(svg.contains(">\(title)</text>"))
        let noteLines = svg.split(separator: "\n").filter { $0.contains("fill=\"#555\"") && !$0.contains(">accuracy") }
            .compactMap { $0.firstMatch(of: />([^<]*)</).map { String($0.1) } }
        #expect(noteLines.count > 1, "the long note is wrapped")
        for line in noteLines { #expect(Double(line.count) * 12 * 0.55 <= Double(width), "\(line)") }
        #expect(noteLines.joined(separator: " ") == note.split(separator: " ").joined(separator: " "), "every word shown once")
    }
}

@Suite struct AggregationTests {
    let probabilities = RowMatrix(stacking: [[0.6, 0.4, 0], [0.1, 0.5, 0.4], [0.7, 0.3, 0]])

    @Test func meanAveragesTheWindows() {
        let p = Aggregation.mean.combine(probabilities, rows: [0, 1, 2])
        #expect(zip(p, [1.4 / 3, 1.2 / 3, 0.4 / 3]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func voteCountsWinners() {
        #expect(Aggregation.vote.combine(probabilities, rows: [0, 1, 2]) == [2.0 / 3, 1.0 / 3, 0])
    }

    @Test func geometricMeanPunishesAGenreMissingFromAWindow() {
        let p = Aggregation.geometric.combine(probabilities, rows: [0, 1, 2])
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[1] > p[0])   // class 0 has a weak window, class 1 never does
        #expect(p[2] < 1e-3)
    }

    /// Tags are independent probabilities: each is combined on its own and nothing is rescaled.
    @Test func independentTagsAreCombinedOneByOne() {
        let tags = RowMatrix(stacking: [[0.9, 0.2, 0.6], [0.7, 0.2, 0.1]])
        let mean = Aggregation.mean.combineIndependent(tags, rows: [0, 1])
        #expect(zip(mean, [0.8, 0.2, 0.35]).allSatisfy { abs($0 - $1) < 1e-6 }, "musicnn's plain mean, not summing to 1")
        let geometric = Aggregation.geometric.combineIndependent(tags, rows: [0, 1])
        #expect(zip(geometric, [(0.9 * 0.7).squareRoot(), 0.2, (0.6 * 0.1).squareRoot()]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(Aggregation.vote.combineIndependent(tags, rows: [0, 1]) == [1, 0, 0.5], "the share of rows at 0.5 or more")
    }
}

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(ModelBundleChecksum.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ModelBundleChecksum.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(ModelBundleChecksum.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
