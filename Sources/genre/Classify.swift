import ArgumentParser
import Foundation
import GenreKit

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell the genres of songs, over the whole song and window by window.",
        discussion: """
            Uses the model shipped with GenreKit unless --model names a bundle made by 'genre train'. \
            Folders are searched recursively; every core is used.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @Option(help: "A model bundle made by 'genre train' (default: the embedded model).")
    var model: String?

    @Option(help: "How many genres to show per song.")
    var top = 3

    @Flag(help: "Also show the genre of every window across the song.")
    var timeline = false

    @Option(help: "How window probabilities combine into the song's: \(Aggregation.allCases.map(\.rawValue).joined(separator: ", ")) (default: the model's).")
    var aggregation: Aggregation?

    @Option(help: "text, json or csv.")
    var format: OutputFormat = .text

    @OptionGroup var batch: BatchOptions

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() async throws {
        let bundle = try model.map { path throws(BundleError) in try ModelBundle(contentsOf: path) } ?? ModelBundle.embedded()
        let classifier = try GenreClassifier(bundle: bundle)
        let inputs = AudioInputs(paths: paths)
        inputs.problems.forEach { report($0.description) }
        var failures = inputs.problems.count

        var predictions: [SongPrediction] = []
        var text = ""
        let progress = ProgressLine(total: inputs.files.count, noun: "songs", quiet: batch.quiet)
        await Batch(width: batch.jobs).run(inputs.files, work: { path in
            Result { try classifier.classify(path, aggregation: aggregation) }
        }, deliver: { index, result in
            progress.clear()
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
            progress.update(done: index + 1)
        })
        progress.clear()

        switch format {
        case .text: if batch.output != nil, !predictions.isEmpty { try batch.emit(text) }
        case .json: try batch.emit(try jsonText(predictions.map { SongReport(prediction: $0, top: top, timeline: timeline).json }))
        case .csv: try batch.emit(SongReport.csv(predictions, top: top, timeline: timeline))
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
