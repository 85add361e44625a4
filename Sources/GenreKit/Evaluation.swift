import Foundation
import GenreML

/// What one model scored under one protocol: out-of-fold predictions of every scored track, pooled
/// over folds, and the spread of the per-fold scores.
public struct EvaluationResult: Sendable, Codable {
    public let model: ModelKind
    public let protocolSummary: String
    /// Said beside the score when folds may split an artist's tracks (`EvaluationProtocol.caveat`);
    /// nil otherwise, and in bundles saved before it was kept.
    public let caveat: String?
    public let leaky: Bool
    public let data: String
    /// How a track's segment probabilities were combined; nil when tracks have one row.
    public let aggregation: Aggregation?
    /// Track-level scores pooled over all folds.
    public let report: ClassificationReport
    /// Accuracy of single segments before aggregation; nil when tracks have one row.
    public let segmentAccuracy: Double?
    /// Per-fold spread; nil for a single train/test split.
    public let crossValidation: CrossValidationSummary?
    /// How the training data was augmented; nil when it was not (and in older bundles).
    public var augmentation: String? = nil

    /// The report as text; a leaky protocol's warning is the first line.
    public func text() -> String {
        var lines = [protocolSummary, "model: \(model.title); data: \(data)"]
        if let aggregation, let segmentAccuracy {
            lines.append("tracks scored from their segments (\(aggregation.rawValue) of probabilities); "
                + String(format: "single-segment accuracy %.1f%%", segmentAccuracy * 100))
        }
        if let cv = crossValidation {
            lines.append(String(format: "accuracy %.1f%% ± %.1f (mean ± std over %d folds), macro F1 %.3f ± %.3f",
                                cv.accuracyMean * 100, cv.accuracyStd * 100, cv.folds, cv.macroF1Mean, cv.macroF1Std))
        }
        if let caveat { lines.append("  caution: \(caveat)") }
        if let augmentation { lines.append("training data augmented: \(augmentation); scored rows are originals") }
        return lines.joined(separator: "\n") + "\n\n" + report.text() + "\n" + report.confusionText()
    }

    /// The confusion matrix as an SVG, headed by the model's name, the protocol and any caution.
    public func confusionSVG() -> String {
        report.confusionSVG(title: model.title, notes: [protocolSummary, "data: \(data)"] + (caveat.map { ["caution: \($0)"] } ?? []))
    }

    /// Every model of one run in one table: accuracy and macro F1 (mean ± std over folds under
    /// cross-validation), and single-segment accuracy for segmented data. The protocol's leak or
    /// caution, the same for every model, is said above the table; its last line is the last model's.
    public static func summaryTable(_ results: [EvaluationResult], markdown: Bool) -> String {
        guard let first = results.first else { return "" }
        let segmented = first.segmentAccuracy != nil
        let header = ["model", "accuracy", "macro F1"] + (segmented ? ["single segment"] : [])
        let rows = results.map { result in
            var accuracy = String(format: "%.1f%%", result.report.accuracy * 100)
            var f1 = String(format: "%.3f", result.report.macro.f1)
            if let cv = result.crossValidation {
                accuracy = String(format: "%.1f%% ± %.1f", cv.accuracyMean * 100, cv.accuracyStd * 100)
                f1 = String(format: "%.3f ± %.3f", cv.macroF1Mean, cv.macroF1Std)
            }
            return [result.model.title, accuracy, f1] + (result.segmentAccuracy.map { [String(format: "%.1f%%", $0 * 100)] } ?? [])
        }
        if markdown {
            let notes = (first.leaky ? ["**\(first.protocolSummary)**"] : []) + (first.caveat.map { ["*caution: \($0)*"] } ?? [])
            let table = ["| " + header.joined(separator: " | ") + " |", "| --- |" + String(repeating: " ---: |", count: header.count - 1)]
                + rows.map { "| " + $0.joined(separator: " | ") + " |" }
            return (notes.isEmpty ? [] : notes + [""]).joined(separator: "\n") + table.joined(separator: "\n") + "\n"
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line = { (cells: [String]) in
            zip(cells, widths).enumerated().map { $0 == 0 ? pad($1.0, $1.1) : pad($1.0, $1.1, right: true) }.joined(separator: "   ")
        }
        let notes = ["summary of \(results.count) models: \(first.protocolSummary)"] + (first.caveat.map { ["  caution: \($0)"] } ?? [])
        return (notes + [line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}

/// Trains and scores a model on the folds of a protocol, folds in parallel.
public struct Evaluation: Sendable {
    public let model: ModelChoice
    public let pcaComponents: Int?
    public let aggregation: Aggregation
    public let seed: UInt64

    public init(model: ModelChoice, pcaComponents: Int? = nil, aggregation: Aggregation = .mean, seed: UInt64 = 0) {
        self.model = model
        self.pcaComponents = pcaComponents
        self.aggregation = aggregation
        self.seed = seed
    }

    /// Out-of-fold track predictions of one fold: (track, predicted class) and segment hits.
    struct FoldOutcome: Sendable {
        let tracks: [(track: Int, predicted: Int)]
        let segmentHits: Int
        let segments: Int
    }

    /// Scores the model on every fold; progress (folds done) shows on stderr unless `quiet`.
    public func run(on data: FeatureDataset, protocol evaluation: EvaluationProtocol, jobs: Int? = nil,
                    quiet: Bool = true) async throws -> EvaluationResult {
        let folds = try evaluation.folds(of: data)
        let labels = data.labels
        var outcomes: [Result<FoldOutcome, ModelError>] = []
        await Batch(width: jobs, progress: quiet ? nil : "folds (\(model.kind.rawValue))").run(Array(folds.enumerated()), work: { index, fold in
            Result { () throws(ModelError) in try score(fold, of: data, labels: labels, seed: seed &+ UInt64(index)) }
        }, deliver: { _, outcome in outcomes.append(outcome) })
        let scored = try outcomes.map { try $0.get() }
        let classes = data.classes
        let trackLabel = { (track: Int) in classes.firstIndex(of: data.tracks[track].label)! }
        let reports = scored.map { outcome in
            ClassificationReport(truth: outcome.tracks.map { trackLabel($0.track) },
                                 predicted: outcome.tracks.map(\.predicted), classes: classes)
        }
        let pooled = scored.flatMap(\.tracks)
        var result = EvaluationResult(
            model: model.kind, protocolSummary: evaluation.summary, caveat: evaluation.caveat(for: data),
            leaky: evaluation.isLeaky, data: data.source,
            aggregation: data.isSegmented ? aggregation : nil,
            report: ClassificationReport(truth: pooled.map { trackLabel($0.track) }, predicted: pooled.map(\.predicted),
                                         classes: classes),
            segmentAccuracy: data.isSegmented
                ? Double(scored.map(\.segmentHits).reduce(0, +)) / Double(scored.map(\.segments).reduce(0, +)) : nil,
            crossValidation: folds.count > 1 ? CrossValidationSummary(reports) : nil)
        let augmentedRows = data.isAugmented.filter { $0 }.count
        let augmentation = (augmentedRows > 0 ? ["\(augmentedRows) rows made from the tracks' audio, each trained on with its track"] : [])
            + (model.batchAugmentation.map { [$0.summary] } ?? [])
        result.augmentation = augmentation.isEmpty ? nil : augmentation.joined(separator: "; ")
        return result
    }

    func score(_ fold: Fold, of data: FeatureDataset, labels: [Int], seed: UInt64) throws(ModelError) -> FoldOutcome {
        var pipeline = ModelPipeline(model, classCount: data.classes.count, pcaComponents: pcaComponents, seed: seed)
        let groups = data.rowGroups
        try pipeline.fit(data.x.selecting(rows: fold.train), labels: fold.train.map { labels[$0] }, groups: fold.train.map { groups[$0] })
        let probabilities = try pipeline.probabilities(data.x.selecting(rows: fold.test))
        var rowsOfTrack: [Int: [Int]] = [:]
        var segmentHits = 0
        for (position, row) in fold.test.enumerated() {
            rowsOfTrack[data.rowTrack[row], default: []].append(position)
            if Aggregation.mean.combine(probabilities, rows: [position]).argmax! == labels[row] { segmentHits += 1 }
        }
        let tracks = rowsOfTrack.keys.sorted().map { track in
            (track, aggregation.combine(probabilities, rows: rowsOfTrack[track]!).argmax!)
        }
        return FoldOutcome(tracks: tracks, segmentHits: segmentHits, segments: fold.test.count)
    }
}
