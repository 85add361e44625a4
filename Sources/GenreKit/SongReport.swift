import Foundation

/// A song's prediction as people and machines read it: the top genres (or tags), and with a
/// timeline the top ones of each window. Text, CSV and JSON show the same numbers: times in
/// hundredths of a second, probabilities to 4 decimals (0.1% in text).
public struct SongReport: Sendable {
    /// What the scores are.
    public enum Labels: Sendable, Equatable {
        /// A model's genres, which add up to 1.
        case genres
        /// A pre-trained network's tags: independent probabilities.
        case tags(network: String)

        var noun: String { self == .genres ? "genre" : "tag" }
    }

    public let prediction: SongPrediction
    public let top: Int
    public let timeline: Bool
    public let labels: Labels

    public init(prediction: SongPrediction, top: Int, timeline: Bool, labels: Labels = .genres) {
        self.prediction = prediction
        self.top = top
        self.timeline = timeline
        self.labels = labels
    }

    public func text() -> String {
        let scores = prediction.ranking.prefix(top)
        let width = scores.map(\.genre.count).max() ?? 0
        var head = "\(prediction.path) (\(clock(prediction.durationSeconds)))"
        if case .tags(let network) = labels { head += ", tags by \(network)" }
        var lines = [head] + scores.map { "  \(pad($0.genre, width)) \(percent($0.probability))" }
        if timeline {
            lines.append("  timeline (\(prediction.windows.count) windows):")
            lines += prediction.windows.map { window in
                let shown = window.ranking.prefix(min(top, 2)).map { "\($0.genre) \(percent($0.probability, width: 0))" }
                return "    \(clock(window.startSeconds))-\(clock(window.endSeconds))  " + shown.joined(separator: ", ")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header of `csvLines()`; tags' CSV names the network on every row.
    public static func csvHeader(_ labels: Labels) -> String {
        (labels == .genres ? "path," : "path,network,") + "window,start_seconds,end_seconds,rank,\(labels.noun),probability\n"
    }

    /// One row per song (and window, with a timeline) and rank: `window` is `song` or the window's number.
    public func csvLines() -> String {
        var prefix = CSV.escape(prediction.path)
        if case .tags(let network) = labels { prefix += "," + CSV.escape(network) }
        func rows(_ window: String, _ start: Double, _ end: Double, _ ranking: [GenreScore]) -> [String] {
            ranking.prefix(top).enumerated().map { rank, score in
                [prefix, window, "\(roundedSeconds(start))", "\(roundedSeconds(end))", "\(rank + 1)",
                 CSV.escape(score.genre), "\(roundedProbability(score.probability))"].joined(separator: ",")
            }
        }
        var lines = rows("song", 0, prediction.durationSeconds, prediction.ranking)
        if timeline {
            for (index, window) in prediction.windows.enumerated() {
                lines += rows("\(index)", window.startSeconds, window.endSeconds, window.ranking)
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }
}

/// `{"path", "duration_seconds", "aggregation", "genres": [{"genre", "probability"}], "windows":
/// [{"start_seconds", "end_seconds", "genres"}]}`; tags say `tags`/`tag` and name their `network`.
/// `windows` only with a timeline.
extension SongReport: Encodable {
    private struct Key: CodingKey {
        let stringValue: String
        init(_ stringValue: String) { self.stringValue = stringValue }
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    private struct Scores: Encodable {
        let ranking: ArraySlice<GenreScore>
        let noun: String

        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            for score in ranking {
                var entry = list.nestedContainer(keyedBy: Key.self)
                try entry.encode(score.genre, forKey: Key(noun))
                try entry.encode(roundedProbability(score.probability), forKey: Key("probability"))
            }
        }
    }

    private struct Window: Encodable {
        let window: WindowPrediction
        let scores: Scores

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(roundedSeconds(window.startSeconds), forKey: Key("start_seconds"))
            try container.encode(roundedSeconds(window.endSeconds), forKey: Key("end_seconds"))
            try container.encode(scores, forKey: Key(scores.noun + "s"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let noun = labels.noun
        try container.encode(prediction.path, forKey: Key("path"))
        try container.encode(roundedSeconds(prediction.durationSeconds), forKey: Key("duration_seconds"))
        if case .tags(let network) = labels { try container.encode(network, forKey: Key("network")) }
        try container.encode(prediction.aggregation, forKey: Key("aggregation"))
        try container.encode(Scores(ranking: prediction.ranking.prefix(top), noun: noun), forKey: Key(noun + "s"))
        if timeline {
            try container.encode(prediction.windows.map { Window(window: $0, scores: Scores(ranking: $0.ranking.prefix(top), noun: noun)) },
                                 forKey: Key("windows"))
        }
    }
}

/// Seconds to the hundredth, the precision every output shows (a window's end at 29.976 s is
/// 29.98 in JSON and CSV and 0:29.98 in text).
func roundedSeconds(_ seconds: Double) -> Double { (seconds * 100).rounded() / 100 }

func roundedProbability(_ probability: Double) -> Double { (probability * 10_000).rounded() / 10_000 }

/// m:ss.cc, from the same hundredths as `roundedSeconds`.
private func clock(_ seconds: Double) -> String {
    let hundredths = Int((seconds * 100).rounded())
    return String(format: "%d:%02d.%02d", hundredths / 6000, hundredths / 100 % 60, hundredths % 100)
}

private func percent(_ probability: Double, width: Int = 6) -> String {
    let text = String(format: "%.1f%%", probability * 100)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
