import ArgumentParser
import Foundation
import GenreKit

struct Features: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a CSV of audio features, one row per file or per segment.",
        discussion: """
            Folders are searched recursively for audio files. With --segment-seconds, each file is cut \
            into consecutive windows and each window gets a row named like blues.00000.3.wav.
            """)

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @Option(name: .customLong("set"), help: "Feature set: \(FeatureCatalog.summary).")
    var setName = "gtzan57"

    @Option(help: "Cut each file into windows of this many seconds (e.g. 3).")
    var segmentSeconds: Double?

    @OptionGroup var batch: BatchOptions

    func validate() throws {
        do { _ = try FeatureCatalog.named(setName) } catch { throw ValidationError("\(error)") }
        if let segmentSeconds, !(segmentSeconds > 0 && segmentSeconds.isFinite) {
            throw ValidationError("--segment-seconds must be a positive number, got \(segmentSeconds)")
        }
    }

    func run() async throws {
        let featureSet = try FeatureCatalog.named(setName)
        let extractor = FeatureExtractor(featureSet: featureSet,
                                         segmenter: try segmentSeconds.map { try Segmenter(segmentSeconds: $0) })
        let inputs = AudioInputs(paths: paths)
        inputs.problems.forEach { report($0.description) }
        var failures = inputs.problems.count

        var table = FeatureTable(featureSet: featureSet)
        await Batch(width: batch.jobs, progress: batch.quiet ? nil : "files").run(inputs.files, work: { path in
            Swift.Result { try extractor.rows(for: path) }
        }, deliver: { index, result in
            switch result {
            case .success(let extracted):
                table.append(contentsOf: extracted.rows)
                if let warning = extracted.warning { report("\(inputs.files[index]): warning: \(warning)") }
            case .failure(let error):
                report(describe(error, path: inputs.files[index]))
                failures += 1
            }
        })

        if !table.rows.isEmpty || batch.output == nil { try batch.emit(table.csv()) }
        if failures > 0 { throw ExitCode.failure }
    }
}
