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

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() async throws {
        let bundle = try model.map { path throws(BundleError) in try ModelBundle(contentsOf: path) } ?? ModelBundle.embedded()
        let classifier = try GenreClassifier(bundle: bundle)
        try await showPredictions(paths: paths, top: top, timeline: timeline, format: format, batch: batch) { [aggregation] path in
            try classifier.classify(path, aggregation: aggregation)
        }
    }
}
