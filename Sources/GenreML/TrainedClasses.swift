import Foundation

/// The classes that occur in the training labels, numbered densely. Models learn parameters for
/// these alone, as scikit-learn does with `classes_`; a class without rows gets probability 0
/// instead of parameters driven towards infinity.
struct TrainedClasses: Sendable, Codable, Equatable {
    /// The classes with rows, ascending: dense index `i` stands for class `present[i]`.
    let present: [Int]
    let classCount: Int

    init(labels: [Int], classCount: Int) {
        var seen = [Bool](repeating: false, count: classCount)
        for label in labels { seen[label] = true }
        present = seen.indices.filter { seen[$0] }
        self.classCount = classCount
    }

    var count: Int { present.count }

    /// Each label's dense index.
    func dense(_ labels: [Int]) -> [Int] {
        var index = [Int](repeating: -1, count: classCount)
        for (dense, label) in present.enumerated() { index[label] = dense }
        return labels.map { index[$0] }
    }

    func check() throws(ModelError) {
        try StateCheck.state(classCount > 0 && !present.isEmpty && zip(present, present.dropFirst()).allSatisfy { $0 < $1 }
                             && present.allSatisfy { $0 >= 0 && $0 < classCount },
                             "the trained classes \(present) are not an ascending subset of 0..<\(classCount)")
    }

    /// A `rows` x `classCount` matrix: `fill(row, &values)` writes the trained classes' values
    /// (dense order); the other classes get `absent`.
    func matrix(rows: Int, absent: Float = 0, _ fill: (Int, inout [Double]) -> Void) -> RowMatrix {
        var result = RowMatrix(rows: rows, columns: classCount, repeating: absent)
        var dense = [Double](repeating: 0, count: count)
        for row in 0 ..< rows {
            fill(row, &dense)
            for (index, label) in present.enumerated() { result[row, label] = Float(dense[index]) }
        }
        return result
    }
}

/// Turns log-scores into probabilities in place: exp(s - logsumexp(s)). Scores that overflowed
/// share the probability among the largest ones instead of giving NaN (inf - inf).
func normalizeLogScores(_ scores: inout [Double]) {
    let top = scores.max() ?? 0
    guard top.isFinite else {
        // All -inf: nothing to tell the classes apart. Some +inf: those share everything.
        let winners = scores.map { $0 == top ? 1.0 : 0.0 }
        let total = winners.reduce(0, +)
        scores = winners.map { $0 / total }
        return
    }
    var total = 0.0
    for i in scores.indices {
        scores[i] = exp(scores[i] - top)
        total += scores[i]
    }
    for i in scores.indices { scores[i] /= total }
}
