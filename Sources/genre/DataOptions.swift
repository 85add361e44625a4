import ArgumentParser
import Foundation
import GenreKit

/// Where training and evaluation data come from and how it becomes feature rows; shared by
/// `train` and `evaluate`.
struct DataOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("""
        The data: a folder of <genre>/<file> audio, a manifest CSV (path,label[,group][,split]), \
        a feature table CSV (filename,<features>,label: features_30_sec.csv, or what 'genre features' wrote), \
        or FMA's tracks.csv with --fma-audio.
        """, valueName: "data"))
    var data: String

    @Option(help: "With FMA's tracks.csv: the folder holding its audio (<000>/<000123>.mp3).")
    var fmaAudio: String?

    @Option(help: "A manifest whose group/split columns annotate a feature table's tracks by id.")
    var manifest: String?

    @Option(name: .customLong("set"), help: "Feature set for audio data: \(FeatureCatalog.summary).")
    var setName = "gtzan57"

    @Option(help: "Cut audio into windows of this many seconds and classify tracks from their windows (e.g. 3).")
    var segmentSeconds: Double?

    @Option(help: "Seed of every random choice (folds, shuffles, models).")
    var seed: UInt64 = 0

    @Option(help: "Files analysed at once (default: one per core).")
    var jobs: Int?

    @Flag(name: .shortAndLong, help: "No progress display on stderr.")
    var quiet = false

    func validate() throws {
        do { _ = try FeatureCatalog.named(setName) } catch { throw ValidationError("\(error)") }
        if let segmentSeconds, !(segmentSeconds > 0 && segmentSeconds.isFinite) {
            throw ValidationError("--segment-seconds must be a positive number, got \(segmentSeconds)")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
    }

    var featureSet: any FeatureSet { get throws { try FeatureCatalog.named(setName) } }

    var segmenter: Segmenter? { segmentSeconds.flatMap { try? Segmenter(segmentSeconds: $0) } }

    /// The feature rows of the data: read from a table, or extracted from audio (files that fail
    /// are reported and left out).
    func load() async throws -> FeatureDataset {
        if let fmaAudio {
            return try await extract(AudioDataset(fmaTracks: data, audioFolder: fmaAudio))
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder) else {
            throw DatasetError.unreadable(path: data, reason: "no such file or folder")
        }
        if isFolder.boolValue { return try await extract(AudioDataset(folder: data)) }
        let header = try String(contentsOfFile: data, encoding: .utf8).prefix { $0 != "\n" && $0 != "\r" }.lowercased()
        let fields = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if fields.contains("filename") {
            guard segmentSeconds == nil else {
                throw ValidationError("--segment-seconds applies to audio; a feature table's rows are already fixed")
            }
            let table = try FeatureDataset(table: data)
            return try manifest.map { table.annotated(by: try AudioDataset(manifest: $0)) } ?? table
        }
        return try await extract(AudioDataset(manifest: data))
    }

    private func extract(_ audio: AudioDataset) async throws -> FeatureDataset {
        let extractor = FeatureExtractor(featureSet: try featureSet, segmenter: segmenter)
        var skipped = 0
        let dataset = await FeatureDataset.extracting(audio, with: extractor, jobs: jobs, quiet: quiet) { track, error in
            report(describe(error, path: track.path ?? track.id) + " (left out)")
            skipped += 1
        }
        guard !dataset.tracks.isEmpty else { throw DatasetError.empty(path: data, reason: "no track could be analysed") }
        if skipped > 0 { report("\(skipped) of \(audio.tracks.count) tracks left out") }
        return dataset
    }
}

/// How the tracks are divided for scoring; shared by `train` (which reports the score it stores
/// in the bundle) and `evaluate`.
struct ProtocolOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case lists, kfold, groupedKfold = "grouped-kfold"
    }

    @Option(name: .customLong("protocol"), help: "lists (train on --train-list, score on --test-list), kfold (stratified over tracks) or grouped-kfold (no group in two folds).")
    var protocolKind: Kind?

    @Option(help: "Folds of cross-validation.")
    var folds = 10

    @Option(help: "File of track ids (lines like blues/blues.00029.wav) to train on.")
    var trainList: String?

    @Option(help: "File of track ids to score on (e.g. the fault-filtered valid list).")
    var testList: String?

    @Option(help: ArgumentHelp("Score a random FRACTION of segments instead, whatever their track. This leaks (windows of one song on both sides) and inflates accuracy; the report says so.", valueName: "fraction"))
    var leakyRandomSegments: Double?

    func validate() throws {
        if (trainList == nil) != (testList == nil) {
            throw ValidationError("--train-list and --test-list go together")
        }
        if protocolKind == .lists, trainList == nil {
            throw ValidationError("--protocol lists needs --train-list and --test-list")
        }
        if folds < 2 { throw ValidationError("--folds must be at least 2, got \(folds)") }
        if let fraction = leakyRandomSegments, !(fraction > 0 && fraction < 1) {
            throw ValidationError("--leaky-random-segments must lie in (0, 1), got \(fraction)")
        }
    }

    /// The protocol asked for; lists when given, else grouped k-fold.
    func evaluationProtocol(seed: UInt64) throws -> EvaluationProtocol {
        if let fraction = leakyRandomSegments { return .leakyRandomSegments(testFraction: fraction, seed: seed) }
        if protocolKind == .lists || (protocolKind == nil && trainList != nil), let lists = try lists() { return lists }
        return crossValidation(seed: seed)
    }

    /// Cross-validation as asked for: stratified or (by default) grouped k-fold.
    func crossValidation(seed: UInt64) -> EvaluationProtocol {
        protocolKind == .kfold ? .stratifiedKFold(folds: folds, seed: seed) : .groupedKFold(folds: folds, seed: seed)
    }

    /// Training on --train-list and scoring on --test-list, when they are given.
    func lists() throws -> EvaluationProtocol? {
        guard let trainList, let testList else { return nil }
        let name = "\(URL(fileURLWithPath: trainList).lastPathComponent) -> \(URL(fileURLWithPath: testList).lastPathComponent)"
        return .lists(train: try EvaluationProtocol.trackIDs(inList: trainList),
                      test: try EvaluationProtocol.trackIDs(inList: testList), name: name)
    }
}

/// What surrounds the classifier: PCA before it, aggregation of a track's windows after it.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Reduce the standardised features to this many principal components first.")
    var pca: Int?

    @Option(help: "How a track's window probabilities combine: \(Aggregation.allCases.map(\.rawValue).joined(separator: ", ")).")
    var aggregation: Aggregation = .mean

    @Option(help: "musicnn-fine-tune: musicnn's blocks kept as pre-trained, from the input (\(FineTuning.blocks.joined(separator: ", "))): 0 to \(FineTuning.blocks.count).")
    var frozenBlocks = FineTuning().frozenBlocks

    @Option(help: "musicnn-fine-tune: the learning rate of the pre-trained layers that train, as a fraction of the new output layer's.")
    var pretrainedRate = FineTuning().pretrainedRateScale

    @Option(help: "musicnn-fine-tune: epochs of training.")
    var fineTuningEpochs = FineTuning().epochs

    func validate() throws {
        if let pca, pca < 1 { throw ValidationError("--pca must be at least 1, got \(pca)") }
        if !(0 ... FineTuning.blocks.count).contains(frozenBlocks) {
            throw ValidationError("--frozen-blocks must lie in 0...\(FineTuning.blocks.count), got \(frozenBlocks)")
        }
        if !(pretrainedRate >= 0 && pretrainedRate.isFinite) {
            throw ValidationError("--pretrained-rate must be a number of at least 0, got \(pretrainedRate)")
        }
        if fineTuningEpochs < 1 { throw ValidationError("--fine-tuning-epochs must be at least 1, got \(fineTuningEpochs)") }
    }

    var fineTuning: FineTuning {
        FineTuning(frozenBlocks: frozenBlocks, pretrainedRateScale: pretrainedRate, epochs: fineTuningEpochs)
    }

    /// `kind` with the settings given, its networks' epochs shown on stderr unless `quiet`.
    func model(_ kind: ModelKind, quiet: Bool) -> ModelChoice {
        let showEpoch: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "\n").utf8))
        }
        return ModelChoice(kind, fineTuning: fineTuning, progress: !quiet && isatty(STDERR_FILENO) != 0 ? showEpoch : nil)
    }

    func evaluation(of kind: ModelKind, seed: UInt64, quiet: Bool) -> Evaluation {
        Evaluation(model: model(kind, quiet: quiet), pcaComponents: pca, aggregation: aggregation, seed: seed)
    }
}

extension ModelKind: ExpressibleByArgument {}
extension Aggregation: ExpressibleByArgument {}
