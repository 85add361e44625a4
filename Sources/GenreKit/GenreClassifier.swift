import Foundation
import GenreML
import GenrePretrained

/// A genre and how sure the model is of it.
public struct GenreScore: Sendable, Codable, Equatable {
    public let genre: String
    public let probability: Double
}

/// The model's answer for one window of a song.
public struct WindowPrediction: Sendable, Codable {
    public let startSeconds: Double
    public let endSeconds: Double
    /// Every genre, most probable first.
    public let ranking: [GenreScore]
}

/// The model's answer for a song: its genres over the whole song and window by window.
public struct SongPrediction: Sendable, Codable {
    public let path: String
    public let durationSeconds: Double
    public let aggregation: Aggregation
    /// Every genre, most probable first.
    public let ranking: [GenreScore]
    public let windows: [WindowPrediction]
    /// Something worth saying that did not stop the song (it is silent, say).
    public let warning: String?

    /// Fails when a probability is not a number: that would be a GenreKit bug, and it must never
    /// reach an output (JSON cannot even hold it).
    init(path: String, durationSeconds: Double, aggregation: Aggregation, ranking: [GenreScore], windows: [WindowPrediction],
         warning: String?) throws(PredictionError) {
        if let bad = (ranking + windows.flatMap(\.ranking)).first(where: { !$0.probability.isFinite }) {
            throw .notFinite(label: bad.genre)
        }
        self.path = path
        self.durationSeconds = durationSeconds
        self.aggregation = aggregation
        self.ranking = ranking
        self.windows = windows
        self.warning = warning
    }
}

extension SongPrediction {
    /// The same answer for the same audio under another name (a service's upload, stored in a
    /// temporary file, is answered under the name the client gave).
    public func named(_ name: String) -> SongPrediction {
        // The probabilities were checked when the answer was made.
        try! SongPrediction(path: name, durationSeconds: durationSeconds, aggregation: aggregation, ranking: ranking,
                            windows: windows, warning: warning)
    }
}

/// Why a song has no answer although its audio decoded.
public enum PredictionError: Error, CustomStringConvertible {
    case notFinite(label: String)

    public var description: String {
        switch self {
        case .notFinite(let label):
            "the probability of \(label) came out NaN or infinite; please report this file as a GenreKit bug"
        }
    }
}

/// Classifies songs with a model bundle: decode, cut into the model's windows, extract the
/// model's features, score each window and aggregate them into the song's answer.
public struct GenreClassifier: Sendable {
    public let bundle: ModelBundle
    let featureSet: any FeatureSet
    let columnIndices: [Int]
    let decoder: AudioDecoder

    public init(bundle: ModelBundle, maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) throws(BundleError) {
        self.init(bundle: bundle, featureSet: try ModelBundle.featureSet(named: bundle.featureSet, path: "the model"),
                  maxDurationSeconds: maxDurationSeconds)
    }

    /// A classifier whose features come from `set`, which holds at least the bundle's columns (and
    /// maybe more, for whoever reads the windows' features too).
    init(bundle: ModelBundle, featureSet set: any FeatureSet, maxDurationSeconds: Double?) {
        self.bundle = bundle
        featureSet = set
        // A dictionary: a bundle may name tens of thousands of columns of a set of as many.
        let index = Dictionary(set.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        columnIndices = bundle.columns.compactMap { index[$0] }
        decoder = AudioDecoder(sampleRate: set.sampleRate, maxDurationSeconds: maxDurationSeconds)
    }

    public func classify(_ path: String, aggregation: Aggregation? = nil) throws -> SongPrediction {
        try classifyAndEmbed(path, aggregation: aggregation).prediction
    }

    /// `classify`, and the song's embedding: the mean of its windows' features (the model's input
    /// columns), where songs that sound alike lie close together.
    public func classifyAndEmbed(_ path: String, aggregation: Aggregation? = nil) throws -> (prediction: SongPrediction, embedding: [Float]) {
        try answer(WindowFeatures(path: path, decoder: decoder, featureSet: featureSet, segmenter: bundle.segmenter,
                                  endAligned: true), path: path, aggregation: aggregation)
    }

    /// The song's answer and embedding from its windows' features.
    func answer(_ features: WindowFeatures, path: String, aggregation: Aggregation?) throws -> (prediction: SongPrediction, embedding: [Float]) {
        let ranges = features.ranges
        let values = features.rows.flatMap { row in columnIndices.map { Float(row[$0]) } }
        let embedding = columnIndices.map { column in
            Float(features.rows.reduce(0) { $0 + $1[column] } / Double(max(1, features.rows.count)))
        }
        let probabilities = try bundle.pipeline.probabilities(
            RowMatrix(rows: ranges.count, columns: columnIndices.count, values: values))
        let rate = Double(features.sampleRate)
        let windows = ranges.enumerated().map { index, range in
            WindowPrediction(startSeconds: Double(range.lowerBound) / rate, endSeconds: Double(range.upperBound) / rate,
                             ranking: ranking(Aggregation.mean.combine(probabilities, rows: [index])))
        }
        let method = aggregation ?? bundle.aggregation
        let warnings = [features.warning, shortSongWarning(features.durationSeconds)].compactMap { $0 }
        let prediction = try SongPrediction(
            path: path, durationSeconds: features.durationSeconds, aggregation: method,
            ranking: ranking(method.combine(probabilities, rows: ranges.indices)), windows: windows,
            warning: warnings.isEmpty ? nil : warnings.joined(separator: "; "))
        return (prediction, embedding)
    }

    /// A song shorter than one of the model's windows is classified as one window of all of it,
    /// which the model never saw in training: say so.
    private func shortSongWarning(_ seconds: Double) -> String? {
        guard let window = bundle.segmenter?.segmentSeconds, seconds < window else { return nil }
        return String(format: "the song is %.2f s long, shorter than the model's %g s window: it was classified as one "
                      + "window of all of it, so the answer rests on little audio", seconds, window)
    }

    func ranking(_ probabilities: [Double]) -> [GenreScore] { GenreScore.ranking(bundle.classes, probabilities) }
}

extension GenreScore {
    /// Each label with its probability, most probable first (ties in alphabetical order).
    static func ranking(_ labels: [String], _ probabilities: [Double]) -> [GenreScore] {
        zip(labels, probabilities).map { GenreScore(genre: $0, probability: $1) }
            .sorted { ($0.probability, $1.genre) > ($1.probability, $0.genre) }
    }
}

extension ModelBundle {
    /// The name of the model shipped inside GenreKit.
    static let defaultResource = "default.genremodel"

    /// The model shipped inside GenreKit.
    public static func embedded() throws(BundleError) -> ModelBundle {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
        guard let path = Resources.path(defaultResource, module: "GenreKit", sourceFolder: sources) else {
            throw .missing(path: defaultResource)
        }
        return try ModelBundle(contentsOf: path)
    }
}
