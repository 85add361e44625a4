import CTagLib
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GenreKit
import GenreLibrary
import GRDB
import Testing
import TestSupport

/// A small library made on the fly (the examples' MP3s, WAV tones, a corrupt file, an identical
/// copy, a file with a genre tag), scanned, changed and scanned again: what each scan finds and
/// what the index then says.
@Suite(.serialized) struct LibraryScanTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Examples")
        .standardized.path

    static let analyzer = Result { try SongAnalyzer(bundle: try ModelBundle.embedded()) }

    /// music/: the three examples (one tagged "Rock", the others without a genre tag), two tones of different lengths, a text file
    /// named .mp3; music/sub/: an identical copy of one example.
    static func makeLibrary() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("music/sub"), withIntermediateDirectories: true)
        for name in ["awol-food.mp3", "black-elk-toggle.mp3", "explode-into-colors-heat.mp3"] {
            try FileManager.default.copyItem(atPath: examples + "/" + name, toPath: folder.file("music/" + name))
        }
        try FileManager.default.copyItem(atPath: examples + "/awol-food.mp3", toPath: folder.file("music/sub/copy.mp3"))
        try WAVWriter.tone(folder.file("music/tone-a.wav"), hz: 220, seconds: 4, sampleRate: 22050)
        try WAVWriter.tone(folder.file("music/tone-b.wav"), hz: 880, seconds: 5, sampleRate: 44100)
        _ = FileManager.default.createFile(atPath: folder.file("music/notes.mp3"), contents: Data("not audio\n".utf8))
        // The examples carry their own tags: cleared, so that one file alone has a genre tag.
        for name in ["black-elk-toggle.mp3", "explode-into-colors-heat.mp3", "sub/copy.mp3"] {
            try tag(folder.file("music/" + name), genre: "", artist: "")
        }
        try tag(folder.file("music/awol-food.mp3"), genre: "Rock", artist: "AWOL")
        return folder
    }

    /// Writes a genre and an artist into a file's tags, as a tag editor would.
    static func tag(_ path: String, genre: String, artist: String) throws {
        let file = try #require(taglib_file_new(path))
        defer { taglib_file_free(file) }
        let tag = try #require(taglib_file_tag(file))
        taglib_tag_set_genre(tag, genre)
        taglib_tag_set_artist(tag, artist)
        #expect(taglib_file_save(file) != 0)
    }

    static func scan(_ library: LibraryDatabase, _ folder: String) async throws -> (ScanSummary, [String]) {
        let scanner = LibraryScanner(database: library, analyzer: try analyzer.get())
        var problems: [String] = []
        let summary = try await scanner.scan([folder], jobs: 2) { problems.append("\($0)") }
        return (summary, problems)
    }

    @Test func scansIncrementallyAndFollowsMovesAndDeletions() async throws {
        let folder = try Self.makeLibrary()
        let music = folder.file("music")
        let library = try LibraryDatabase(path: folder.file("index/library.sqlite"), create: true)

        var (summary, problems) = try await Self.scan(library, music)
        #expect(summary.added == 6 && summary.failed == 1 && summary.unchanged == 0, "\(summary)")
        #expect(problems.count == 1 && problems[0].contains("notes.mp3") && problems[0].contains("not in any audio format"), "\(problems)")
        let songs = try library.songs()
        #expect(songs.count == 6)
        let tagged = try library.song(at: folder.file("music/awol-food.mp3"))
        #expect(tagged.tags.genre == "Rock" && tagged.tags.artist == "AWOL")
        #expect(tagged.topGenre == "hiphop" && tagged.timeline.count >= 5 && tagged.msdTags.count == 50)
        #expect(tagged.embeddingValues.count > 0 && tagged.embeddingValues.allSatisfy(\.isFinite))
        // The identical copy is a song of its own with the same audio; the tag did not change the audio.
        let copy = try library.song(at: folder.file("music/sub/copy.mp3"))
        #expect(copy.audioHash == tagged.audioHash && copy.id != tagged.id)
        #expect(try library.songs(SongFilter(disagreeing: true)).map(\.path) == [tagged.path])

        // Nothing changed: nothing analysed again, the corrupt file included.
        (summary, _) = try await Self.scan(library, music)
        #expect(summary == { var s = ScanSummary(); s.unchanged = 7; return s }(), "\(summary)")

        // A rename is a move (the row and its id kept); a deletion marks the song gone.
        try FileManager.default.moveItem(atPath: folder.file("music/tone-a.wav"), toPath: folder.file("music/sub/renamed.wav"))
        let before = try library.song(at: folder.file("music/tone-a.wav"))
        try FileManager.default.removeItem(atPath: folder.file("music/tone-b.wav"))
        (summary, _) = try await Self.scan(library, music)
        #expect(summary.moved == 1 && summary.gone == 1 && summary.added == 0 && summary.unchanged == 5, "\(summary)")
        #expect(try library.song(at: folder.file("music/sub/renamed.wav")).id == before.id)
        #expect(try library.song(at: folder.file("music/tone-b.wav")).present == false)
        #expect(try library.songs().count == 5)

        let stats = try library.stats()
        #expect(stats.songs == 5 && stats.gone == 1 && stats.failed == 1 && stats.withGenreTag == 1 && stats.disagreeing == 1)
        #expect(stats.lastScan?.summary == summary)
        #expect(stats.genres.map(\.songs).reduce(0, +) == 5)

        // Playlists: paths relative to where they are written, the most probable first.
        let playlists = try library.playlists(by: .genre)
        #expect(playlists.map { $0.songs.count }.reduce(0, +) == 5)
        let hiphop = try #require(playlists.first { $0.name == "hiphop" })
        try FileManager.default.createDirectory(atPath: folder.file("lists"), withIntermediateDirectories: true)
        let written = try hiphop.write(.m3u8, into: folder.file("lists"))
        let lines = try String(contentsOfFile: written, encoding: .utf8).split(separator: "\n")
        #expect(written.hasSuffix("lists/hiphop.m3u8") && lines.first == "#EXTM3U")
        #expect(lines.contains("../music/awol-food.mp3") && lines.contains("../music/sub/copy.mp3"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("#EXTINF:30,AWOL - ") })
        let probabilities = hiphop.songs.map(\.probability)
        #expect(probabilities == probabilities.sorted(by: >))
        let xspf = try hiphop.write(.xspf, into: folder.file("lists"))
        #expect(XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: xspf))).parse())
        #expect(try library.playlists(by: .genre, minConfidence: 1.01).isEmpty)
        #expect(try library.playlists(by: .tag).allSatisfy { $0.songs.allSatisfy { $0.song.present } })

        // Similar songs: the identical copy first, then by cosine; the query itself left out.
        let similar = try library.similar(to: tagged.embeddingValues, audioHash: tagged.audioHash, excluding: tagged.path, top: 3)
        #expect(similar.count == 3 && similar[0].path == copy.path && similar[0].identical && abs(similar[0].similarity - 1) < 1e-5)
        #expect(similar[1].similarity >= similar[2].similarity && !similar[1].identical)
    }

    /// Writing genre tags: a dry run changes nothing; a write tags the files whose tag disagrees,
    /// with the audio unchanged, and leaves alone a read-only file and one changed since the scan;
    /// undo puts every previous value back.
    @Test func tagsAreWrittenSafelyAndUndone() async throws {
        let folder = try Self.makeLibrary()
        let music = folder.file("music")
        try FileManager.default.removeItem(atPath: folder.file("music/notes.mp3"))
        let library = try LibraryDatabase(path: folder.file("library.sqlite"), create: true)
        _ = try await Self.scan(library, music)
        let writer = TagWriter(database: library)

        let plan = try writer.plan(minConfidence: 0, keepExisting: false)
        #expect(plan.count == 6 && plan.contains { $0.path == folder.file("music/awol-food.mp3") && $0.old == "Rock" && $0.new == "Hip-Hop" })
        #expect(try writer.plan(minConfidence: 0, keepExisting: true).count == 5)
        let bytes = try plan.map { try Data(contentsOf: URL(fileURLWithPath: $0.path)) }

        // One file read-only, one changed after the scan.
        let readOnly = folder.file("music/black-elk-toggle.mp3"), changed = folder.file("music/tone-a.wav")
        #expect(chmod(readOnly, 0o444) == 0)
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, changed, &times, 0) == 0)
        var problems: [String] = []
        let written = try writer.write(plan) { problems.append("\($0)") }
        #expect(written == 4 && problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(readOnly) && $0.contains("read-only") })
        #expect(problems.contains { $0.hasPrefix(changed) && $0.contains("changed since the last scan") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: readOnly)) == bytes[plan.firstIndex { $0.path == readOnly }!])

        let tagged = folder.file("music/awol-food.mp3")
        #expect(SongTags.read(tagged)?.genre == "Hip-Hop" && SongTags.read(tagged)?.artist == "AWOL")
        #expect(try TagWriter.audioHash(tagged) == library.song(at: tagged).audioHash)
        #expect(try library.song(at: tagged).tags.genre == "Hip-Hop")
        // The index follows the writes: nothing to analyse again but the file touched by hand.
        let (rescan, _) = try await Self.scan(library, music)
        #expect(rescan.unchanged == 5 && rescan.updated == 1, "\(rescan)")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: music)).contains { $0.contains(".genrekit-") })

        #expect(try writer.undo { problems.append("\($0)") } == 4)
        #expect(SongTags.read(tagged)?.genre == "Rock" && SongTags.read(folder.file("music/sub/copy.mp3"))?.genre == nil)
        #expect(try writer.undo { _ in } == 0)
    }

    /// A folder that is missing is reported and the rest is scanned; songs below it are not
    /// marked gone (a disk not mounted is not a library deleted).
    @Test func aMissingFolderIsReportedAndTheRestScanned() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("a"), withIntermediateDirectories: true)
        try WAVWriter.tone(folder.file("a/tone.wav"), seconds: 4, sampleRate: 16000)
        let library = try LibraryDatabase(path: folder.file("library.sqlite"), create: true)
        let scanner = LibraryScanner(database: library, analyzer: try Self.analyzer.get())
        var problems: [String] = []
        let summary = try await scanner.scan([folder.file("a"), folder.file("nowhere")]) { problems.append("\($0)") }
        #expect(summary.added == 1 && problems == ["\(folder.file("nowhere")): no such file or folder"])
    }

    @Test func aDamagedDatabaseIsAnErrorAndLeftAlone() throws {
        let folder = try TemporaryFolder()
        let garbage = Data((0 ..< 4096).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        _ = FileManager.default.createFile(atPath: folder.file("library.sqlite"), contents: garbage)
        let error = #expect(throws: LibraryError.self) { try LibraryDatabase(path: folder.file("library.sqlite"), create: true) }
        #expect(error.map { "\($0)" }?.contains("not a readable library database") == true, "\(String(describing: error))")
        #expect(FileManager.default.contents(atPath: folder.file("library.sqlite")) == garbage)
        #expect(throws: LibraryError.noLibrary(path: folder.file("none.sqlite"))) {
            try LibraryDatabase(path: folder.file("none.sqlite"), create: false)
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("library.sqlite")
        _ = try LibraryDatabase(path: path, create: true)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2: something later')")
        }
        func schema() throws -> [String] {
            try DatabaseQueue(path: path).read { db in
                try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
                    + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            }
        }
        let before = try schema()
        #expect(throws: LibraryError.newer(path: path, migrations: ["v2: something later"])) { try LibraryDatabase(path: path, create: true) }
        #expect(try schema() == before)
    }

    /// Another process in the middle of a write: the scan waits, then says so.
    @Test func aLockedDatabaseWaitsThenSaysWhy() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("library.sqlite")
        let library = try LibraryDatabase(path: path, create: true)
        let other = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                released.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }
        locked.wait()
        defer { released.signal() }
        let start = Date()
        let scanner = LibraryScanner(database: library, analyzer: try Self.analyzer.get())
        await #expect(throws: LibraryError.busy(path: path, seconds: LibraryDatabase.busySeconds)) {
            try await scanner.scan([folder.path]) { _ in }
        }
        #expect(Date().timeIntervalSince(start) >= LibraryDatabase.busySeconds - 0.5)
    }
}
