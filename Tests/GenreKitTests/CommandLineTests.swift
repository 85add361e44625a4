import Foundation
import Testing
import TestSupport

/// Runs the built `genre` executable, as a user would.
struct GenreRun {
    let status: Int32
    let stdout: String
    let stderr: String

    /// The executable sits beside the test bundle in the build folder.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent().appendingPathComponent("genre").path

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = String(decoding: outData, as: UTF8.self)
        stderr = String(decoding: errData, as: UTF8.self)
    }
}

@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable),
                "the genre executable is not built beside the tests"))
struct CommandLineTests {
    @Test func badInputsGetOneLineEachAndTheRestIsProcessed() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("narrowband.wav"), seconds: 2, sampleRate: 8000)
        try WAVWriter.tone(folder.file("hires.wav"), seconds: 2, sampleRate: 96000)
        try WAVWriter.tone(folder.file("surround.wav"), seconds: 2, sampleRate: 48000, channels: 6)
        try WAVWriter.write(folder.file("silence.wav"), frames: Array(repeating: [0], count: 44100), sampleRate: 22050)
        try WAVWriter.tone(folder.file("blip.wav"), seconds: 1000.0 / 22050, sampleRate: 22050)
        _ = FileManager.default.createFile(atPath: folder.file("empty.mp3"), contents: Data())
        _ = FileManager.default.createFile(atPath: folder.file("notes.mp3"), contents: Data("just some text\n".utf8))
        _ = FileManager.default.createFile(atPath: folder.file("picture.mp3"),
                                       contents: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 64)))
        try WAVWriter.tone(folder.file("whole.wav"), seconds: 2, sampleRate: 22050)
        let whole = try Data(contentsOf: URL(fileURLWithPath: folder.file("whole.wav")))
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: folder.file("truncated.wav")))

        let run = try GenreRun(["features", "--set", "gtzan57", folder.path, folder.file("missing.flac")])
        #expect(run.status == 1)
        let errors = run.stderr.split(separator: "\n").map(String.init)
        for bad in ["blip.wav", "empty.mp3", "notes.mp3", "picture.mp3", "truncated.wav", "missing.flac"] {
            #expect(errors.filter { $0.contains(bad) }.count == 1, "one line for \(bad) in:\n\(run.stderr)")
        }
        let rows = run.stdout.split(separator: "\n")
        #expect(rows.first?.hasPrefix("filename,length,chroma_stft_mean,") == true)
        let names = Set(rows.dropFirst().map { String($0.prefix { $0 != "," }) })
        #expect(names == ["hires.wav", "narrowband.wav", "silence.wav", "surround.wav", "whole.wav"])
        #expect(!run.stdout.lowercased().contains("nan") && !run.stdout.lowercased().contains("inf"))
        #expect(errors.contains { $0.contains("silence.wav") && $0.contains("silence") })
    }

    @Test func segmentsGetOneRowEachNamedByIndex() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("jazz.00001.wav"), seconds: 7, sampleRate: 22050)
        let output = folder.file("table.csv")
        let run = try GenreRun(["features", "--segment-seconds", "3", "--output", output, folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[1].hasPrefix("jazz.00001.0.wav,66150,"))
        #expect(rows[2].hasPrefix("jazz.00001.1.wav,66150,"))
        #expect(rows[2].hasSuffix(",jazz"))
    }

    @Test func tagsReportBadInputsInOneLineEach() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("short.wav"), seconds: 2, sampleRate: 22050)
        try WAVWriter.tone(folder.file("long.wav"), seconds: 4, sampleRate: 22050)
        let run = try GenreRun(["tags", "--top", "3", "--model", "MSD_vgg", folder.path, folder.file("missing.flac")])
        #expect(run.status == 1)
        let errors = run.stderr.split(separator: "\n")
        #expect(errors.count == 2 && errors.allSatisfy { $0.hasPrefix("genre: ") }, "\(run.stderr)")
        #expect(errors.contains { $0.contains("short.wav") && $0.contains("shorter than one musicnn patch") })
        #expect(run.stdout.split(separator: "\n").count == 4, "\(run.stdout)")  // the long song and its top 3 tags
        #expect(try GenreRun(["tags", "--model", "GTZAN_musicnn", folder.path]).status == 2)
    }

    @Test func usageErrorsExitWithStatusTwo() throws {
        #expect(try GenreRun(["features", "--set", "nope", "x.wav"]).status == 2)
        #expect(try GenreRun(["features", "--segment-seconds", "-1", "x.wav"]).status == 2)
        #expect(try GenreRun(["features"]).status == 2)
    }

    @Test func nothingIsWrittenWhenEveryInputFails() throws {
        let folder = try TemporaryFolder()
        let run = try GenreRun(["features", "--output", folder.file("out.csv"), folder.file("missing.wav")])
        #expect(run.status == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.csv")))
    }
}
