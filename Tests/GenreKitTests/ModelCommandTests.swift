import Foundation
import Testing
import TestSupport

/// `genre train`, `evaluate` and `classify` end to end on a tiny synthetic dataset: low tones
/// against high tones, which any model separates.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable),
                "the genre executable is not built beside the tests"))
struct ModelCommandTests {
    static func dataset() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for genre in ["low", "high"] {
            try FileManager.default.createDirectory(atPath: folder.file(genre), withIntermediateDirectories: true)
            for index in 0 ..< 6 {
                let hz = genre == "low" ? 110 + 20 * Double(index) : 3000 + 150 * Double(index)
                try WAVWriter.tone(folder.file("\(genre)/\(genre).\(index).wav"), hz: hz, seconds: 4, sampleRate: 22050)
            }
        }
        return folder
    }

    @Test func trainThenClassifyANewSong() throws {
        let data = try Self.dataset()
        let model = data.file("tones.genremodel")
        let train = try GenreRun(["train", data.path, "--segment-seconds", "2", "--model", "logistic",
                                  "--protocol", "kfold", "--folds", "3", "--quiet", "-o", model])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("stratified 3-fold"))

        let song = data.file("new.wav")
        try WAVWriter.tone(song, hz: 3500, seconds: 7, sampleRate: 44100, channels: 2)
        let text = try GenreRun(["classify", "--model", model, "--top", "1", "--timeline", song])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("high"))
        #expect(text.stdout.contains("timeline (4 windows)"))

        let json = try GenreRun(["classify", "--model", model, "--format", "json", "--aggregation", "vote", song])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["aggregation"] as? String == "vote")
        #expect((parsed?.first?["genres"] as? [[String: Any]])?.first?["genre"] as? String == "high")

        let csv = try GenreRun(["classify", "--model", model, "--format", "csv", "--top", "2", "--timeline", song])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "path,window,start_seconds,end_seconds,rank,genre,probability")
        #expect(lines.count == 1 + 2 + 4 * 2)
    }

    /// A fine-tuned musicnn bundle: trained on musicnn's input patches, it classifies from them.
    @Test func fineTunedMusicnnBundle() throws {
        let data = try Self.dataset()
        let model = data.file("tuned.genremodel")
        let train = try GenreRun(["train", data.path, "--set", "musicnn-input", "--segment-seconds", "3",
                                  "--model", "musicnn-fine-tune", "--frozen-blocks", "2", "--fine-tuning-epochs", "30",
                                  "--skip-evaluation", "--quiet", "-o", model])
        #expect(train.status == 0, "\(train.stderr)")
        let song = data.file("new.wav")
        try WAVWriter.tone(song, hz: 3300, seconds: 6, sampleRate: 44100, channels: 2)
        let run = try GenreRun(["classify", "--model", model, "--top", "1", song])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("high"), "\(run.stdout)")
        let refused = try GenreRun(["train", data.path, "--set", "gtzan57", "--model", "musicnn-fine-tune",
                                    "--skip-evaluation", "--quiet", "-o", data.file("refused.genremodel")])
        #expect(refused.status != 0 && refused.stderr.contains("--set musicnn-input"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.file("refused.genremodel")))
    }

    @Test func evaluateReportsAndLeakyProtocolSaysSoFirst() throws {
        let data = try Self.dataset()
        let svg = data.file("confusion.svg")
        let run = try GenreRun(["evaluate", data.path, "--segment-seconds", "2", "--model", "naive-bayes", "--model", "knn",
                                "--protocol", "kfold", "--folds", "3", "--quiet", "--confusion-svg", svg])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("stratified 3-fold"))
        #expect(run.stdout.contains("weighted avg"))
        #expect(run.stdout.contains("mean ± std over 3 folds"))
        #expect(FileManager.default.contents(atPath: svg).map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg") } == true)

        let leaky = try GenreRun(["evaluate", data.path, "--segment-seconds", "2", "--model", "knn",
                                  "--leaky-random-segments", "0.25", "--quiet", "--format", "markdown"])
        #expect(leaky.status == 0, "\(leaky.stderr)")
        #expect(leaky.stdout.hasPrefix("**LEAKY"))
    }

    @Test func badModelsAndBadInputsAreClearErrors() throws {
        let data = try Self.dataset()
        FileManager.default.createFile(atPath: data.file("bad.genremodel"), contents: Data("GENREKIT-MODEL 1\nsha256 00\n{}".utf8))
        let bad = try GenreRun(["classify", "--model", data.file("bad.genremodel"), data.file("low/low.0.wav")])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("damaged") && bad.stdout.isEmpty)

        let missing = try GenreRun(["classify", data.file("low/low.0.wav"), data.file("absent.mp3")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.mp3"))
        #expect(missing.stdout.contains("low.0.wav"))

        let usage = try GenreRun(["evaluate", data.path, "--model", "perceptron"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("unknown model 'perceptron'"))
    }

    @Test func theEmbeddedModelClassifiesTheExamples() throws {
        let examples = SharedData.packageRoot.appendingPathComponent("Examples").path
        let run = try GenreRun(["classify", "--format", "json", examples])
        #expect(run.status == 0, "\(run.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 3)
        for song in parsed ?? [] {
            let genres = song["genres"] as? [[String: Any]] ?? []
            #expect(genres.count == 3)
            let probabilities = genres.compactMap { $0["probability"] as? Double }
            #expect(probabilities.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
            #expect(probabilities == probabilities.sorted(by: >))
        }
    }
}
