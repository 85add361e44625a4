import ArgumentParser
import Foundation
import GenreKit

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw pictures of data and training as SVG.",
        subcommands: [PCAPlot.self, Curves.self])

    /// `genre plot pca`: the features' first two principal axes, coloured by genre.
    struct PCAPlot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pca",
            abstract: "Plot the rows of a feature set on their first two principal axes, coloured by genre.",
            discussion: """
                The features are standardised first; each axis says its share of the variance. The data is \
                what 'genre train' takes, and --set chooses the features of audio (default: gtzan57):
                  genre plot pca features_30_sec.csv -o pca.svg
                  genre plot pca audio/ --set gtzan57 --segment-seconds 3 -o pca.svg
                """)

        @OptionGroup var data: DataOptions

        @OptionGroup var output: OutputOptions<PictureOutput>

        func validate() throws {
            if data.kind == .featureTable, data.features.setName != nil {
                throw ValidationError("--set applies to audio, and \(data.data) is a feature table, whose columns are fixed; leave --set out")
            }
            if let path = output.file { try OutputPath.checkNotAmong(data.inputs, path: path, option: "--output") }
        }

        func run() async throws {
            let dataset = try await data.load(for: [])
            let set = data.kind == .featureTable ? "the features" : data.features.setName(for: [])
            let scatter = try PCAScatter(dataset)
            let source = URL(fileURLWithPath: dataset.source).lastPathComponent
            try writeFile(scatter.svg(title: "PCA of \(set) of \(source)"), to: output.file!)
        }
    }

    /// `genre plot curves`: a training history's loss and accuracy.
    struct Curves: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot the loss and accuracy of a network's training, from the history 'genre train' wrote.",
            discussion: """
                  genre plot curves crnn.history.json -o crnn.curves.svg
                """)

        @Argument(help: ArgumentHelp("The history: <bundle>.history.json, written beside a network's bundle.", valueName: "history"))
        var history: String

        @OptionGroup var output: OutputOptions<PictureOutput>

        func validate() throws {
            if let path = output.file { try OutputPath.checkNotAmong([history], path: path, option: "--output") }
        }

        func run() throws {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: history)) } catch {
                throw UnreadableHistory(path: history, reason: sentence(for: error))
            }
            let decoded: TrainingHistory
            do { decoded = try JSONDecoder().decode(TrainingHistory.self, from: data) } catch {
                throw UnreadableHistory(path: history, reason: "it is not a history as 'genre train' writes it (\(error))")
            }
            guard !decoded.epochs.isEmpty, decoded.epochs.indices.contains(decoded.weightsEpoch - 1) else {
                throw UnreadableHistory(path: history, reason: "it holds \(decoded.epochs.count) epochs and names epoch "
                    + "\(decoded.weightsEpoch) as the one kept")
            }
            try writeFile(decoded.svg(), to: output.file!)
        }
    }

    struct UnreadableHistory: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): cannot read the training history: \(reason)" }
    }
}

/// The picture a `plot` draws.
enum PictureOutput: OutputRole {
    static let help = "The SVG file to write (required)."
    static let required: String? = "the SVG file to write"
}
