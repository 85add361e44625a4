import Foundation
import GenreKit
import GenreLibrary
import Testing
import TestSupport

/// The container formats a library holds besides MP3 and WAV, made from a tone by the `ffmpeg`
/// command (which scripts/setup.sh installs): each is scanned with its tags read, gets its genre
/// written where its format keeps it (Vorbis comments, MP4 ©gen; `ffprobe` reads it back, apart
/// from TagLib) with the audio unchanged, and gets it back by undo.
@Suite(.serialized, .enabled(if: FFmpegCommand.isInstalled, "the ffmpeg command is not installed (scripts/setup.sh installs it)"))
struct LibraryFormatTests {
    static let formats = [("flac", ["-c:a", "flac"]), ("ogg", ["-c:a", "libvorbis"]), ("opus", ["-c:a", "libopus"]),
                          ("m4a", ["-c:a", "aac"])]

    @Test func everyFormatIsScannedTaggedAndUntagged() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("music"), withIntermediateDirectories: true)
        try WAVWriter.tone(folder.file("tone.wav"), hz: 330, seconds: 4, sampleRate: 44100)
        for (format, codec) in Self.formats {
            try FFmpegCommand.run(["-i", folder.file("tone.wav")] + codec
                + ["-metadata", "title=Tone in \(format)", "-metadata", "artist=GenreKit", folder.file("music/tone.\(format)")])
        }
        let library = try LibraryDatabase(path: folder.file("library.sqlite"), create: true)
        let (summary, problems) = try await LibraryScanTests.scan(library, folder.file("music"))
        #expect(summary.added == Self.formats.count && problems.isEmpty, "\(problems)")
        for (format, _) in Self.formats {
            let song = try library.song(at: folder.file("music/tone.\(format)"))
            #expect(song.tags.title == "Tone in \(format)" && song.tags.artist == "GenreKit", "\(format): \(song.tags)")
            #expect(abs(song.durationSeconds - 4) < 0.1, "\(format): \(song.durationSeconds) s")
        }

        let writer = TagWriter(database: library)
        let plan = try writer.plan(minConfidence: 0, keepExisting: false)
        #expect(plan.count == Self.formats.count)
        var failures: [String] = []
        #expect(try writer.write(plan) { failures.append("\($0)") } == Self.formats.count, "\(failures)")
        for change in plan {
            #expect(try FFmpegCommand.genreTag(change.path) == change.new, "\(change.path)")
            #expect(try TagWriter.audioHash(change.path) == library.song(at: change.path).audioHash, "\(change.path)")
        }
        #expect(try writer.undo { failures.append("\($0)") } == Self.formats.count && failures.isEmpty, "\(failures)")
        for change in plan { #expect(try FFmpegCommand.genreTag(change.path) == nil, "\(change.path)") }
    }
}

/// The `ffmpeg` and `ffprobe` commands, for tests that need files of many formats.
enum FFmpegCommand {
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg") }

    static func run(_ arguments: [String]) throws {
        let (status, _) = try launch("/usr/bin/ffmpeg", ["-v", "error", "-y"] + arguments)
        #expect(status == 0, "ffmpeg \(arguments.joined(separator: " "))")
    }

    /// The file's genre tag as FFmpeg reads it (container or stream metadata), nil when it has none.
    static func genreTag(_ path: String) throws -> String? {
        let (_, output) = try launch("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "format_tags=genre:stream_tags=genre",
                                                          "-of", "default=noprint_wrappers=1:nokey=1", path])
        return output.split(separator: "\n").first.map(String.init)
    }

    private static func launch(_ command: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
