/// scikit-learn's `KNeighborsClassifier` with the Euclidean metric and a brute-force search:
/// a row's probabilities are the (weighted) votes of its `neighbors` nearest training rows.
public struct KNearestNeighbors: Classifier {
    public enum Weighting: String, Sendable, Codable {
        /// Every neighbour votes 1.
        case uniform
        /// A neighbour votes 1 / distance; neighbours at distance 0, if any, take all the votes.
        case distance
    }

    /// scikit-learn's `n_neighbors`; a training set with fewer rows uses them all.
    public let neighbors: Int
    public let weighting: Weighting
    private var state: State?

    private struct State: Codable {
        var rows: RowMatrix
        var labels: [Int]
        var classCount: Int

        func check() throws(ModelError) {
            try StateCheck.matrix(rows, columns: rows.columns, "training rows")
            try StateCheck.state(rows.rows > 0 && labels.count == rows.rows,
                                 "\(labels.count) labels for \(rows.rows) training rows")
            try StateCheck.state(labels.allSatisfy { (0 ..< classCount).contains($0) },
                                 "a label is outside 0..<\(classCount)")
        }
    }

    public init(neighbors: Int = 5, weighting: Weighting = .uniform) {
        self.neighbors = neighbors
        self.weighting = weighting
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(neighbors: try container.decode(Int.self, forKey: .neighbors),
                  weighting: try container.decode(Weighting.self, forKey: .weighting))
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in
            try checkParameters()
            try state?.check()
        }
    }

    private func checkParameters() throws(ModelError) {
        try StateCheck.parameter(neighbors >= 1, "neighbors must be at least 1, not \(neighbors)")
    }

    /// Remembers the training rows: all the learning k-NN does.
    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        try checkParameters()
        state = State(rows: x, labels: labels, classCount: classCount)
    }

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.rows.columns, outputs: $0.classCount) }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("KNearestNeighbors") }
        try validateInput(x, columns: state.rows.columns)
        let training = state.rows.values.map(Double.init)
        let d = state.rows.columns
        var nearest = Nearest(count: min(neighbors, state.rows.rows))
        var query = [Double](repeating: 0, count: d)
        var result = RowMatrix(rows: x.rows, columns: state.classCount)
        for row in 0 ..< x.rows {
            for (column, value) in x.row(row).enumerated() { query[column] = Double(value) }
            nearest.removeAll()
            training.withUnsafeBufferPointer { train in
                query.withUnsafeBufferPointer { query in
                    for candidate in 0 ..< state.rows.rows {
                        let distance = DoubleVectors.squaredDistance(query.baseAddress!, train.baseAddress! + candidate * d, count: d)
                        nearest.offer(distance, index: candidate)
                    }
                }
            }
            let votes = weights(squaredDistances: nearest.distances)
            let total = votes.reduce(0, +)
            var shares = [Double](repeating: 0, count: state.classCount)
            for (vote, index) in zip(votes, nearest.indices) { shares[state.labels[index]] += vote / total }
            for (label, share) in shares.enumerated() { result[row, label] = Float(share) }
        }
        return result
    }

    /// scikit-learn's `_get_weights`.
    private func weights(squaredDistances: [Double]) -> [Double] {
        switch weighting {
        case .uniform:
            return squaredDistances.map { _ in 1 }
        case .distance where squaredDistances.contains(0):
            return squaredDistances.map { $0 == 0 ? 1 : 0 }
        case .distance:
            return squaredDistances.map { 1 / $0.squareRoot() }
        }
    }
}

/// The `count` smallest distances offered so far, ascending; ties keep the earlier index.
private struct Nearest {
    let count: Int
    private(set) var distances: [Double] = []
    private(set) var indices: [Int] = []

    init(count: Int) {
        self.count = count
        distances.reserveCapacity(count + 1)
        indices.reserveCapacity(count + 1)
    }

    mutating func removeAll() {
        distances.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
    }

    mutating func offer(_ distance: Double, index: Int) {
        if distances.count == count {
            guard distance < distances[count - 1] else { return }
            distances.removeLast()
            indices.removeLast()
        }
        var slot = distances.count
        while slot > 0 && distances[slot - 1] > distance { slot -= 1 }
        distances.insert(distance, at: slot)
        indices.insert(index, at: slot)
    }
}
