import ArgumentParser
import Foundation
import GenreKit

/// Runs `predict` on every audio file under `paths` and listed by `--files-from` (folders
/// recursively, `run.jobs` at a time) and shows the answers as `classify` and `tags` do: text, CSV
/// and JSON lines streamed as songs finish, JSON at the end; one `genre:` line per input that fails
/// (and, in JSON lines, an `error` line), and exit status 1 when any did.
func showPredictions(paths: [String], list: InputListOptions, top: Int, timeline: Bool, labels: SongReport.Labels,
                     format: PredictionFormat, output: OutputOptions<ResultsOutput>, run: RunOptions,
                     predict: @escaping @Sendable (String) throws -> SongPrediction) async throws {
    let inputs = try InputList(paths: paths, options: list)
    let stream = format == .jsonl ? try output.lineStream(resume: list.resume) : output.stream()
    if format == .csv { stream.write(SongReport.csvHeader(labels)) }
    // Kept only for JSON, which is written at the end.
    var reports: [SongReport] = []
    var succeeded = 0, failures = 0
    await Batch(width: run.jobs, progress: run.quiet ? nil : "songs").run(pulling: inputs.pull, total: inputs.total, work: { input in
        Result { () throws -> (SongReport, String) in
            if let problem = input.problem { throw problem }
            let songReport = SongReport(prediction: try predict(input.path), top: top, timeline: timeline, labels: labels)
            switch format {
            case .text: return (songReport, songReport.text())
            case .jsonl: return (songReport, try jsonText(songReport, line: true))
            case .csv: return (songReport, songReport.csvLines())
            // Encoded here too, so that a report JSON cannot hold fails alone instead of the whole array.
            case .json: _ = try jsonText(songReport); return (songReport, "")
            }
        }
    }, deliver: { _, input, result in
        switch result {
        case .success(let (songReport, text)):
            if let warning = songReport.prediction.warning { report("\(input.path): warning: \(warning)") }
            stream.write(text)
            if format == .json { reports.append(songReport) }
            succeeded += 1
        case .failure(let error):
            let message = describe(error, path: input.path)
            report(message)
            if format == .jsonl, let line = try? JSONLinesOutput.errorLine(path: input.path, message: message) { stream.write(line) }
            failures += 1
        }
    })

    if format == .json { stream.write(try jsonText(reports)) }
    try stream.finish(anySucceeded: succeeded > 0)
    if failures > 0 { throw ExitCode.failure }
}
