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

    @Option(help: ArgumentHelp("With FMA's tracks.csv: the folder holding its audio (<000>/<000123>.mp3).", valueName: "folder"))
    var fmaAudio: String?

    @Option(help: ArgumentHelp("With a feature table: a manifest whose group/split columns annotate the table's tracks by id.",
                               valueName: "file"))
    var manifest: String?

    @OptionGroup var features: FeatureOptions

    @Option(help: "Seed of every random choice (folds, shuffles, models).")
    var seed: UInt64 = 0

    @OptionGroup var run: RunOptions

    var quiet: Bool { run.quiet }
    var jobs: Int? { run.jobs }

    /// What the data argument is, which decides the options that apply to it.
    enum Kind: Equatable {
        case audioFolder, manifest, featureTable, fmaTracks

        var name: String {
            switch self {
            case .audioFolder: "a folder of audio"
            case .manifest: "a manifest of audio files"
            case .featureTable: "a feature table"
            case .fmaTracks: "FMA's tracks.csv"
            }
        }
    }

    /// The data's kind from its first line (a folder, a table with `filename`, FMA's two-row header);
    /// nil when there is nothing at that path, which loading then reports.
    var kind: Kind? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { return .audioFolder }
        // A file that cannot be opened is left to the manifest reader, whose error says why.
        guard let file = FileHandle(forReadingAtPath: data) else { return .manifest }
        defer { try? file.close() }
        let head = String(decoding: file.readData(ofLength: 1 << 16), as: UTF8.self)
        let fields = head.prefix { $0 != "\n" && $0 != "\r" }.lowercased().split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if fields.contains("filename") { return .featureTable }
        // FMA's first header row names field groups (album, artist, set, track) over an empty first column.
        if fields.first == "", fields.contains("track"), fields.contains("artist") { return .fmaTracks }
        return .manifest
    }

    func validate() throws {
        guard let kind else { return }
        if fmaAudio != nil, kind != .fmaTracks {
            throw ValidationError("--fma-audio goes with FMA's tracks.csv, and \(data) is \(kind.name); leave --fma-audio out")
        }
        if kind == .fmaTracks, fmaAudio == nil { throw missingFMAAudio }
        if manifest != nil, kind != .featureTable {
            let instead = switch kind {
            case .manifest: "put its group and split columns in \(data) itself"
            case .fmaTracks: "FMA's tracks.csv names artists and splits itself"
            default: "list the audio in a manifest with group and split columns and give that as the data"
            }
            throw ValidationError("--manifest annotates a feature table's tracks, and \(data) is \(kind.name); \(instead)")
        }
        if kind == .featureTable, features.segmentSeconds != nil {
            throw ValidationError("--segment-seconds applies to audio, and \(data) is a feature table, whose rows are already fixed")
        }
    }

    private var missingFMAAudio: ValidationError {
        ValidationError("\(data) is FMA's tracks.csv: give the folder of its audio with --fma-audio <folder>")
    }

    /// Refuses `--aggregation` where every track is one row, so there is nothing to combine: known
    /// from the options and the `models` (whose own windows apply) for audio, and for a table once
    /// it is read (`dataset`).
    func checkAggregation(_ aggregation: Aggregation?, models: [ModelKind], dataset: FeatureDataset? = nil) throws {
        guard aggregation != nil else { return }
        if let dataset, !dataset.isSegmented {
            throw ValidationError("--aggregation combines a track's windows, and every track of \(data) is one row")
        }
        if dataset == nil, kind != .featureTable, features.segmentSeconds(for: models) == nil {
            throw ValidationError("--aggregation combines a track's windows, and without --segment-seconds every track is one row")
        }
    }

    /// The files this run reads, which no output may replace.
    var inputs: [String] { [data] + [fmaAudio, manifest].compactMap { $0 } }

    /// The windows audio is cut into for `models` (`FeatureOptions.segmentSeconds(for:)`); none for a
    /// feature table, whose rows are fixed.
    func segmenter(for models: [ModelKind]) throws -> Segmenter? {
        kind == .featureTable ? nil : try features.segmenter(for: models)
    }

    /// The feature rows of the data for `models`: read from a table, or extracted from audio with
    /// the models' own set and windows unless given (files that fail are reported and left out).
    /// With `augmentation`, the tracks `augmenting` accepts also get augmented rows.
    func load(for models: [ModelKind], augmentation: AudioAugmentation? = nil,
              augmenting: @escaping @Sendable (Track) -> Bool = { _ in true }) async throws -> FeatureDataset {
        let extract = { (audio: AudioDataset) in
            try await self.extract(audio, for: models, augmentation: augmentation, augmenting: augmenting)
        }
        switch kind {
        case .fmaTracks:
            guard let fmaAudio else { throw missingFMAAudio }
            return try await extract(AudioDataset(fmaTracks: data, audioFolder: fmaAudio))
        case .audioFolder: return try await extract(AudioDataset(folder: data))
        case .featureTable:
            let table = try FeatureDataset(table: data)
            return try manifest.map { table.annotated(by: try AudioDataset(manifest: $0)) } ?? table
        case .manifest: return try await extract(AudioDataset(manifest: data))
        case nil: throw DatasetError.unreadable(path: data, reason: "no such file or folder")
        }
    }

    /// Refuses a table with a column the model's feature set does not compute, which a bundle
    /// trained on it could not compute from audio.
    func checkBundleCanCompute(_ dataset: FeatureDataset, for model: ModelKind) throws {
        let featureSet = try features.featureSet(for: [model])
        if let missing = dataset.columns.first(where: { !featureSet.columns.contains($0) }) {
            throw ValidationError("the column \(missing) of \(data) is not one of feature set \(featureSet.name)'s, "
                + "so the bundle could not compute it from audio; name the set that made the table with --set")
        }
    }

    private func extract(_ audio: AudioDataset, for models: [ModelKind], augmentation: AudioAugmentation?,
                         augmenting: @escaping @Sendable (Track) -> Bool) async throws -> FeatureDataset {
        let extractor = FeatureExtractor(featureSet: try features.featureSet(for: models), segmenter: try features.segmenter(for: models),
                                         maxDurationSeconds: run.maxDuration.seconds)
        var skipped = 0
        let dataset = await FeatureDataset.extracting(audio, with: extractor, jobs: jobs, quiet: quiet,
                                                      augmentation: augmentation, augmenting: augmenting) { track, error in
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

        static var allValueDescriptions: [String: String] {
            [
                "lists": "train on the tracks of --train-list, score on those of --test-list",
                "kfold": "stratified k-fold cross-validation over tracks",
                "grouped-kfold": "k-fold cross-validation where no group (artist) is in two folds (default)",
            ]
        }
    }

    @Option(name: .customLong("protocol"), help: "How tracks are divided between training and scoring.")
    var protocolKind: Kind?

    static let defaultFolds = 10

    /// nil when not given, so that protocols without folds can refuse it.
    @Option(help: "Folds of cross-validation (default: \(defaultFolds)).")
    var folds: Int?

    @Option(help: ArgumentHelp("File of track ids (lines like blues/blues.00029.wav) to train on.", valueName: "file"))
    var trainList: String?

    @Option(help: ArgumentHelp("File of track ids to score on (e.g. the fault-filtered valid list).", valueName: "file"))
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
        if let folds, folds < 2 { throw ValidationError("--folds must be at least 2, got \(folds)") }
        if protocolKind == .lists, folds != nil {
            throw ValidationError("--folds applies to cross-validation, and --protocol lists scores one split; leave --folds out")
        }
        if let fraction = leakyRandomSegments {
            guard fraction > 0 && fraction < 1 else {
                throw ValidationError("--leaky-random-segments must lie in (0, 1), got \(fraction)")
            }
            if protocolKind != nil || folds != nil || trainList != nil {
                throw ValidationError("--leaky-random-segments is a protocol of its own; "
                    + "leave out --protocol, --folds, --train-list and --test-list")
            }
        }
    }

    /// The files this run reads, which no output may replace.
    var inputs: [String] { [trainList, testList].compactMap { $0 } }

    /// The protocol asked for; lists when given, else grouped k-fold.
    func evaluationProtocol(seed: UInt64) throws -> EvaluationProtocol {
        if let fraction = leakyRandomSegments { return .leakyRandomSegments(testFraction: fraction, seed: seed) }
        if protocolKind == .lists || (protocolKind == nil && trainList != nil), let lists = try lists() { return lists }
        return crossValidation(seed: seed)
    }

    /// Cross-validation as asked for: stratified or (by default) grouped k-fold.
    func crossValidation(seed: UInt64) -> EvaluationProtocol {
        let folds = folds ?? Self.defaultFolds
        return protocolKind == .kfold ? .stratifiedKFold(folds: folds, seed: seed) : .groupedKFold(folds: folds, seed: seed)
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

    /// nil when not given, so that data without windows can refuse it.
    @Option(name: .customLong("aggregation"), help: "How a track's window probabilities combine into its answer (default: mean).")
    var chosenAggregation: Aggregation?

    var aggregation: Aggregation { chosenAggregation ?? .mean }

    @Option(help: "musicnn-fine-tune: musicnn's blocks kept as pre-trained, from the input (\(FineTuning.blocks.joined(separator: ", "))): 0 to \(FineTuning.blocks.count) (default: \(FineTuning().frozenBlocks)); mobilenet-v2 --pretrained imagenet: its blocks (stem, 17 inverted residuals, last 1 x 1) held still, 0 to \(NetworkArchitecture.imageNetBlocks) (default: 0).")
    var frozenBlocks: Int?

    @Option(help: ArgumentHelp("""
        mobilenet-v2: start from Google's ImageNet weights (MobileNetV2 at width 1, 8-bit, dequantised;         Apache 2.0) instead of random ones: give imagenet.
        """, valueName: "weights"))
    var pretrained: String?

    @Option(help: "musicnn-fine-tune: the learning rate of the pre-trained layers that train, as a fraction of the new output layer's (default: \(FineTuning().pretrainedRateScale)).")
    var pretrainedRate: Float?

    @Option(help: "musicnn-fine-tune: epochs of training (default: \(FineTuning().epochs)).")
    var fineTuningEpochs: Int?

    @Option(help: ArgumentHelp("""
        The rate of a network's dropout layers, 0 to leave them out (default: each network's own: \
        \(NetworkArchitecture.allCases.map { "\($0.rawValue) \($0.defaultDropout)" }.joined(separator: ", "))).
        """, valueName: "rate"))
    var dropout: Float?

    @Option(help: ArgumentHelp("""
        mobilenet-v2, efficientnet-b0: the width multiplier, scaling every layer's filters (to multiples of 8), \
        in (0, 1] (default: \(NetworkArchitecture.defaultWidthMultiplier); 1 is the papers' network).
        """, valueName: "multiplier"))
    var widthMultiplier: Float?

    @OptionGroup(title: "Network training") var training: TrainingOptions

    func validate() throws {
        if let pca, pca < 1 { throw ValidationError("--pca must be at least 1, got \(pca)") }
        let blocks = pretrained == nil ? FineTuning.blocks.count : NetworkArchitecture.imageNetBlocks
        if let frozenBlocks, !(0 ... blocks).contains(frozenBlocks) {
            throw ValidationError("--frozen-blocks must lie in 0...\(blocks), got \(frozenBlocks)")
        }
        if let pretrained, pretrained != "imagenet" {
            throw ValidationError("--pretrained takes imagenet, the one set of weights there is, not \(pretrained)")
        }
        if pretrained != nil, let widthMultiplier, widthMultiplier != 1 {
            throw ValidationError("--pretrained imagenet is MobileNetV2 at width 1; leave --width-multiplier out")
        }
        if let pretrainedRate, !(pretrainedRate >= 0 && pretrainedRate.isFinite) {
            throw ValidationError("--pretrained-rate must be a number of at least 0, got \(pretrainedRate)")
        }
        if let fineTuningEpochs, fineTuningEpochs < 1 {
            throw ValidationError("--fine-tuning-epochs must be at least 1, got \(fineTuningEpochs)")
        }
        if let dropout, !(dropout >= 0 && dropout < 1) {
            throw ValidationError("--dropout must lie in [0, 1), got \(dropout)")
        }
        if let widthMultiplier, !(widthMultiplier > 0 && widthMultiplier <= 1) {
            throw ValidationError("--width-multiplier must lie in (0, 1], got \(widthMultiplier)")
        }
    }

    /// Refuses the fine-tuning options unless one of `kinds` fine-tunes, --dropout and the training
    /// options unless one is a network, and --width-multiplier unless one is an image network.
    func checkSettingsApply(to kinds: [ModelKind]) throws {
        if pretrained != nil, !kinds.contains(.mobileNetV2) {
            throw ValidationError("--pretrained applies to --model \(ModelKind.mobileNetV2.rawValue) only; leave it out")
        }
        let given = [("--frozen-blocks", frozenBlocks != nil && pretrained == nil), ("--pretrained-rate", pretrainedRate != nil),
                     ("--fine-tuning-epochs", fineTuningEpochs != nil)].filter(\.1).map(\.0)
        if let option = given.first, !kinds.contains(.musicnnFineTune) {
            throw ValidationError("\(option) applies to --model \(ModelKind.musicnnFineTune.rawValue) only; leave it out")
        }
        if dropout != nil, !kinds.contains(where: { $0.architecture != nil }) {
            throw ValidationError("--dropout applies to the networks (--model \(NetworkArchitecture.allCases.map(\.rawValue).joined(separator: ", "))); leave it out")
        }
        if widthMultiplier != nil, !kinds.contains(where: { $0.architecture?.isWidthScaled == true }) {
            let scaled = NetworkArchitecture.allCases.filter(\.isWidthScaled).map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--width-multiplier applies to --model \(scaled); leave it out")
        }
        try training.checkApply(to: kinds)
    }

    var fineTuning: FineTuning {
        let defaults = FineTuning()
        return FineTuning(frozenBlocks: frozenBlocks ?? defaults.frozenBlocks,
                          pretrainedRateScale: pretrainedRate ?? defaults.pretrainedRateScale,
                          epochs: fineTuningEpochs ?? defaults.epochs)
    }

    /// `kind` with the settings given, its networks' epochs shown on a terminal's stderr unless `quiet`.
    func model(_ kind: ModelKind, quiet: Bool, batchAugmentation: BatchAugmentation? = nil) -> ModelChoice {
        ModelChoice(kind, fineTuning: fineTuning, dropout: dropout, training: training.choices, batchAugmentation: batchAugmentation,
                    widthMultiplier: kind.architecture?.isWidthScaled == true ? widthMultiplier : nil,
                    imageNetFrozenBlocks: kind == .mobileNetV2 && pretrained != nil ? frozenBlocks ?? 0 : nil,
                    progress: !quiet && isatty(STDERR_FILENO) != 0 ? TrainingProgressLine.printer(for: kind) : nil)
    }

    func evaluation(of kind: ModelKind, seed: UInt64, quiet: Bool, batchAugmentation: BatchAugmentation? = nil) -> Evaluation {
        Evaluation(model: model(kind, quiet: quiet, batchAugmentation: batchAugmentation), pcaComponents: pca, aggregation: aggregation, seed: seed)
    }
}
