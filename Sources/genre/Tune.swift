import ArgumentParser
import Foundation
import GenreKit

struct Tune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search a model's hyper-parameters by cross-validation inside the training tracks only.",
        discussion: """
            Each trial is scored by grouped k-fold cross-validation (no artist in two folds) over the \
            training tracks: those of --train-list when lists are given, else every track of the data. \
            The tracks of --test-list are never seen by the search: the winner, refitted on the \
            training tracks, is scored on them once, after it is chosen. With -o the winner is saved \
            as a bundle. A space file maps parameter names to values to try:
              {"C": [0.1, 1, 10, 100], "gamma": ["scale", 0.001, 0.01]}
              {"learning-rate": {"min": 1e-4, "max": 1e-2, "log": true, "steps": 5}}
            A range is drawn from at random (log-uniformly for "log": true), or cut into "steps" grid points. \
            Without a space file each kind searches its own values (docs/cli.md lists them). The parameters:
            \(ModelKind.allCases.map { "  \($0.rawValue): \($0.hyperParameters.map(\.name).joined(separator: ", "))" }.joined(separator: "\n"))
            Example:
              genre tune features_30_sec.csv --manifest manifest.csv --model rbf-svm --strategy grid \\
                --train-list train_filtered.txt --test-list valid_filtered.txt --table tune.md -o svm.genre
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var split: ProtocolOptions

    @Option(help: ArgumentHelp("The model whose hyper-parameters are searched.", valueName: "kind"))
    var model: ModelKind = .rbfSVM

    @Option(help: ArgumentHelp("A JSON file of the values to try for each parameter (default: the kind's own).", valueName: "file"))
    var space: String?

    @Option(help: "How trials are chosen: random points of the space, or its grid.")
    var strategy: SearchStrategy = .random

    @Option(help: "The most trials (default: 20 for a random search, the whole grid for a grid search).")
    var trials: Int?

    @OptionGroup var pipeline: PipelineOptions

    @OptionGroup var format: FormatOptions<ReportFormat>

    @Option(help: ArgumentHelp("Also write the ranking as a markdown table to this file.", valueName: "file"))
    var table: String?

    @Option(help: ArgumentHelp("Also write the ranking as JSON to this file.", valueName: "file"))
    var json: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Train the winner on the training tracks and save it as this bundle.", valueName: "file"))
    var output: String?

    func validate() throws {
        if split.leakyRandomSegments != nil {
            throw ValidationError("a search is scored without leakage; use 'genre evaluate' to measure the leak")
        }
        if split.protocolKind == .lists {
            throw ValidationError("tune always cross-validates inside the training tracks; give --train-list and --test-list "
                + "without --protocol lists (--protocol chooses kfold or grouped-kfold for the inner folds)")
        }
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1, got \(trials)") }
        try data.checkAggregation(pipeline.chosenAggregation, models: [model])
        try data.features.checkSet(for: [model])
        try pipeline.checkSettingsApply(to: [model])
        let inputs = data.inputs + split.inputs + [space].compactMap { $0 }
        if let output { try Train.checkBundleOutput(output, of: model, inputs: inputs) }
        for (path, option) in [(output, "--output"), (table, "--table"), (json, "--json")] {
            guard let path else { continue }
            try OutputPath.checkFile(path, option: option)
            try OutputPath.checkNotAmong(inputs, path: path, option: option)
        }
        let outputs = [output, table, json].compactMap { $0 }
        if Set(outputs.map { URL(fileURLWithPath: $0).standardizedFileURL.path }).count < outputs.count {
            throw ValidationError("--output, --table and --json name the same file; give each its own")
        }
        _ = try searchSpace()
    }

    func searchSpace() throws -> SearchSpace {
        do {
            let space = try space.map { try SearchSpace(kind: model, file: $0) } ?? SearchSpace(defaultFor: model)
            guard !space.parameters.isEmpty else {
                throw ValidationError("\(model.rawValue) has nothing to search by default; give a --space file")
            }
            return space
        } catch let error as TuningError {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        let space = try searchSpace()
        let dataset = try await data.load(for: [model])
        try data.checkAggregation(pipeline.chosenAggregation, models: [model], dataset: dataset)
        if output != nil { try data.checkBundleCanCompute(dataset, for: model) }
        let lists = try split.lists()
        var trainingTracks = Array(dataset.tracks.indices)
        var trainedOn = "all \(dataset.tracks.count) tracks"
        if case .lists(let train, let test, _)? = lists {
            trainingTracks = trainingTracks.filter { train.contains(dataset.tracks[$0].id) && !test.contains(dataset.tracks[$0].id) }
            guard !trainingTracks.isEmpty else { throw SplitError.noListedTracks(trainFound: 0, testFound: 0) }
            trainedOn = "the \(trainingTracks.count) tracks of \(split.trainList!)"
        }
        let training = dataset.restricted(toTracks: trainingTracks)
        let tuning = Tuning(model: pipeline.model(model, quiet: true), space: space, strategy: strategy, trials: trials,
                            pcaComponents: pipeline.pca, aggregation: pipeline.aggregation, seed: data.seed)
        let result = try await tuning.run(on: training, inner: split.crossValidation(seed: data.seed), jobs: data.jobs) { trial, done, total in
            if !data.quiet { report("trial \(done)/\(total): \(trial.settings.description): " + String(format: "%.1f%%", trial.accuracy * 100)) }
        }
        guard let best = result.best else { throw ValidationError("the space gave no trial to run") }

        var evaluations: [EvaluationResult] = []
        var heldOut = ""
        if let lists {
            let scored = try await Evaluation(model: pipeline.model(model, quiet: true).with(best.settings), pcaComponents: pipeline.pca,
                                              aggregation: pipeline.aggregation, seed: data.seed).run(on: dataset, protocol: lists, jobs: data.jobs)
            evaluations.append(scored)
            heldOut = String(format: "the winner (%@), refitted on the training tracks and scored once on %@: accuracy %.1f%%, macro F1 %.3f\n",
                             best.settings.description, split.testList!, scored.report.accuracy * 100, scored.report.macro.f1)
        }
        if let table { try writeFile(result.table(markdown: true) + (heldOut.isEmpty ? "" : "\n" + heldOut), to: table) }
        if let json { try writeFile(try result.json(), to: json) }
        switch format.format {
        case .text: print(result.table(markdown: false) + (heldOut.isEmpty ? "" : "\n" + heldOut), terminator: "")
        case .markdown: print(result.table(markdown: true) + (heldOut.isEmpty ? "" : "\n" + heldOut), terminator: "")
        case .json: print(try result.json(), terminator: "")
        }
        if let output {
            try saveBundle(of: pipeline.model(model, quiet: data.quiet).with(best.settings),
                           fittedOn: dataset.rows(ofTracks: trainingTracks), of: dataset, trainedOn: trainedOn,
                           evaluations: evaluations, data: data, pipeline: pipeline, to: output)
        }
    }
}

extension SearchStrategy: ExpressibleByArgument {}
