import Foundation
import GenreML

/// How the probabilities of a song's windows become the song's answer.
public enum Aggregation: String, CaseIterable, Codable, Sendable {
    /// The mean of the windows' probabilities.
    case mean
    /// The normalised geometric mean: a genre must be likely in every window to score high.
    case geometric
    /// The share of windows that rank each genre first.
    case vote

    /// One probability per class (summing to 1) from `rows` of `probabilities`.
    public func combine(_ probabilities: RowMatrix, rows: some Collection<Int>) -> [Double] {
        let classes = probabilities.columns
        guard !rows.isEmpty else { return [Double](repeating: 1 / Double(classes), count: classes) }
        var combined = [Double](repeating: 0, count: classes)
        for row in rows {
            let p = probabilities.row(row)
            switch self {
            case .mean: for c in 0 ..< classes { combined[c] += Double(p[p.startIndex + c]) }
            // A floor keeps one window's zero from vetoing a class outright (and log(0) out).
            case .geometric: for c in 0 ..< classes { combined[c] += log(max(Double(p[p.startIndex + c]), 1e-6)) }
            case .vote: combined[p.argmax! - p.startIndex] += 1
            }
        }
        if self == .geometric {
            let top = combined.max()!
            combined = combined.map { exp(($0 - top) / Double(rows.count)) }
        }
        let total = combined.reduce(0, +)
        return combined.map { $0 / total }
    }

    /// One score per tag from `rows` of independent tag probabilities (a taggram): each tag on its
    /// own, not rescaled to sum to 1. `mean` is musicnn's own average; `geometric` the geometric
    /// mean (floored as in `combine`); `vote` the share of rows where the tag is more likely
    /// present than not (probability of at least 0.5), a majority vote per tag.
    public func combineIndependent(_ probabilities: RowMatrix, rows: some Collection<Int>) -> [Double] {
        let tags = probabilities.columns
        guard !rows.isEmpty else { return [Double](repeating: 0, count: tags) }
        var combined = [Double](repeating: 0, count: tags)
        for row in rows {
            let p = probabilities.row(row)
            for t in 0 ..< tags {
                let value = Double(p[p.startIndex + t])
                switch self {
                case .mean: combined[t] += value
                case .geometric: combined[t] += log(max(value, 1e-6))
                case .vote: combined[t] += value >= 0.5 ? 1 : 0
                }
            }
        }
        let count = Double(rows.count)
        return combined.map { self == .geometric ? exp($0 / count) : $0 / count }
    }
}
