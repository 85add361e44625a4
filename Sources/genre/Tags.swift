import ArgumentParser
import GenreKit

struct Tags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tag songs with musicnn's pre-trained networks, over the whole song and 3 s patch by patch.",
        discussion: """
            As musicnn's tagger: 16 kHz log-mel patches of 3 s side by side, each tag's probability averaged \
            over the patches (the tags are independent, so they do not add up to 100%). MSD networks know \
            50 Last.fm tags (genres, decades, moods), MTT networks 50 MagnaTagATune tags (instruments, moods). \
            Songs need at least 3 s of audio.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @Option(help: "The network: \(PretrainedNetwork.names.joined(separator: ", ")).")
    var model = "MSD_musicnn"

    @Option(help: "How many tags to show per song.")
    var top = 10

    @Flag(help: "Also show the tags of every 3 s patch across the song.")
    var timeline = false

    @Option(help: "text, json or csv.")
    var format: OutputFormat = .text

    @OptionGroup var batch: BatchOptions

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if !PretrainedNetwork.names.contains(model) {
            throw ValidationError("unknown --model '\(model)': choose one of \(PretrainedNetwork.names.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let tagger = MusicnnTagger(network: try PretrainedNetwork(named: model))
        try await showPredictions(paths: paths, top: top, timeline: timeline, format: format, batch: batch) { path in
            try tagger.tags(path)
        }
    }
}
