import ArgumentParser
import Foundation
import GenreKit

struct Features: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a table of audio features, one row per file or per segment.",
        discussion: """
            Folders are searched recursively for audio files. With --segment-seconds, each file is cut \
            into consecutive windows and each window gets a row named like blues.00000.3.wav. Rows come \
            in the order of the files, and CSV and JSON lines are written as each file is done.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String] = []

    @OptionGroup var list: InputListOptions
    @OptionGroup var features: FeatureOptions
    @OptionGroup var format: FormatOptions<TableFormat>
    @OptionGroup var output: OutputOptions<ResultsOutput>
    @OptionGroup var run: RunOptions

    func validate() throws {
        try list.validate(paths: paths, format: format.format.rawValue, output: output.output)
        if let path = output.file { try OutputPath.checkNotAmong(paths, path: path, option: "--output") }
    }

    func run() async throws {
        let featureSet = try features.featureSet()
        let extractor = FeatureExtractor(featureSet: featureSet, segmenter: try features.segmenter(),
                                         maxDurationSeconds: run.maxDuration.seconds)
        let inputs = try InputList(paths: paths, options: list)
        let table = FeatureTable(featureSet: featureSet)
        let lines = format.format == .jsonl
        let stream = lines ? try output.lineStream(resume: list.resume) : output.stream()
        if format.format == .csv { stream.write(table.csvHeader) }
        // Kept only for JSON, which is written at the end.
        var rows: [FeatureTable.Row] = []
        var succeeded = 0, failures = 0
        await Batch(width: run.jobs, progress: run.quiet ? nil : "files").run(pulling: inputs.pull, total: inputs.total, work: {
            [format = format.format] input in
            Swift.Result { () throws -> (FeatureExtractor.Result, String) in
                if let problem = input.problem { throw problem }
                let extracted = try extractor.rows(for: input.path)
                switch format {
                case .csv: return (extracted, extracted.rows.map(table.csvLine).joined())
                case .jsonl: return (extracted, try extracted.rows.map { try jsonText(table.json($0), line: true) }.joined())
                case .json: return (extracted, "")
                }
            }
        }, deliver: { _, input, result in
            switch result {
            case .success(let (extracted, text)):
                stream.write(text)
                if format.format == .json { rows += extracted.rows }
                if let warning = extracted.warning { report("\(input.path): warning: \(warning)") }
                succeeded += 1
            case .failure(let error):
                let message = describe(error, path: input.path)
                report(message)
                if lines, let line = try? JSONLinesOutput.errorLine(path: input.path, message: message) { stream.write(line) }
                failures += 1
            }
        })

        if format.format == .json { stream.write(try jsonText(rows.map(table.json))) }
        try stream.finish(anySucceeded: succeeded > 0)
        if failures > 0 { throw ExitCode.failure }
    }
}
