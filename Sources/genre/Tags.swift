import ArgumentParser
import GenreKit

struct Tags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tag songs with musicnn's pre-trained networks, over the whole song and 3 s patch by patch.",
        discussion: """
            As musicnn's tagger: 16 kHz log-mel patches of 3 s side by side, each tag's probability averaged \
            over the patches (unless --aggregation says otherwise). MSD networks know 50 Last.fm tags (genres, decades, moods), MTT networks 50 \
            MagnaTagATune tags (instruments, moods). Songs need at least 3 s of audio.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String] = []

    @OptionGroup var list: InputListOptions

    @Option(help: "The pre-trained network.")
    var network = NetworkName(name: "MSD_musicnn")

    @Option(help: "How many tags to show per song.")
    var top = 10

    @Flag(help: "Also show the tags of every 3 s patch across the song.")
    var timeline = false

    @Option(help: ArgumentHelp("How the patches' probabilities of a tag combine into the song's.", discussion: """
        The tags are independent (a song can be both rock and 80s), so the song's scores are not \
        rescaled to add up to 100%: mean is musicnn's own; geometric is high only for a tag likely in \
        every patch; vote is the share of patches that give the tag a probability of at least 50%.
        """))
    var aggregation: Aggregation = .mean

    @OptionGroup var format: FormatOptions<PredictionFormat>
    @OptionGroup var output: OutputOptions<ResultsOutput>
    @OptionGroup var run: RunOptions

    /// The spelling before --network; kept out of help so that it can say what replaced it.
    @Option(name: .customLong("model"), help: .private)
    var renamedModel: String?

    /// A shipped network, by the names musicnn gives them.
    struct NetworkName: ExpressibleByArgument {
        let name: String

        init(name: String) { self.name = name }

        init?(argument: String) {
            guard TaggingNetworks.names.contains(argument) else { return nil }
            name = argument
        }

        var defaultValueDescription: String { name }
        static var allValueStrings: [String] { TaggingNetworks.names }
        static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
    }

    func validate() throws {
        try list.validate(paths: paths, format: format.format.rawValue, output: output.output)
        if renamedModel != nil {
            throw ValidationError("tags names its network with --network <name> (\(TaggingNetworks.names.joined(separator: ", "))); "
                + "--model names a model kind in train and evaluate")
        }
        if top < 1 { throw ValidationError("--top must be at least 1, got \(top)") }
        if let path = output.file { try OutputPath.checkNotAmong(paths, path: path, option: "--output") }
    }

    func run() async throws {
        let tagger = SongTagger(network: try TaggingNetworks.named(network.name),
                                maxDurationSeconds: run.maxDuration.seconds)
        try await showPredictions(paths: paths, list: list, top: top, timeline: timeline, labels: .tags(network: network.name),
                                  format: format.format, output: output, run: run) { [aggregation] path in
            try tagger.tags(path, aggregation: aggregation)
        }
    }
}
