import ArgumentParser
import Foundation
import GenreKit

struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tell the genres of songs, over the whole song and window by window.",
        discussion: """
            Uses the model shipped with GenreKit unless --bundle names one made by 'genre train'. \
            Folders are searched recursively; every core is used.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String] = []

    @OptionGroup var list: InputListOptions

    @Option(help: ArgumentHelp("A model bundle made by 'genre train' (default: the model shipped with GenreKit).", valueName: "file"),
            completion: .file(extensions: ["genremodel"]))
    var bundle: String?

    @Option(help: "How many genres to show per song.")
    var top = 3

    @Flag(help: "Also show the genres of every window across the song.")
    var timeline = false

    @Option(help: "How the windows' probabilities combine into the song's (default: the one the bundle was trained with).")
    var aggregation: Aggregation?

    @OptionGroup var format: FormatOptions<PredictionFormat>
    @OptionGroup var output: OutputOptions<ResultsOutput>
    @OptionGroup var run: RunOptions

    /// The spelling before --bundle; kept out of help so that it can say what replaced it.
    @Option(name: .customLong("model"), help: .private)
    var renamedModel: String?

    func validate() throws {
        try list.validate(paths: paths, format: format.format.rawValue, output: output.output)
        if renamedModel != nil {
            throw ValidationError("classify takes its model bundle as --bundle <file>; --model names a model kind in train and evaluate")
        }
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if let path = output.file { try OutputPath.checkNotAmong(paths + [bundle].compactMap { $0 }, path: path, option: "--output") }
    }

    func run() async throws {
        let bundle = try bundle.map { path throws(BundleError) in try ModelBundle(contentsOf: path) } ?? ModelBundle.embedded()
        if aggregation != nil, bundle.segmenter == nil {
            throw ValidationError("--aggregation combines a song's windows, and \(self.bundle ?? "the model") classifies whole songs; "
                + "leave --aggregation out")
        }
        let classifier = try GenreClassifier(bundle: bundle, maxDurationSeconds: run.maxDuration.seconds)
        try await showPredictions(paths: paths, list: list, top: top, timeline: timeline, labels: .genres, format: format.format,
                                  output: output, run: run) { [aggregation] path in
            try classifier.classify(path, aggregation: aggregation)
        }
    }
}
