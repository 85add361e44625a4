import ArgumentParser
import Foundation
import GenreKit

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cross-validate models, or train on one list and score on another, without leakage.",
        discussion: """
            Tracks, never segments, are divided: every window of a song is on one side. With several \
            models, the reports end with a table of them all. Examples:
              genre evaluate features_30_sec.csv --model all --folds 5
              genre evaluate audio/ --segment-seconds 3 --model rbf-svm \\
                --train-list train_filtered.txt --test-list valid_filtered.txt
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var split: ProtocolOptions

    @Option(help: ArgumentHelp("The models to evaluate (repeat the option for several; default: rbf-svm).", valueName: "kind"))
    var model: [ModelChoice] = []

    @OptionGroup var pipeline: PipelineOptions

    @OptionGroup var augmentation: AugmentationOptions

    @OptionGroup var format: FormatOptions<ReportFormat>

    @Option(help: ArgumentHelp("""
        Write each model's confusion matrix as an SVG heat map: to this file, or with several models \
        into this folder as <model>.svg (rbf-svm.svg, ...).
        """, valueName: "path"), completion: .file(extensions: ["svg"]))
    var confusionSVG: String?

    @OptionGroup var output: OutputOptions<ResultsOutput>

    /// A model kind, or all the classic ones.
    enum ModelChoice: ExpressibleByArgument, Equatable {
        case all
        case kind(ModelKind)

        init?(argument: String) {
            if argument == "all" { self = .all } else if let kind = ModelKind(rawValue: argument) { self = .kind(kind) } else { return nil }
        }

        static var allValueStrings: [String] { ["all"] + ModelKind.allValueStrings }

        static var allValueDescriptions: [String: String] {
            ModelKind.allValueDescriptions.merging(
                ["all": "the \(ModelKind.classic.count) classic models: \(ModelKind.classic.map(\.rawValue).joined(separator: ", "))"]
            ) { $1 }
        }
    }

    func validate() throws {
        let kinds = try self.kinds()
        if data.kind == .featureTable, data.features.setName != nil {
            throw ValidationError("--set applies to audio, and \(data.data) is a feature table, whose columns are fixed; "
                + "leave --set out (or compute another table with 'genre features --set')")
        }
        if split.trainList != nil, let kind = split.protocolKind, kind != .lists {
            throw ValidationError("--train-list and --test-list are the lists protocol, and --protocol says \(kind.rawValue); "
                + "evaluate runs one protocol, so leave out one or the other")
        }
        if split.trainList != nil, split.folds != nil {
            throw ValidationError("--folds applies to cross-validation, and --train-list/--test-list score one split; leave --folds out")
        }
        try data.checkAggregation(pipeline.chosenAggregation, models: kinds)
        if data.kind != .featureTable { try data.features.checkSet(for: kinds) }
        try pipeline.checkSettingsApply(to: kinds)
        try augmentation.checkApplies(to: kinds, data: data)
        let inputs = data.inputs + split.inputs
        if let path = output.file { try OutputPath.checkNotAmong(inputs, path: path, option: "--output") }
        if let confusionSVG {
            try checkConfusionPath(confusionSVG, models: kinds.count)
            try OutputPath.checkNotAmong(inputs, path: confusionSVG, option: "--confusion-svg")
        }
    }

    /// The models asked for: 'all' alone, or kinds each named once.
    func kinds() throws -> [ModelKind] {
        if model.isEmpty { return [.rbfSVM] }
        if model.contains(.all) {
            guard model.count == 1 else {
                throw ValidationError("--model all stands alone (it means the \(ModelKind.classic.count) classic models); "
                    + "to choose several, repeat --model with their names")
            }
            return ModelKind.classic
        }
        let kinds = model.compactMap { if case .kind(let kind) = $0 { kind } else { nil } }
        if let twice = kinds.first(where: { kind in kinds.filter { $0 == kind }.count > 1 }) {
            throw ValidationError("--model \(twice.rawValue) is given twice; name each model once")
        }
        return kinds
    }

    /// A file for one model; a folder (existing, or new in an existing folder) for one or more.
    func checkConfusionPath(_ path: String, models: Int) throws {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if exists && isFolder.boolValue {
            try OutputPath.checkFolder(path, for: path, option: "--confusion-svg")
        } else if models > 1 {
            if exists || path.lowercased().hasSuffix(".svg") {
                throw ValidationError("--confusion-svg names a folder with several models (each gets <folder>/<model>.svg), "
                    + "and \(path) is a file; name a folder")
            }
            try OutputPath.checkFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                       for: path, option: "--confusion-svg")
        } else {
            try OutputPath.checkFile(path, option: "--confusion-svg")
        }
    }

    func run() async throws {
        let kinds = try kinds()
        let evaluationProtocol = try split.evaluationProtocol(seed: data.seed)
        // Under lists only the training list's tracks are ever trained on, so only they are augmented.
        let augmented: Set<String>? = if case .lists(let train, _, _) = evaluationProtocol { train } else { nil }
        let dataset = try await data.load(for: kinds, augmentation: try augmentation.audio(seed: data.seed, windowSeconds: data.features.segmentSeconds(for: kinds)),
                                          augmenting: { augmented?.contains($0.id) ?? true })
        try data.checkAggregation(pipeline.chosenAggregation, models: kinds, dataset: dataset)
        let batchAugmentation = try augmentation.batch()
        var results: [EvaluationResult] = []
        for kind in kinds {
            let evaluation = pipeline.evaluation(of: kind, seed: data.seed, quiet: data.quiet, batchAugmentation: batchAugmentation)
            results.append(try await evaluation.run(on: dataset, protocol: evaluationProtocol, jobs: data.jobs,
                                                    quiet: data.quiet))
        }
        if let confusionSVG { try writeConfusionSVGs(results, to: confusionSVG) }
        let text: String
        switch format.format {
        case .text:
            text = results.map { $0.text() }.joined(separator: "\n")
                + (results.count > 1 ? "\n" + EvaluationResult.summaryTable(results, markdown: false) : "")
        case .json: text = try jsonText(results)
        case .markdown: text = EvaluationResult.summaryTable(results, markdown: true)
        }
        let stream = output.stream()
        stream.write(text)
        try stream.finish(anySucceeded: true)
    }

    /// One SVG per model: the file itself when it names one, else `<folder>/<model>.svg`.
    func writeConfusionSVGs(_ results: [EvaluationResult], to path: String) throws {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if results.count == 1, !(exists && isFolder.boolValue) {
            return try writeFile(results[0].confusionSVG(), to: path)
        }
        if !exists {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            } catch {
                throw OutputError(path: path, reason: sentence(for: error))
            }
        }
        for result in results {
            try writeFile(result.confusionSVG(), to: URL(fileURLWithPath: path).appendingPathComponent("\(result.model.rawValue).svg").path)
        }
    }
}
