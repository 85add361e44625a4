import ArgumentParser
import Foundation
import GenreKit

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

/// Runs `predict` on every audio file under `paths` (folders recursively, `batch.jobs` at a time) and
/// shows the answers as `classify` and `tags` do: text streamed as songs finish, JSON or CSV at the
/// end; one `genre:` line per input that fails, and exit status 1 when any did.
func showPredictions(paths: [String], top: Int, timeline: Bool, format: OutputFormat, batch: BatchOptions,
                     predict: @escaping @Sendable (String) throws -> SongPrediction) async throws {
    let inputs = AudioInputs(paths: paths)
    inputs.problems.forEach { report($0.description) }
    var failures = inputs.problems.count

    var predictions: [SongPrediction] = []
    var text = ""
    await Batch(width: batch.jobs, progress: batch.quiet ? nil : "songs").run(inputs.files, work: { path in
        Result { try predict(path) }
    }, deliver: { index, result in
        switch result {
        case .success(let prediction):
            if let warning = prediction.warning { report("\(prediction.path): warning: \(warning)") }
            if format == .text {
                // Streamed as songs finish, so a long run shows answers as it goes.
                let block = SongReport(prediction: prediction, top: top, timeline: timeline).text()
                if batch.output == nil { print(block, terminator: "") } else { text += block }
            }
            predictions.append(prediction)
        case .failure(let error):
            report(describe(error, path: inputs.files[index]))
            failures += 1
        }
    })

    switch format {
    case .text: if batch.output != nil, !predictions.isEmpty { try batch.emit(text) }
    case .json: try batch.emit(try jsonText(predictions.map { SongReport(prediction: $0, top: top, timeline: timeline).json }))
    case .csv: try batch.emit(SongReport.csv(predictions, top: top, timeline: timeline))
    }
    if failures > 0 { throw ExitCode.failure }
}
