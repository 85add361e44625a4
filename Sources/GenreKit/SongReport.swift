import Foundation

/// A song's prediction as people and machines read it: the top genres, and with a timeline the
/// top genre of each window.
public struct SongReport: Sendable {
    public let prediction: SongPrediction
    public let top: Int
    public let timeline: Bool

    public init(prediction: SongPrediction, top: Int, timeline: Bool) {
        self.prediction = prediction
        self.top = top
        self.timeline = timeline
    }

    public func text() -> String {
        let genres = prediction.ranking.prefix(top)
        let width = genres.map(\.genre.count).max() ?? 0
        var lines = ["\(prediction.path) (\(clock(prediction.durationSeconds)))"]
        lines += genres.map { "  \(pad($0.genre, width)) \(percent($0.probability))" }
        if timeline {
            lines.append("  timeline (\(prediction.windows.count) windows):")
            lines += prediction.windows.map { window in
                let shown = window.ranking.prefix(min(top, 2)).map { "\($0.genre) \(percent($0.probability, width: 0))" }
                return "    \(clock(window.startSeconds))-\(clock(window.endSeconds))  " + shown.joined(separator: ", ")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public struct JSON: Encodable {
        let path: String
        let durationSeconds: Double
        let aggregation: Aggregation
        let genres: [GenreScore]
        let windows: [WindowPrediction]?
    }

    public var json: JSON {
        JSON(path: prediction.path, durationSeconds: prediction.durationSeconds, aggregation: prediction.aggregation,
             genres: Array(prediction.ranking.prefix(top)),
             windows: timeline ? prediction.windows.map {
                 WindowPrediction(startSeconds: $0.startSeconds, endSeconds: $0.endSeconds, ranking: Array($0.ranking.prefix(top)))
             } : nil)
    }

    /// One row per song (and window, with a timeline) and rank: `window` is `song` or the window's number.
    public static func csv(_ predictions: [SongPrediction], top: Int, timeline: Bool) -> String {
        var lines = ["path,window,start_seconds,end_seconds,rank,genre,probability"]
        for prediction in predictions {
            let path = CSV.escape(prediction.path)
            for (rank, score) in prediction.ranking.prefix(top).enumerated() {
                lines.append("\(path),song,0,\(seconds(prediction.durationSeconds)),\(rank + 1),\(CSV.escape(score.genre)),\(score.probability)")
            }
            guard timeline else { continue }
            for (index, window) in prediction.windows.enumerated() {
                for (rank, score) in window.ranking.prefix(top).enumerated() {
                    lines.append("\(path),\(index),\(seconds(window.startSeconds)),\(seconds(window.endSeconds)),\(rank + 1),"
                        + "\(CSV.escape(score.genre)),\(score.probability)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

private func percent(_ probability: Double, width: Int = 6) -> String {
    let text = String(format: "%.1f%%", probability * 100)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

private func clock(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10).rounded())
    return String(format: "%d:%02d.%d", tenths / 600, tenths / 10 % 60, tenths % 10)
}

private func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
