import ArgumentParser
import Foundation
import GenreKit

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model and save it as a bundle that 'genre classify --bundle' uses.",
        discussion: """
            The configuration is first scored honestly (grouped 10-fold cross-validation over tracks, and \
            with --train-list/--test-list training on one list and scoring on the other) and the scores are \
            stored in the bundle with its provenance. Then the model is fitted on every track (--fit-on all) \
            or on the training list's (--fit-on train). With a feature table as the data, --set names the \
            feature set that made the table, so that the bundle computes the same columns from audio.
              genre train audio/ --segment-seconds 3 --model rbf-svm -o svm.genremodel
            The networks on log-mel patches (edge-cnn, fcn5, crnn, temporal-cnn, cnn-lstm) and musicnn-fine-tune \
            take their own feature set and 3 s windows unless --set and --segment-seconds say otherwise:
              genre train audio/ --model crnn -o crnn.genremodel
            --augment adds to the training data only (overlapping windows, time stretch, pitch shift, gain, \
            noise, SpecAugment masks, mixup); scored tracks are never augmented:
              genre train audio/ --model fcn5 --augment pitch --augment masks -o fcn5.genremodel
            A network holds a tenth of its training tracks out (--validation-fraction), whole songs and artists \
            at a time, and keeps the weights of the epoch with the lowest validation loss; it stops once that loss \
            has not fallen for --patience epochs, and halves its learning rate after half as many. Its epochs \
            are written beside the bundle: crnn.genremodel gets crnn.history.json and crnn.curves.svg (loss and \
            accuracy, training and validation; 'genre plot curves' redraws them). On a terminal each epoch shows \
            a progress line (steps, time left, loss and accuracy).
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var split: ProtocolOptions

    @Option(help: ArgumentHelp("The model.", valueName: "kind"))
    var model: ModelKind = .rbfSVM

    @OptionGroup var pipeline: PipelineOptions

    @OptionGroup var augmentation: AugmentationOptions

    @Option(help: "Fit the saved model on the training list's tracks ('train') or on every track ('all').")
    var fitOn: FitOn = .all

    @Flag(help: "Save without scoring the configuration first.")
    var skipEvaluation = false

    @OptionGroup var output: OutputOptions<BundleOutput>

    enum FitOn: String, ExpressibleByArgument, CaseIterable { case train, all }

    func validate() throws {
        if split.leakyRandomSegments != nil {
            throw ValidationError("a model is not trained under a leaky protocol; use 'genre evaluate' to measure the leak")
        }
        if fitOn == .train, split.trainList == nil { throw ValidationError("--fit-on train needs --train-list") }
        if skipEvaluation, split.protocolKind != nil || split.folds != nil {
            throw ValidationError("--protocol and --folds say how the configuration is scored, and --skip-evaluation scores nothing; "
                + "leave out one or the other")
        }
        try data.checkAggregation(pipeline.chosenAggregation, models: [model])
        try data.features.checkSet(for: [model])
        try pipeline.checkSettingsApply(to: [model])
        try augmentation.checkApplies(to: [model], data: data)
        if let path = output.file { try Self.checkBundleOutput(path, of: model, inputs: data.inputs + split.inputs) }
    }

    /// Refuses a bundle path, or a network's history files beside it, that is one of the inputs.
    static func checkBundleOutput(_ path: String, of model: ModelKind, inputs: [String]) throws {
        let history = historyFiles(of: path)
        for file in [path] + (model.architecture != nil || model == .musicnnFineTune ? [history.json, history.svg] : []) {
            try OutputPath.checkNotAmong(inputs, path: file, option: "--output")
        }
    }

    /// Where a network's training history goes beside its bundle: `crnn.genremodel` → `crnn.history.json`, `crnn.curves.svg`.
    static func historyFiles(of bundle: String) -> (json: String, svg: String) {
        let base = URL(fileURLWithPath: bundle).deletingPathExtension().path
        return (base + ".history.json", base + ".curves.svg")
    }

    func run() async throws {
        let lists = try split.lists()
        // Only the training list's tracks need augmenting when nothing else is trained on.
        let augmented: Set<String>? = if split.protocolKind == .lists, fitOn == .train, case .lists(let train, _, _)? = lists { train } else { nil }
        let dataset = try await data.load(for: [model], augmentation: try augmentation.audio(seed: data.seed, windowSeconds: data.features.segmentSeconds(for: [model])),
                                          augmenting: { augmented?.contains($0.id) ?? true })
        try data.checkAggregation(pipeline.chosenAggregation, models: [model], dataset: dataset)
        let batchAugmentation = try augmentation.batch()
        try data.checkBundleCanCompute(dataset, for: model)
        var evaluations: [EvaluationResult] = []
        if !skipEvaluation {
            let protocols = (split.protocolKind == .lists ? [] : [split.crossValidation(seed: data.seed)]) + [lists].compactMap { $0 }
            for evaluationProtocol in protocols {
                let result = try await pipeline.evaluation(of: model, seed: data.seed, quiet: data.quiet, batchAugmentation: batchAugmentation).run(on: dataset, protocol: evaluationProtocol, jobs: data.jobs, quiet: data.quiet)
                evaluations.append(result)
                FileHandle.standardError.write(Data((result.text() + "\n").utf8))
            }
        }

        var trainedOn = "all \(dataset.tracks.count) tracks"
        var rows = Array(dataset.rowTrack.indices)
        if fitOn == .train, case .lists(let train, _, _)? = lists {
            rows = dataset.rows(ofTracks: dataset.tracks.indices.filter { train.contains(dataset.tracks[$0].id) })
            trainedOn = "the \(Set(rows.map { dataset.rowTrack[$0] }).count) tracks of \(split.trainList!)"
        }
        try saveBundle(of: pipeline.model(model, quiet: data.quiet, batchAugmentation: batchAugmentation), fittedOn: rows, of: dataset,
                       trainedOn: trainedOn, evaluations: evaluations, data: data, pipeline: pipeline,
                       to: output.file!)  // required: OutputOptions<BundleOutput> refuses to parse without it
    }
}

/// Fits `model` on `rows` of `dataset` and writes it as a bundle with everything classification
/// needs (the feature set and windows of `data`, the aggregation of `pipeline`) and the scores it
/// had; a network's epochs go beside it (`Train.historyFiles`).
func saveBundle(of model: ModelChoice, fittedOn rows: [Int], of dataset: FeatureDataset, trainedOn: String,
                evaluations: [EvaluationResult], data: DataOptions, pipeline: PipelineOptions, to path: String) throws {
    var fitted = ModelPipeline(model, classCount: dataset.classes.count, pcaComponents: pipeline.pca, seed: data.seed)
    let (labels, groups) = (dataset.labels, dataset.rowGroups)
    try fitted.fit(dataset.x.selecting(rows: rows), labels: rows.map { labels[$0] }, groups: rows.map { groups[$0] })
    let bundle = ModelBundle(
        classes: dataset.classes, featureSet: try data.features.featureSet(for: [model.kind]), columns: dataset.columns,
        segmenter: try data.segmenter(for: [model.kind]), aggregation: pipeline.aggregation, pipeline: fitted, evaluations: evaluations,
        provenance: .init(data: dataset.source, tracks: dataset.tracks.count, rows: dataset.x.rows, trainedOn: trainedOn,
                          created: ISO8601DateFormatter().string(from: Date()),
                          genreKitVersion: GenreKitVersion.current, seed: data.seed))
    try bundle.write(to: path)
    FileHandle.standardError.write(Data("saved \(model.kind.title) trained on \(trainedOn) to \(path)\n".utf8))
    if let history = fitted.classifier.history { try write(history, besideBundle: path) }
}

private func write(_ history: TrainingHistory, besideBundle path: String) throws {
    let files = Train.historyFiles(of: path)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeFile(String(decoding: try encoder.encode(history), as: UTF8.self) + "\n", to: files.json)
    try writeFile(history.svg(), to: files.svg)
    let epochs = history.epochs.count
    FileHandle.standardError.write(Data(("trained \(epochs) epoch\(epochs == 1 ? "" : "s"), kept the weights of epoch "
        + "\(history.weightsEpoch); history in \(files.json), curves in \(files.svg)\n").utf8))
}
