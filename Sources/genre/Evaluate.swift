import ArgumentParser
import Foundation
import GenreKit

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cross-validate models, or train on one list and score on another, without leakage.",
        discussion: """
            Tracks, never segments, are divided: every window of a song is on one side. Examples:
              genre evaluate features_30_sec.csv --model all --protocol grouped-kfold --folds 10
              genre evaluate audio/ --segment-seconds 3 --model rbf-svm \\
                  --train-list splits/train_filtered.txt --test-list splits/valid_filtered.txt
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var split: ProtocolOptions

    @Option(help: "Models to evaluate (repeat the option), or 'all' (the classic ones): \(ModelKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: [String] = ["rbf-svm"]

    @OptionGroup var pipeline: PipelineOptions

    @Option(help: "text (like scikit-learn's classification_report), json, or markdown (one summary row per model).")
    var format: ReportFormat = .text

    @Option(help: "Write the confusion matrix of the (last) model as an SVG heat map to this file.")
    var confusionSVG: String?

    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.")
    var output: String?

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    func validate() throws {
        _ = try kinds()
    }

    func kinds() throws -> [ModelKind] {
        if model == ["all"] { return ModelKind.classic }
        return try model.map { name in
            guard let kind = ModelKind(rawValue: name) else {
                throw ValidationError("unknown model '\(name)'; known: all, \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    func run() async throws {
        let dataset = try await data.load()
        let evaluationProtocol = try split.evaluationProtocol(seed: data.seed)
        let kinds = try kinds()
        var results: [EvaluationResult] = []
        for kind in kinds {
            let evaluation = pipeline.evaluation(of: kind, seed: data.seed, quiet: data.quiet)
            results.append(try await evaluation.run(on: dataset, protocol: evaluationProtocol, jobs: data.jobs,
                                                    quiet: data.quiet))
        }
        if let confusionSVG, let last = results.last {
            try write(last.report.confusionSVG(title: "\(last.model.title): \(last.protocolSummary)"), to: confusionSVG)
        }
        let text: String
        switch format {
        case .text: text = results.map { $0.text() }.joined(separator: "\n")
        case .json: text = try jsonText(results)
        case .markdown: text = markdownTable(results)
        }
        if let output { try write(text, to: output) } else { print(text, terminator: "") }
    }

    func markdownTable(_ results: [EvaluationResult]) -> String {
        var lines = ["| model | accuracy | macro F1 |" + (results.first?.segmentAccuracy != nil ? " single segment |" : ""),
                     "| --- | ---: | ---: |" + (results.first?.segmentAccuracy != nil ? " ---: |" : "")]
        for result in results {
            var accuracy = String(format: "%.1f%%", result.report.accuracy * 100)
            var f1 = String(format: "%.3f", result.report.macro.f1)
            if let cv = result.crossValidation {
                accuracy = String(format: "%.1f%% ± %.1f", cv.accuracyMean * 100, cv.accuracyStd * 100)
                f1 = String(format: "%.3f ± %.3f", cv.macroF1Mean, cv.macroF1Std)
            }
            let segment = result.segmentAccuracy.map { String(format: " %.1f%% |", $0 * 100) } ?? ""
            lines.append("| \(result.model.title) | \(accuracy) | \(f1) |" + segment)
        }
        return (results.first?.leaky == true ? ["**\(results[0].protocolSummary)**", ""] : []).joined(separator: "\n")
            + lines.joined(separator: "\n") + "\n"
    }
}

/// JSON with sorted keys, for machines and for diffs.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

/// Writes `text` to `path` atomically.
func write(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw OutputError(path: path, reason: error.localizedDescription)
    }
}
