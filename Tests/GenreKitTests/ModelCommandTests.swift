import Foundation
import GenreKit
import Testing
import TestSupport

/// `genre train`, `evaluate` and `classify` end to end on a tiny synthetic dataset: low tones
/// against high tones, which any model separates.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: GenreRun.executable),
                "the genre executable is not built beside the tests"))
struct ModelCommandTests {
    /// With `gtzanNames`, low tones are blues and high ones metal, named as GTZAN names its files
    /// (`blues/blues.00000.wav`), so that `genre features` labels their rows.
    static func dataset(gtzanNames: Bool = false) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for (genre, low) in gtzanNames ? [("blues", true), ("metal", false)] : [("low", true), ("high", false)] {
            try FileManager.default.createDirectory(atPath: folder.file(genre), withIntermediateDirectories: true)
            for index in 0 ..< 6 {
                let hz = low ? 110 + 20 * Double(index) : 3000 + 150 * Double(index)
                let name = gtzanNames ? "\(genre).0000\(index).wav" : "\(genre).\(index).wav"
                try WAVWriter.tone(folder.file("\(genre)/\(name)"), hz: hz, seconds: 4, sampleRate: 22050)
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
        let text = try GenreRun(["classify", "--bundle", model, "--top", "1", "--timeline", song])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("high"))
        #expect(text.stdout.contains("timeline (4 windows)"))

        let json = try GenreRun(["classify", "--bundle", model, "--format", "json", "--aggregation", "vote", song])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["aggregation"] as? String == "vote")
        #expect((parsed?.first?["genres"] as? [[String: Any]])?.first?["genre"] as? String == "high")

        let csv = try GenreRun(["classify", "--bundle", model, "--format", "csv", "--top", "2", "--timeline", song])
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
        let run = try GenreRun(["classify", "--bundle", model, "--top", "1", song])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("high"), "\(run.stdout)")
        let refused = try GenreRun(["train", data.path, "--set", "gtzan57", "--model", "musicnn-fine-tune",
                                    "--skip-evaluation", "--quiet", "-o", data.file("refused.genremodel")])
        #expect(refused.status != 0 && refused.stderr.contains("--set musicnn-input"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.file("refused.genremodel")))
    }

    /// A network on log-mel patches takes its own set and 3 s windows when none are given; a set it
    /// cannot use, or two networks that take different sets, are usage errors naming the sets.
    @Test func aNetworkTakesItsOwnInputByDefault() throws {
        let data = try Self.dataset()
        let model = data.file("crnn.genremodel")
        let train = try GenreRun(["train", data.path, "--model", "crnn", "--skip-evaluation", "--quiet", "-o", model])
        #expect(train.status == 0, "\(train.stderr)")
        let bundle = try ModelBundle(contentsOf: model)
        #expect(bundle.featureSet == "logmel96" && bundle.segmentSeconds == 3 && bundle.pipeline.classifier.kind == .crnn)
        let song = data.file("new.wav")
        try WAVWriter.tone(song, hz: 3300, seconds: 6, sampleRate: 44100)
        let run = try GenreRun(["classify", "--bundle", model, "--timeline", song])
        #expect(run.status == 0 && run.stdout.contains("timeline (2 windows)"), "\(run.stdout)\(run.stderr)")

        let refused = try GenreRun(["train", data.path, "--set", "gtzan57", "--model", "crnn", "--quiet", "-o", data.file("refused.genremodel")])
        #expect(refused.status == 2 && refused.stderr.contains("--model crnn takes its own input, --set logmel96, not gtzan57"),
                "\(refused.stderr)")
        let mixed = try GenreRun(["evaluate", data.path, "--model", "fcn5", "--model", "edge-cnn", "--quiet"])
        #expect(mixed.status == 2 && mixed.stderr.contains("--model fcn5 takes --set logmel96, --model edge-cnn takes --set logmel128"),
                "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.file("refused.genremodel")))
    }

    @Test func evaluateReportsAndLeakyProtocolSaysSoFirst() throws {
        let data = try Self.dataset()
        let svgs = data.file("confusion")
        let run = try GenreRun(["evaluate", data.path, "--segment-seconds", "2", "--model", "naive-bayes", "--model", "knn",
                                "--protocol", "kfold", "--folds", "3", "--quiet", "--confusion-svg", svgs])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("stratified 3-fold"))
        #expect(run.stdout.contains("weighted avg"))
        #expect(run.stdout.contains("mean ± std over 3 folds"))
        for model in ["naive-bayes", "knn"] {
            #expect(FileManager.default.contents(atPath: svgs + "/\(model).svg").map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg") } == true)
        }

        let leaky = try GenreRun(["evaluate", data.path, "--segment-seconds", "2", "--model", "knn",
                                  "--leaky-random-segments", "0.25", "--quiet", "--format", "markdown"])
        #expect(leaky.status == 0, "\(leaky.stderr)")
        #expect(leaky.stdout.hasPrefix("**LEAKY"))
    }

    /// Audio-level augmentation reaches the report, which scores the same tracks; settings that
    /// cannot apply are usage errors naming the fix.
    @Test func evaluateWithAugmentation() throws {
        let data = try Self.dataset()
        let base = ["evaluate", data.path, "--segment-seconds", "2", "--model", "knn", "--protocol", "kfold", "--folds", "3", "--quiet"]
        let run = try GenreRun(base + ["--augment", "hop", "--augment", "gain", "--augment", "noise", "--window-hop", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("training data augmented: 60 rows"), "\(run.stdout)")
        for (arguments, message) in [
            (["--gain-db", "3"], "--gain-db sets --augment gain, which is not asked for"),
            (["--augment", "hop", "--window-hop", "2"], "--window-hop must be less than the 2.0 s window"),
            (["--augment", "mixup"], "--augment mixup applies to --model"),
            (["--augment", "stretch", "--stretch-rates", "3"], "the stretch rate is 3.0 but must be 0.5...2"),
        ] {
            let refused = try GenreRun(base + arguments)
            #expect(refused.status == 2 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test func badModelsAndBadInputsAreClearErrors() throws {
        let data = try Self.dataset()
        FileManager.default.createFile(atPath: data.file("bad.genremodel"), contents: Data("GENREKIT-MODEL 1\nsha256 00\n{}".utf8))
        let bad = try GenreRun(["classify", "--bundle", data.file("bad.genremodel"), data.file("low/low.0.wav")])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("damaged") && bad.stdout.isEmpty)

        let missing = try GenreRun(["classify", data.file("low/low.0.wav"), data.file("absent.mp3")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.mp3"))
        #expect(missing.stdout.contains("low.0.wav"))

        let usage = try GenreRun(["evaluate", data.path, "--model", "perceptron"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("'perceptron' is invalid for '--model <kind>'") && usage.stderr.contains("rbf-svm"), "\(usage.stderr)")
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

    /// The table `genre features` makes of the tones (named as GTZAN's), whole clips or 2 s segments.
    static func table(of data: TemporaryFolder, segmentSeconds: String? = nil) throws -> String {
        let table = data.file(segmentSeconds == nil ? "whole.csv" : "segments.csv")
        let run = try GenreRun(["features", "--quiet", "-o", table, data.path] + (segmentSeconds.map { ["--segment-seconds", $0] } ?? []))
        #expect(run.status == 0, "\(run.stderr)")
        return table
    }

    /// An option that cannot apply is a usage error that says why and what to do, never ignored.
    @Test func optionsThatCannotApplyAreUsageErrors() throws {
        let data = try Self.dataset(gtzanNames: true)
        let table = try Self.table(of: data)
        try "blues/blues.00000.wav\nmetal/metal.00000.wav\n".write(toFile: data.file("train.txt"), atomically: true, encoding: .utf8)
        try "blues/blues.00001.wav\nmetal/metal.00001.wav\n".write(toFile: data.file("test.txt"), atomically: true, encoding: .utf8)
        let manifest = data.file("manifest.csv")
        try "path,label,group\nblues/blues.00000.wav,blues,a\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        let fma = data.file("tracks.csv")
        try ",album,artist,set,track\n,title,id,split,genre_top\ntrack_id,,,,\n2,x,1,training,Hip-Hop\n"
            .write(toFile: fma, atomically: true, encoding: .utf8)
        let lists = ["--train-list", data.file("train.txt"), "--test-list", data.file("test.txt")]
        let cases: [([String], [String])] = [
            (["evaluate", table, "--set", "msd-musicnn-penultimate"], ["--set applies to audio", "feature table", "leave --set out"]),
            (["evaluate", table, "--segment-seconds", "2"], ["--segment-seconds applies to audio", "feature table"]),
            (["evaluate", table, "--fma-audio", data.path], ["--fma-audio goes with FMA's tracks.csv", "leave --fma-audio out"]),
            (["evaluate", fma], ["FMA's tracks.csv", "--fma-audio <folder>"]),
            (["evaluate", data.path, "--manifest", manifest], ["--manifest annotates a feature table", "give that as the data"]),
            (["evaluate", manifest, "--manifest", manifest], ["--manifest annotates a feature table", "put its group and split columns"]),
            (["evaluate", data.path, "--aggregation", "vote"], ["--aggregation combines a track's windows", "--segment-seconds"]),
            (["evaluate", table, "--aggregation", "vote"], ["--aggregation combines a track's windows", "is one row"]),
            (["evaluate", table, "--model", "all", "--model", "mlp"], ["--model all stands alone", "repeat --model"]),
            (["evaluate", table, "--model", "knn", "--model", "knn"], ["--model knn is given twice"]),
            (["evaluate", table, "--leaky-random-segments", "0.2", "--folds", "3"], ["a protocol of its own", "leave out --protocol, --folds"]),
            (["evaluate", table, "--protocol", "lists", "--folds", "3"] + lists, ["--folds applies to cross-validation", "leave --folds out"]),
            (["evaluate", table, "--folds", "3"] + lists, ["--folds applies to cross-validation", "leave --folds out"]),
            (["evaluate", table, "--protocol", "kfold"] + lists, ["evaluate runs one protocol", "leave out one or the other"]),
            (["evaluate", table, "--model", "knn", "--model", "tree", "--confusion-svg", data.file("m.svg")], ["names a folder", "name a folder"]),
            (["train", table, "--skip-evaluation", "--folds", "3", "-o", data.file("m.genremodel")], ["--skip-evaluation scores nothing"]),
            (["train", table], ["Missing expected argument '--output <file>'", "model bundle"]),
            (["train", table, "--set", "logmel128", "-o", data.file("m.genremodel")], ["is not one of feature set logmel128", "with --set"]),
            (["train", table, "-o", table], ["cannot write --output", "one of the inputs"]),
            (["evaluate", table, "--model", "knn", "--frozen-blocks", "2"], ["--frozen-blocks applies to --model musicnn-fine-tune only"]),
            (["evaluate", table, "--model", "knn", "--dropout", "0.2"], ["--dropout applies to the networks"]),
            (["evaluate", table, "--model", "fcn5", "--dropout", "1"], ["--dropout must lie in [0, 1)"]),
            (["evaluate", table, "--model", "fcn5", "--width-multiplier", "0.5"],
             ["--width-multiplier applies to --model mobilenet-v2, efficientnet-b0"]),
            (["evaluate", table, "--model", "mobilenet-v2", "--width-multiplier", "1.5"], ["--width-multiplier must lie in (0, 1]"]),
            (["train", table, "--fine-tuning-epochs", "2", "-o", data.file("m.genremodel")],
             ["--fine-tuning-epochs applies to --model musicnn-fine-tune only"]),
        ]
        for (arguments, phrases) in cases {
            let run = try GenreRun(arguments + ["--quiet"])
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(phrases.allSatisfy(run.stderr.contains), "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: data.file("m.genremodel")))
    }

    /// Without a group column, groups are tracks: the report says beside the score that an artist
    /// may be on both sides; with one, it says nothing.
    @Test func crossValidationWithoutGroupsSaysArtistsMayRepeat() throws {
        let data = try Self.dataset(gtzanNames: true)
        let table = try Self.table(of: data)
        let ungrouped = try GenreRun(["evaluate", table, "--model", "knn", "--folds", "3", "--quiet"])
        #expect(ungrouped.status == 0, "\(ungrouped.stderr)")
        let lines = ungrouped.stdout.split(separator: "\n")
        let score = try #require(lines.firstIndex { $0.hasPrefix("accuracy ") })
        #expect(lines[score + 1].contains("caution: groups are tracks") && lines[score + 1].contains("artists may repeat across folds"))
        let markdown = try GenreRun(["evaluate", table, "--model", "knn", "--folds", "3", "--quiet", "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("*caution: groups are tracks"))

        let manifest = data.file("groups.csv")
        let rows = ["blues", "metal"].flatMap { genre in (0 ..< 6).map { "\(genre)/\(genre).0000\($0).wav,\(genre),artist\($0 % 3)" } }
        try (["path,label,group"] + rows).joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        let grouped = try GenreRun(["evaluate", table, "--manifest", manifest, "--model", "knn", "--folds", "3", "--quiet"])
        #expect(grouped.status == 0 && !grouped.stdout.contains("caution"), "\(grouped.stderr)")
    }

    /// Several models: one confusion matrix each, named by model and headed by its name; the
    /// reports end with one table of them all; JSON has snake_case keys and plain slashes.
    @Test func severalModelsGetAMatrixEachAndASummary() throws {
        let data = try Self.dataset(gtzanNames: true)
        let table = try Self.table(of: data, segmentSeconds: "2")
        let folder = data.file("matrices")
        let run = try GenreRun(["evaluate", table, "--model", "naive-bayes", "--model", "knn", "--protocol", "kfold",
                                "--folds", "3", "--quiet", "--confusion-svg", folder])
        #expect(run.status == 0, "\(run.stderr)")
        for (name, title) in [("naive-bayes", "Gaussian naive Bayes"), ("knn", "k-nearest neighbours (k=5)")] {
            let svg = try String(contentsOfFile: folder + "/\(name).svg", encoding: .utf8)
            #expect(svg.contains(">\(title)</text>") && svg.contains("stratified 3-fold"))
        }
        let summary = try #require(run.stdout.components(separatedBy: "summary of 2 models: ").last)
        let rows = summary.split(separator: "\n").filter { $0.hasPrefix("Gaussian naive Bayes") || $0.hasPrefix("k-nearest") }
        #expect(rows.count == 2 && summary.contains("single segment"), "\(summary)")

        let json = try GenreRun(["evaluate", table, "--model", "knn", "--protocol", "kfold", "--folds", "3", "--quiet", "--format", "json"])
        #expect(json.stdout.contains("\"protocol_summary\"") && json.stdout.contains("\"data\" : \"\(table)\""), "\(json.stdout.prefix(400))")
        #expect(json.stdout.contains("\"caveat\" : \"artists may repeat"))
    }
}
