import Foundation
import GenreKit
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

    /// `launcher` runs the executable (e.g. as another user) when given: its first word is the program.
    /// `input` is its standard input (none when nil).
    init(_ arguments: [String], launcher: [String] = [], input: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.executable)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [Self.executable] + arguments
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        if input != nil { process.standardInput = inPipe }
        try process.run()
        if let input {
            try inPipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
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

    /// Far too loud audio is clipped with a warning by every verb; no answer is NaN, and one file
    /// cannot cost the others their results (JSON once lost the whole array to one NaN).
    @Test func loudAudioIsClippedWithAWarningAndNeverNaN() throws {
        let folder = try TemporaryFolder()
        let tone = (0 ..< 22050 * 4).map { Float(0.3 * sin(Double($0) * 0.125)) }
        try WAVWriter.write(folder.file("fine.wav"), samples: tone, channels: 1, sampleRate: 22050, float: true)
        try WAVWriter.write(folder.file("loud.wav"), samples: tone.map { $0 * 100 }, channels: 1, sampleRate: 22050, float: true)
        var spiked = tone
        spiked[1000] = 1e5
        try WAVWriter.write(folder.file("spike.wav"), samples: spiked, channels: 1, sampleRate: 22050, float: true)

        for verb in [["tags", "--format", "json"], ["classify", "--format", "json"], ["features"]] {
            let run = try GenreRun(verb + ["-q", folder.path])
            #expect(run.status == 0, "\(verb): \(run.stderr)")
            #expect(!run.stdout.lowercased().contains("nan") && !run.stdout.lowercased().contains("inf"), "\(verb)")
            let warnings = run.stderr.split(separator: "\n")
            #expect(warnings.count == 2 && warnings.allSatisfy { $0.contains("clipped to +6 dB") }, "\(verb): \(run.stderr)")
            if verb.contains("json") {
                let songs = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [Any]
                #expect(songs?.count == 3, "\(verb)")
            } else {
                #expect(run.stdout.split(separator: "\n").count == 4)
            }
        }
    }

    @Test func aSongShorterThanOneWindowIsClassifiedWithAWarning() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("blip.wav"), seconds: 0.1, sampleRate: 22050)
        let run = try GenreRun(["classify", "-q", folder.file("blip.wav")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("blip.wav: warning: the song is 0.10 s long, shorter than the model's 3 s window"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("\(folder.file("blip.wav")) (0:00.10)"), "\(run.stdout)")
    }

    /// 40 songs at once give the answers one at a time gives, byte for byte, in every verb.
    @Test func answersDoNotDependOnHowManySongsRunAtOnce() throws {
        let folder = try TemporaryFolder()
        var generator = SplitMix(seed: 40)
        for song in 0 ..< 40 {
            // A chord over noise, different for each song.
            let hz = (0 ..< 3).map { _ in 110 * pow(2, 4 * (generator.nextUnit() + 1)) }
            let samples = (0 ..< 22050 * 7 / 2).map { i in
                Float(hz.map { 0.2 * sin(2 * Double.pi * $0 * Double(i) / 22050) }.reduce(0, +) + 0.05 * generator.nextUnit())
            }
            try WAVWriter.write(folder.file("song\(song).wav"), samples: samples, channels: 1, sampleRate: 22050)
        }
        for verb in [["classify", "--timeline", "--format", "jsonl"], ["tags", "--format", "csv"], ["features", "--segment-seconds", "2"]] {
            let outputs = try [1, 2, 40].map { jobs in
                let run = try GenreRun(verb + ["-q", "--jobs", "\(jobs)", folder.path])
                #expect(run.status == 0, "\(verb) --jobs \(jobs): \(run.stderr)")
                return run.stdout
            }
            #expect(outputs[0].split(separator: "\n").count >= 40, "\(verb)")
            #expect(outputs.allSatisfy { $0 == outputs[0] }, "\(verb): the answers differ with --jobs")
        }
    }

    /// Issue 14's crafted bundles, their checksums made to match, through the command line in a
    /// process limited to 1 GB of address space: an XGBoost array count made 2^31 by one flipped
    /// byte (XGBoost allocated gigabytes, then crashed), the payload cut in half, and a logistic
    /// class count of 1e9 (4 GB for 15 s) are each refused in one line, quickly; a thread count
    /// of 100000 (libgomp ended the process) classifies.
    @Test func craftedBundlesAreRefusedQuicklyInBoundedMemory() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("song.wav"), seconds: 4, sampleRate: 22050)
        let xgboost = try ModelBundleTests.bundle(.xgboost)
        let payload = try ModelBundleTests.boosterPayload(xgboost)
        let flipped = try #require(UBJSONEdit.replacing(payload, after: "left_children", at: 9, with: [0x80]))
        let model = ModelBundleTests.booster + ["model"]
        let cases: [(String, Data, Int32)] = [
            ("flipped", try ModelBundleTests.forged(xgboost, [(model, Data(flipped).base64EncodedString())]), 1),
            ("truncated", try ModelBundleTests.forged(xgboost, [(model, Data(payload.prefix(payload.count / 2)).base64EncodedString())]), 1),
            ("threads", try ModelBundleTests.forged(xgboost, [(ModelBundleTests.booster + ["threadCount"], 100_000)]), 0),
            ("classes", try ModelBundleTests.forged(ModelBundleTests.bundle(),
                                                    [(ModelBundleTests.model("logistic", "state", "classes", "classCount"), 1_000_000_000)]), 1),
        ]
        let clock = ContinuousClock()
        for (name, bytes, status) in cases {
            let path = folder.file("\(name).genremodel")
            try bytes.write(to: URL(fileURLWithPath: path))
            var run: GenreRun?
            let time = try clock.measure {
                run = try GenreRun(["classify", "--bundle", path, folder.file("song.wav")], launcher: ["/usr/bin/prlimit", "--as=1000000000"])
            }
            #expect(run?.status == status, "\(name): \(run?.stderr ?? "")")
            #expect(status == 0 || run?.stderr.contains("the model bundle is damaged") == true, "\(name): \(run?.stderr ?? "")")
            #expect(time < .seconds(5), "\(name)")
        }
    }

    /// Issue 14's WAV headers of 1 and 10 Hz (memory grew to 12 GB) are refused at once by every
    /// verb, in a process limited to 1 GB of address space; a file over `--max-duration` is
    /// refused naming the limit, and the rest of the run goes on.
    @Test func absurdRatesAndFilesOverTheDurationLimitAreRefusedAtOnce() throws {
        let folder = try TemporaryFolder()
        for rate in [1, 10] {
            try WAVWriter.write(folder.file("rate\(rate).wav"), samples: [Float](repeating: 0.25, count: 650_000), channels: 1, sampleRate: rate)
        }
        try WAVWriter.tone(folder.file("song.wav"), seconds: 4, sampleRate: 22050)
        let clock = ContinuousClock()
        for verb in ["classify", "tags", "features"] {
            var run: GenreRun?
            let time = try clock.measure {
                run = try GenreRun([verb, "-q", folder.file("rate1.wav"), folder.file("rate10.wav")],
                                   launcher: ["/usr/bin/prlimit", "--as=1000000000"])
            }
            // No answers: at most the CSV header of `features`.
            #expect(run?.status == 1 && run?.stdout.split(separator: "\n").count ?? 0 <= 1, "\(verb): \(run?.stderr ?? "")")
            #expect(run?.stderr.contains("rate1.wav: its header gives a sample rate of 1 Hz, outside the 1000 to 768000 Hz") == true,
                    "\(verb): \(run?.stderr ?? "")")
            #expect(time < .seconds(5), "\(verb)")

            let limited = try GenreRun([verb, "-q", "--max-duration", "2s", folder.file("song.wav")])
            #expect(limited.status == 1 && limited.stderr.contains("song.wav holds 4.0 s of audio, more than the limit of 2.0 s"),
                    "\(verb): \(limited.stderr)")
            #expect(try GenreRun([verb, "-q", "--max-duration", "0.1h", folder.file("song.wav")]).status == 0, "\(verb)")
            #expect(try GenreRun([verb, "--max-duration", "soon", folder.file("song.wav")]).status == 2, "\(verb)")
        }
    }

    /// Paths read from a list or standard input give one JSON line each as they finish, failures
    /// included; a run killed mid-way and resumed gives every path exactly once, with the answers
    /// an uninterrupted run gives.
    @Test func listedPathsAreAnsweredOnceEvenAcrossAKill() throws {
        let folder = try TemporaryFolder()
        var paths: [String] = []
        for song in 0 ..< 12 {
            let path = folder.file("song\(song).wav")
            try WAVWriter.tone(path, hz: 110 * Double(song + 1), seconds: 3.5, sampleRate: 22050)
            paths.append(path)
        }
        paths.insert(folder.file("missing.wav"), at: 5)
        let list = folder.file("list.txt")
        try (paths.joined(separator: "\n") + "\n").write(toFile: list, atomically: true, encoding: .utf8)

        let whole = try GenreRun(["classify", "-q", "--jobs", "1", "--format", "jsonl", "--files-from", "-"],
                                 input: paths.joined(separator: "\n"))
        #expect(whole.status == 1 && whole.stderr.contains("missing.wav: no such file or folder"), "\(whole.stderr)")
        let expected = Set(whole.stdout.split(separator: "\n"))
        #expect(expected.count == paths.count && expected.contains { $0.contains("\"error\"") && $0.contains("missing.wav") })

        let out = folder.file("out.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GenreRun.executable)
        process.arguments = ["classify", "-q", "--jobs", "1", "--format", "jsonl", "--files-from", list, "-o", out]
        try process.run()
        while ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").count < 3 { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let partial = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count
        #expect(partial >= 3 && partial < paths.count, "killed after \(partial) lines")
        // A line cut short by the kill (as a full pipe or a slow disk could leave) is repaired too.
        let handle = try #require(FileHandle(forWritingAtPath: out))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"aggregation\":\"me".utf8))
        try handle.close()

        let resumed = try GenreRun(["classify", "-q", "--format", "jsonl", "--files-from", list, "--resume", out])
        // The status is 1 when the missing file came after the kill; its error line is there either way.
        #expect(resumed.status <= 1 && resumed.stdout.isEmpty, "\(resumed.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == paths.count && Set(lines) == expected)

        // tags and features read lists and write error lines alike; feature rows name their file's path.
        for verb in ["tags", "features"] {
            let run = try GenreRun([verb, "-q", "--format", "jsonl", "--files-from", "-"], input: paths[4 ... 6].joined(separator: "\n"))
            let objects = try run.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.compactMap { $0["path"] as? String } == Array(paths[4 ... 6]), "\(verb): \(run.stdout)")
            #expect(objects.map { $0["error"] != nil } == [false, true, false], "\(verb)")
        }
        #expect(try GenreRun(["classify", "--resume", out, paths[0]]).status == 2)
        #expect(try GenreRun(["features", "--format", "jsonl"]).status == 2)
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
        let run = try GenreRun(["tags", "--top", "3", "--network", "MSD_vgg", folder.path, folder.file("missing.flac")])
        #expect(run.status == 1)
        let errors = run.stderr.split(separator: "\n")
        #expect(errors.count == 2 && errors.allSatisfy { $0.hasPrefix("genre: ") }, "\(run.stderr)")
        #expect(errors.contains { $0.contains("short.wav") && $0.contains("shorter than one musicnn patch") })
        #expect(run.stdout.split(separator: "\n").count == 4, "\(run.stdout)")  // the long song and its top 3 tags
        #expect(try GenreRun(["tags", "--network", "GTZAN_musicnn", folder.path]).status == 2)
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

    /// Each meaning of the old `--model` has its own word now; the old spelling says which.
    @Test func oldSpellingsAreUsageErrorsNamingTheNewOne() throws {
        for (arguments, replacement) in [(["classify", "--model", "x.genremodel", "song.mp3"], "--bundle <file>"),
                                         (["tags", "--model", "MSD_vgg", "song.mp3"], "--network <name>")] {
            let run = try GenreRun(arguments)
            #expect(run.status == 2 && run.stdout.isEmpty)
            #expect(run.stderr.contains(replacement), "\(run.stderr)")
            #expect(!run.stderr.contains("song.mp3: "), "refused before any input was read")
        }
        let help = try GenreRun(["classify", "--help"]).stdout + (try GenreRun(["tags", "--help"]).stdout)
        #expect(!help.contains("--model"), "the old spelling is not offered")
    }

    @Test func versionIsTheOneBundlesRecord() throws {
        let run = try GenreRun(["--version"])
        #expect(run.status == 0 && run.stdout == GenreKitVersion.current + "\n")
    }

    @Test func helpOnAnUnknownCommandIsAUsageError() throws {
        let unknown = try GenreRun(["help", "nosuch"])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("'nosuch'") && unknown.stderr.contains("classify, tags, features, train, evaluate"))
        let nested = try GenreRun(["help", "classify", "nosuch"])
        #expect(nested.status == 2 && nested.stderr.contains("'genre classify' has no command 'nosuch'"))
        let known = try GenreRun(["help", "tags"])
        #expect(known.status == 0 && known.stdout.contains("--network <network>"))
    }

    @Test func completionScriptsOfferTheVerbsOwnOptions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let run = try GenreRun(["--generate-completion-script", shell])
            #expect(run.status == 0, "\(shell): \(run.stderr)")
            #expect(run.stdout.contains("--bundle") && run.stdout.contains("MSD_musicnn") && run.stdout.contains("jsonl"), "\(shell)")
        }
    }

    /// Enumerated values are listed in help, each verb offering the formats that make sense for it,
    /// and an option a verb cannot use is not offered by it.
    @Test func helpListsEachVerbsValuesAndNothingElse() throws {
        let features = try GenreRun(["features", "--help"]).stdout
        #expect(features.contains("jsonl") && features.contains("--segment-seconds"))
        #expect(try GenreRun(["features", "--format", "text", "x.wav"]).status == 2, "features writes a table, not text")
        let evaluate = try GenreRun(["evaluate", "--help"]).stdout
        #expect(evaluate.contains("markdown") && evaluate.contains("grouped-kfold") && evaluate.contains("rbf-svm"))
        #expect(try GenreRun(["evaluate", "--format", "jsonl", "x.csv"]).status == 2)
        let tags = try GenreRun(["tags", "--help"]).stdout
        #expect(tags.contains("MTT_vgg") && tags.contains("geometric") && tags.contains("at least 50%"))
        for (verb, option) in [("classify", "--set"), ("classify", "--segment-seconds"), ("tags", "--set"), ("features", "--top")] {
            #expect(try GenreRun([verb, option, "3", "x.wav"]).status == 2, "\(verb) \(option)")
        }
    }

    /// `tags` says tags, names its network and combines patches as `--aggregation` says.
    @Test func tagsOutputSaysTagsAndNamesItsNetwork() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("tone.wav"), seconds: 7, sampleRate: 22050)   // two patches
        let run = try GenreRun(["tags", "--format", "json", "--timeline", "--top", "50", folder.file("tone.wav")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"path\" : \"\(folder.file("tone.wav"))\""), "slashes unescaped")
        let song = try #require((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(song["network"] as? String == "MSD_musicnn" && song["genres"] == nil && song["aggregation"] as? String == "mean")
        let tags = try #require(song["tags"] as? [[String: Any]])
        #expect(tags.count == 50 && tags.allSatisfy { $0["tag"] is String })
        let probability = { (tag: [String: Any]) in tag["probability"] as? Double ?? -1 }
        #expect(tags.allSatisfy { abs((probability($0) * 10_000).rounded() - probability($0) * 10_000) < 1e-6 }, "4 decimals")
        let windows = try #require(song["windows"] as? [[String: Any]])
        #expect(windows.count == 2 && windows[0]["start_seconds"] as? Double == 0 && windows[0]["end_seconds"] as? Double == 2.99)
        #expect((windows[0]["tags"] as? [[String: Any]])?.first?["tag"] is String)

        let text = try GenreRun(["tags", "--timeline", "--top", "1", folder.file("tone.wav")]).stdout
        #expect(text.contains("tags by MSD_musicnn") && text.contains("    0:00.00-0:02.99  "), "\(text)")
        let csv = try GenreRun(["tags", "--format", "csv", "--network", "MSD_vgg", folder.file("tone.wav")]).stdout
        #expect(csv.hasPrefix("path,network,window,start_seconds,end_seconds,rank,tag,probability\n"))
        #expect(csv.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",MSD_vgg,song,") })

        // A vote per patch: a share of the two patches; the geometric mean is never above the mean.
        let vote = try GenreRun(["tags", "--format", "json", "--top", "50", "--aggregation", "vote", folder.file("tone.wav")])
        let votes = try #require(((try JSONSerialization.jsonObject(with: Data(vote.stdout.utf8)) as? [[String: Any]])?.first?["tags"]) as? [[String: Any]])
        #expect(votes.allSatisfy { [0, 0.5, 1].contains(probability($0)) })
        let geometric = try GenreRun(["tags", "--format", "json", "--top", "50", "--aggregation", "geometric", folder.file("tone.wav")])
        let lower = try #require(((try JSONSerialization.jsonObject(with: Data(geometric.stdout.utf8)) as? [[String: Any]])?.first?["tags"]) as? [[String: Any]])
        let mean = Dictionary(uniqueKeysWithValues: tags.map { ($0["tag"] as! String, probability($0)) })
        #expect(lower.allSatisfy { probability($0) <= mean[$0["tag"] as! String]! + 1e-4 })
    }

    /// JSON lines: one object per song, written as each is done.
    @Test func jsonLinesGiveOneObjectPerInput() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("a.wav"), seconds: 4, sampleRate: 22050)
        try WAVWriter.tone(folder.file("b.wav"), hz: 880, seconds: 4, sampleRate: 22050)
        for (verb, key) in [("tags", "tags"), ("features", "chroma_stft_mean")] {
            let run = try GenreRun([verb, "--format", "jsonl", folder.path])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(verb)")
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?[key] != nil, "\(verb): \(line.prefix(80))")
            }
        }
        let table = try GenreRun(["features", "--format", "json", folder.file("a.wav")])
        let rows = try JSONSerialization.jsonObject(with: Data(table.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["filename"] as? String == "a.wav" && rows?.first?["label"] is NSNull)
    }

    /// The last window of a song is aligned with its end, so its times are not whole seconds: text
    /// and JSON show the same hundredths.
    @Test func windowTimesAgreeBetweenTextAndJSON() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("song.wav"), seconds: 7.2345, sampleRate: 22050)
        let text = try GenreRun(["classify", "--timeline", "--top", "1", folder.file("song.wav")])
        let json = try GenreRun(["classify", "--timeline", "--top", "1", "--format", "json", folder.file("song.wav")])
        #expect(text.status == 0 && json.status == 0, "\(text.stderr)\(json.stderr)")
        let shown = text.stdout.matches(of: /(\d+):(\d\d\.\d\d)-(\d+):(\d\d\.\d\d)/).map {
            [Double($0.1)! * 60 + Double($0.2)!, Double($0.3)! * 60 + Double($0.4)!]
        }
        let song = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])?.first)
        let windows = try #require(song["windows"] as? [[String: Any]])
        let written = windows.map { [$0["start_seconds"] as! Double, $0["end_seconds"] as! Double] }
        #expect(shown.count == 3 && shown == written, "text \(shown), JSON \(written)")
        #expect(written.last == [4.23, 7.23])
        #expect(text.stdout.contains("(0:07.23)") && song["duration_seconds"] as? Double == 7.23)
    }

    /// An output that cannot be written is refused before any input is read, in a sentence.
    @Test func anUnwritableOutputIsRefusedBeforeAnyWork() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("song.wav"), seconds: 4, sampleRate: 22050)
        let locked = folder.file("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
        // root may write into a read-only folder, but not into /proc/sys.
        let unwritable = getuid() == 0 ? "/proc/sys/out.csv" : locked + "/out.csv"
        let cases = [(folder.file("missing/out.csv"), "does not exist"), (folder.path, "is a folder"),
                     (folder.file("song.wav"), "one of the inputs"), (unwritable, "cannot be created")]
        for verb in ["classify", "tags", "features"] {
            for (output, reason) in cases {
                let run = try GenreRun([verb, "-o", output, folder.file("song.wav"), folder.file("absent.wav")])
                #expect(run.status == 2, "\(verb) -o \(output)")
                #expect(run.stderr.contains("cannot write --output \(output): ") && run.stderr.contains(reason), "\(run.stderr)")
                #expect(!run.stderr.contains("absent.wav") && !run.stderr.contains("NSCocoaErrorDomain"), "no input was read: \(run.stderr)")
            }
        }
        #expect(FileManager.default.contents(atPath: folder.file("song.wav"))!.count > 1000, "the input is untouched")
    }

    /// `-o -` is standard output; a link given as the output is written through (it stays a link);
    /// a pipe or a device is refused before any work, never replaced by a regular file.
    @Test func outputsAreStandardOutputFilesThroughLinksNeverSpecialFiles() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("tone.wav"), seconds: 1, sampleRate: 22050)
        let dash = try GenreRun(["features", "--quiet", folder.file("tone.wav"), "-o", "-"])
        #expect(dash.status == 0 && dash.stdout.hasPrefix("filename,"), "\(dash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/-"))
        try FileManager.default.createSymbolicLink(atPath: folder.file("link.csv"), withDestinationPath: "target.csv")
        let linked = try GenreRun(["features", "--quiet", folder.file("tone.wav"), "-o", folder.file("link.csv")])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.file("link.csv")) == "target.csv")
        #expect(try String(contentsOfFile: folder.file("target.csv"), encoding: .utf8).hasPrefix("filename,"))
        #expect(mkfifo(folder.file("pipe"), 0o644) == 0)
        for special in [folder.file("pipe"), "/dev/null"] {
            let run = try GenreRun(["features", "--quiet", folder.file("tone.wav"), "-o", special])
            #expect(run.status == 2 && run.stderr.contains("it is not a regular file"), "\(special): \(run.stderr)")
        }
        var info = stat()
        #expect(lstat(folder.file("pipe"), &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }
}

/// A folder that cannot be read, below one given on the command line: named on stderr, the rest still
/// processed, exit status 1. Root reads every folder, so as root the run drops to user nobody.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable)
                    && (getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")),
                "the genre executable is not built beside the tests, or root has no setpriv to drop to another user"))
struct UnreadableFolderTests {
    @Test func anUnreadableSubfolderIsNamedAndTheRestIsProcessed() throws {
        let folder = try TemporaryFolder()
        for name in ["open", "locked"] {
            try FileManager.default.createDirectory(atPath: folder.file(name), withIntermediateDirectories: true)
            try WAVWriter.tone(folder.file("\(name)/tone.wav"), seconds: 1, sampleRate: 22050)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: folder.file("locked"))
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("locked")) }
        let launcher = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let run = try GenreRun(["features", "--quiet", folder.path], launcher: launcher)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("\(folder.file("locked")): folder cannot be read (Permission denied); its files are left out"),
                "\(run.stderr)")
        #expect(!run.stderr.contains("holds no audio files"), "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n")
        #expect(rows.count == 2 && rows[1].hasPrefix("tone.wav,"), "\(run.stdout)")
    }
}
