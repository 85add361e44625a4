import Foundation
import GRDB
import Testing
import TestSupport

/// The command line, built beside the test bundle.
enum GenreExecutable {
    static let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("genre").path
    static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }
}

/// `genre library` as a user runs it: a scan killed with SIGKILL mid-way resumes with nothing lost
/// and nothing twice; list, show and stats read what it stored.
@Suite(.serialized, .enabled(if: GenreExecutable.isBuilt, "the genre executable is not built beside the tests"))
struct LibraryCommandTests {

    /// Runs genre with `arguments`; its exit status and standard output.
    static func genre(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: GenreExecutable.path)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func aKilledScanResumesWithNothingLostOrTwice() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("music"), withIntermediateDirectories: true)
        for name in ["awol-food.mp3", "black-elk-toggle.mp3", "explode-into-colors-heat.mp3"] {
            try FileManager.default.copyItem(atPath: LibraryScanTests.examples + "/" + name, toPath: folder.file("music/" + name))
        }
        let lengths = 4 ... 27
        for seconds in lengths {
            try WAVWriter.tone(folder.file("music/tone-\(seconds).wav"), hz: 20 * Double(seconds), seconds: Double(seconds), sampleRate: 22050)
        }
        let total = 3 + lengths.count
        let db = folder.file("library.sqlite")

        let scan = Process()
        scan.executableURL = URL(fileURLWithPath: GenreExecutable.path)
        scan.arguments = ["library", "scan", folder.file("music"), "--db", db, "--jobs", "1", "--quiet"]
        scan.standardOutput = FileHandle.nullDevice
        scan.standardError = FileHandle.nullDevice
        try scan.run()
        // Killed once some songs are stored and before all are, watched from a thread of its own so
        // that a busy task pool (other suites running) cannot make it look too late.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                for _ in 0 ..< 6000 where scan.isRunning {
                    let stored = (try? DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM song") ?? 0 }) ?? 0
                    if stored >= 2 { break }
                    usleep(10_000)
                }
                kill(scan.processIdentifier, SIGKILL)
                done.resume()
            }
        }
        scan.waitUntilExit()
        let before = try await DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM song") ?? 0 }
        #expect(before >= 2 && before < total, "the scan was killed after \(before) of \(total) songs")

        let resumed = try Self.genre(["library", "scan", folder.file("music"), "--db", db, "--quiet"])
        #expect(resumed.status == 0)
        #expect(resumed.output.contains("\(total - before) added, 0 updated, 0 moved, \(before) unchanged, 0 gone, 0 failed"),
                "\(resumed.output)")
        let rows = try await DatabaseQueue(path: db).read { try Row.fetchAll($0, sql: "SELECT path, COUNT(*) AS n FROM song GROUP BY path") }
        #expect(rows.count == total && rows.allSatisfy { $0["n"] == 1 })

        let csv = try Self.genre(["library", "list", "--db", db, "--format", "csv"]).output.split(separator: "\n")
        #expect(csv.first == "path,genre,confidence,genre_tag,artist,title,duration_seconds" && csv.count == total + 1)
        let hiphop = try Self.genre(["library", "list", "--db", db, "--genre", "hiphop"]).output
        #expect(hiphop.contains("awol-food.mp3"))
        let shown = try Self.genre(["library", "show", folder.file("music/awol-food.mp3"), "--db", db])
        #expect(shown.status == 0 && shown.output.contains("genres: hiphop") && shown.output.contains("timeline:"))
        let stats = try Self.genre(["library", "stats", "--db", db]).output
        #expect(stats.contains("\(total) songs (0 gone, 0 failed to analyse)") && stats.contains("last scan:"), "\(stats)")
        let dryRun = try Self.genre(["library", "tag", "--dry-run", "--db", db])
        // The examples carry their own genre tags; the tones have none.
        let changes = dryRun.output.split(separator: "\n").filter { $0.contains(" -> ") }.count
        #expect(dryRun.status == 0 && dryRun.output.contains("tone-4.wav: (none) -> ") && changes >= 6
                && dryRun.output.hasSuffix("\n\(changes) files would change\n"), "\(dryRun.output)")
        #expect(try Self.genre(["library", "tag", "--db", db]).status == 2)
        let missing = try Self.genre(["library", "show", folder.file("music/none.mp3"), "--db", db])
        #expect(missing.status == 1)
        #expect(try Self.genre(["library", "stats", "--db", folder.file("none.sqlite")]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("none.sqlite")))
    }
}
