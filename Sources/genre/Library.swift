import ArgumentParser
import Foundation
import GenreKit
import GenreLibrary

struct Library: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index a music library by what its audio sounds like, and query the index.",
        discussion: """
            'scan' walks folders, reads each file's tags, and stores its genres (whole song and \
            window by window), the MSD tagger's tags and an embedding in an SQLite database; it skips \
            files unchanged since the last scan, recognises moved ones by their audio, and resumes \
            where it stopped. 'list', 'show' and 'stats' read the index; 'playlists' writes one \
            playlist per genre or tag ('genre similar' finds songs that sound alike).
              genre library scan ~/Music
              genre library list --genre jazz --min-confidence 0.6
              genre library list --disagrees --format csv
              genre library playlists --by genre --out ~/Music/Playlists
              genre library tag --dry-run --min-confidence 0.8
            """,
        subcommands: [Scan.self, List.self, Show.self, Stats.self, Playlists.self, Tag.self, Undo.self])
}

/// `--db`: the same database for every `library` verb.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The library's database (default: $XDG_DATA_HOME/genrekit/library.sqlite, else ~/.local/share/genrekit/library.sqlite).",
                               valueName: "file"))
    var db: String?

    /// The database, made when `create` and absent.
    func open(create: Bool) throws -> LibraryDatabase {
        try LibraryDatabase(path: db ?? LibraryDatabase.defaultPath, create: create)
    }
}

extension Library {
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring the index up to date with folders of audio files.")

        @Argument(help: ArgumentHelp("Folders (searched recursively) or audio files.", valueName: "folder"),
                  completion: .directory)
        var folders: [String]

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var run: RunOptions

        @Option(help: ArgumentHelp("A model bundle made by 'genre train' (default: the model shipped with GenreKit).", valueName: "file"),
                completion: .file(extensions: ["genremodel"]))
        var bundle: String?

        func run() async throws {
            let model = try bundle.map { path throws(BundleError) in try ModelBundle(contentsOf: path) } ?? ModelBundle.embedded()
            let library = try database.open(create: true)
            let scanner = LibraryScanner(database: library,
                                         analyzer: try SongAnalyzer(bundle: model, maxDurationSeconds: run.maxDuration.seconds))
            let summary = try await scanner.scan(folders, jobs: run.jobs, progress: !run.quiet) { problem in report("\(problem)") }
            print("\(library.path): \(summary.text)")
            if summary.failed > 0 { throw ExitCode.failure }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List indexed songs, most confident first.")

        @Option(help: "Only songs whose audio's most probable genre is this.")
        var genre: String?

        @Option(help: ArgumentHelp("Only songs with this MSD tag among their \(SongFilter.topTags) most probable (e.g. jazz, chillout, 80s).",
                                   valueName: "tag"))
        var tag: String?

        @Option(help: ArgumentHelp("Only songs whose most probable genre has at least this probability (0 to 1).", valueName: "p"))
        var minConfidence: Double?

        @Flag(help: "Only songs whose genre tag names another genre than their audio's.")
        var disagrees = false

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions<ListFormat>

        func validate() throws {
            if let minConfidence, !(0 ... 1).contains(minConfidence) {
                throw ValidationError("--min-confidence is a probability from 0 to 1, got \(minConfidence)")
            }
        }

        func run() throws {
            let songs = try database.open(create: false)
                .songs(SongFilter(genre: genre, tag: tag, minConfidence: minConfidence, disagreeing: disagrees))
            switch output.format {
            case .text:
                for song in songs {
                    let tagged = song.tags.genre.map { " (tagged \($0))" } ?? ""
                    print(String(format: "%@ %5.1f%%  %@%@", song.topGenre.padding(toLength: 10, withPad: " ", startingAt: 0),
                                 100 * song.confidence, song.path, tagged))
                }
            case .json:
                print(try jsonText(songs.map(SongSummary.init)), terminator: "")
            case .csv:
                print("path,genre,confidence,genre_tag,artist,title,duration_seconds")
                for song in songs {
                    print([song.path, song.topGenre, String(format: "%.4f", song.confidence), song.tags.genre ?? "", song.tags.artist ?? "",
                           song.tags.title ?? "", String(format: "%.2f", song.durationSeconds)].map(CSV.escape).joined(separator: ","))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything the index holds about one file.")

        @Argument(help: ArgumentHelp("An indexed audio file.", valueName: "file"), completion: .file())
        var file: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let song = try database.open(create: false).song(at: file)
            let tags = [("artist", song.tags.artist), ("title", song.tags.title), ("album", song.tags.album), ("genre tag", song.tags.genre),
                        ("year", song.tags.year.map(String.init)), ("track", song.tags.track.map(String.init))]
            print(song.path + (song.present ? "" : " (gone)"))
            for case let (name, value?) in tags { print("  \(name): \(value)") }
            print(String(format: "  duration: %.1f s, scanned %@", song.durationSeconds, ISO8601DateFormatter().string(from: song.scannedAt)))
            print("  genres: " + song.genres.prefix(3).map { String(format: "%@ %.1f%%", $0.genre, 100 * $0.probability) }.joined(separator: ", "))
            print("  MSD tags: " + song.msdTags.prefix(5).map { String(format: "%@ %.1f%%", $0.genre, 100 * $0.probability) }.joined(separator: ", "))
            print("  timeline:")
            for window in song.timeline {
                let best = window.ranking.first.map { String(format: "%@ %.1f%%", $0.genre, 100 * $0.probability) } ?? ""
                print(String(format: "    %6.1f-%6.1f s  %@", window.startSeconds, window.endSeconds, best))
            }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Songs per genre, tag coverage and the last scan.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let library = try database.open(create: false)
            let stats = try library.stats()
            print("\(library.path): \(stats.songs) songs (\(stats.gone) gone, \(stats.failed) failed to analyse)")
            let share = stats.songs == 0 ? 0 : 100 * Double(stats.withGenreTag) / Double(stats.songs)
            print(String(format: "genre tags on %d (%.0f%%); %d of them name another genre than the audio", stats.withGenreTag, share,
                         stats.disagreeing))
            for genre in stats.genres {
                print(String(format: "  %@ %6d songs, mean confidence %.1f%%", genre.genre.padding(toLength: 10, withPad: " ", startingAt: 0),
                             genre.songs, 100 * genre.meanConfidence))
            }
            if let scan = stats.lastScan {
                print("last scan: \(ISO8601DateFormatter().string(from: scan.finishedAt)), \(scan.summary.text)")
            }
        }
    }
}

extension Library {
    struct Playlists: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one playlist per genre (or MSD tag) of the indexed songs, most probable first.",
            discussion: "Paths in the playlists are relative to the folder they are written in; a playlist of the same name there is replaced whole.")

        @Option(help: "What each playlist gathers.")
        var by: PlaylistGrouping = .genre

        @Option(help: ArgumentHelp("The folder the playlists are written in (made when absent).", valueName: "folder"), completion: .directory)
        var out: String

        @Option(help: ArgumentHelp("Leave out songs whose genre (or tag) has a lower probability (0 to 1).", valueName: "p"))
        var minConfidence = 0.0

        @Option(help: "The playlists' format.")
        var format: PlaylistFormat = .m3u8

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard (0 ... 1).contains(minConfidence) else {
                throw ValidationError("--min-confidence is a probability from 0 to 1, got \(minConfidence)")
            }
        }

        func run() throws {
            let playlists = try database.open(create: false).playlists(by: by, minConfidence: minConfidence)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for playlist in playlists {
                print("\(try playlist.write(format, into: out)): \(playlist.songs.count) songs")
            }
        }
    }
}

extension Library {
    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the genre the audio says into the files' tags (see what would change with --dry-run).",
            discussion: """
                Each file is copied, the copy tagged (ID3v2.4 TCON for MP3, Vorbis comments for FLAC and \
                Ogg, ©gen for MP4), its audio checked to decode to the indexed samples, and only then \
                renamed over the file. Files changed since the scan, read-only files and formats TagLib \
                cannot tag are reported and left alone. 'genre library undo' puts the previous values back.
                """)

        @Flag(help: "Write the tags.")
        var write = false

        @Flag(help: "Print every change as 'path: old -> new' and write nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("Only songs whose genre has at least this probability (0 to 1).", valueName: "p"))
        var minConfidence = 0.0

        @Option(help: ArgumentHelp("The tag field written; genre is the one there is.", valueName: "field"))
        var field = "genre"

        @Flag(help: "Leave files that already have a genre tag as they are.")
        var keepExisting = false

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard write != dryRun else { throw ValidationError("give --write to write the tags, or --dry-run to see what would change") }
            guard field == "genre" else { throw ValidationError("--field can only be genre, got \(field)") }
            guard (0 ... 1).contains(minConfidence) else {
                throw ValidationError("--min-confidence is a probability from 0 to 1, got \(minConfidence)")
            }
        }

        func run() throws {
            let writer = TagWriter(database: try database.open(create: false))
            let changes = try writer.plan(minConfidence: minConfidence, keepExisting: keepExisting)
            for change in changes where dryRun { print("\(change.path): \(change.old ?? "(none)") -> \(change.new)") }
            guard write else { return print("\(changes.count) files would change") }
            var failed = 0
            let written = try writer.write(changes) { problem in
                failed += 1
                report("\(problem)")
            }
            print("\(written) \(written == 1 ? "file" : "files") tagged, \(failed) left alone")
            if failed > 0 { throw ExitCode.failure }
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put back the genre tags the last 'genre library tag --write' replaced.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            var failed = 0
            let restored = try TagWriter(database: try database.open(create: false)).undo { problem in
                failed += 1
                report("\(problem)")
            }
            print("\(restored) \(restored == 1 ? "file" : "files") restored, \(failed) left alone")
            if failed > 0 { throw ExitCode.failure }
        }
    }
}

/// `genre similar`: the indexed songs nearest to a song, in the index or not.
struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The songs of the library that sound most like a song.",
        discussion: """
            Nearest by the cosine of the songs' embeddings (see 'genre library'); identical copies of \
            the song come first. A song not in the index is analysed first.
              genre similar ~/Music/song.mp3 --top 10
            """)

    @Argument(help: ArgumentHelp("An audio file, in the index or not.", valueName: "file"), completion: .file())
    var file: String

    @Option(help: ArgumentHelp("How many songs to list.", valueName: "count"))
    var top = 20

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions<ListFormat>

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
    }

    func run() throws {
        let library = try database.open(create: false)
        let query: (embedding: [Float], audioHash: String)
        if let song = try library.indexedSong(at: file) {
            query = (song.embeddingValues, song.audioHash)
        } else {
            let analysis = try SongAnalyzer(bundle: try ModelBundle.embedded()).analyse(file)
            query = (analysis.embedding, analysis.audioHash)
        }
        let songs = try library.similar(to: query.embedding, audioHash: query.audioHash, excluding: LibraryDatabase.absolute(file), top: top)
        switch output.format {
        case .text:
            for song in songs {
                print(String(format: "%.3f  %@  %@%@", song.similarity, song.genre.padding(toLength: 10, withPad: " ", startingAt: 0),
                             song.path, song.identical ? "  (identical audio)" : ""))
            }
        case .json: print(try jsonText(songs), terminator: "")
        case .csv:
            print("path,similarity,identical,genre,artist,title")
            for song in songs {
                print([song.path, String(format: "%.4f", song.similarity), "\(song.identical)", song.genre, song.artist ?? "", song.title ?? ""]
                    .map(CSV.escape).joined(separator: ","))
            }
        }
    }
}

extension PlaylistGrouping: ExpressibleByArgument {}
extension PlaylistFormat: ExpressibleByArgument {}

/// What `genre library list` writes.
enum ListFormat: String, OutputFormat {
    case text, json, csv
    static let standard = text
}
