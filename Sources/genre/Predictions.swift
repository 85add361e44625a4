import ArgumentParser
import Foundation
import GenreKit

/// Runs `predict` on every audio file under `paths` (folders recursively, `run.jobs` at a time) and
/// shows the answers as `classify` and `tags` do: text, CSV and JSON lines streamed as songs finish,
/// JSON at the end; one `genre:` line per input that fails, and exit status 1 when any did.
func showPredictions(paths: [String], top: Int, timeline: Bool, labels: SongReport.Labels, format: PredictionFormat,
                     output: OutputOptions<ResultsOutput>, run: RunOptions,
                     predict: @escaping @Sendable (String) throws -> SongPrediction) async throws {
    let inputs = AudioInputs(paths: paths)
    inputs.problems.forEach { report($0.description) }
    var failures = inputs.problems.count

    let stream = output.stream()
    if format == .csv { stream.write(SongReport.csvHeader(labels)) }
    var reports: [SongReport] = []
    await Batch(width: run.jobs, progress: run.quiet ? nil : "songs").run(inputs.files, work: { path in
        Result { () throws -> (SongReport, String) in
            let songReport = SongReport(prediction: try predict(path), top: top, timeline: timeline, labels: labels)
            switch format {
            case .text: return (songReport, songReport.text())
            case .jsonl: return (songReport, try jsonText(songReport, line: true))
            case .csv: return (songReport, songReport.csvLines())
            // Encoded here too, so that a report JSON cannot hold fails alone instead of the whole array.
            case .json: _ = try jsonText(songReport); return (songReport, "")
            }
        }
    }, deliver: { index, result in
        switch result {
        case .success(let (songReport, text)):
            if let warning = songReport.prediction.warning { report("\(songReport.prediction.path): warning: \(warning)") }
            stream.write(text)
            reports.append(songReport)
        case .failure(let error):
            report(describe(error, path: inputs.files[index]))
            failures += 1
        }
    })

    if format == .json { stream.write(try jsonText(reports)) }
    try stream.finish(anySucceeded: !reports.isEmpty)
    if failures > 0 { throw ExitCode.failure }
}
