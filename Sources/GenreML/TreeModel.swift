/// A grown tree in flat arrays, which is also how it is saved. Split nodes are numbered from 0 (the
/// root) in the order they were made, so a child always comes after its parent. A child reference
/// `c >= 0` is split node `c`; `c < 0` is leaf `~c`, whose class fractions are the row `~c` of
/// `leafValues` (`classCount` values each). A tree without splits is the single leaf 0.
struct TreeModel: Sendable, Codable, Equatable {
    let featureCount: Int
    let classCount: Int
    private(set) var feature: [Int32] = []
    /// A row goes left when `Double(value) <= threshold`: scikit-learn's midpoints of two `Float`s
    /// need `Double` to lie strictly between them.
    private(set) var threshold: [Double] = []
    private(set) var left: [Int32] = []
    private(set) var right: [Int32] = []
    private(set) var leafValues: [Float] = []

    init(featureCount: Int, classCount: Int) {
        self.featureCount = featureCount
        self.classCount = classCount
    }

    var leafCount: Int { leafValues.count / max(classCount, 1) }
    var shape: FittedShape { FittedShape(columns: featureCount, outputs: classCount) }

    /// The longest path from the root to a leaf, in splits (scikit-learn's `get_depth()`).
    var depth: Int {
        guard !feature.isEmpty else { return 0 }
        var depths = [Int](repeating: 0, count: feature.count)
        var deepest = 0
        for node in feature.indices {
            for child in [left[node], right[node]] {
                if child >= 0 { depths[Int(child)] = depths[node] + 1 } else { deepest = max(deepest, depths[node] + 1) }
            }
        }
        return deepest
    }

    /// Adds a split whose children are linked later; returns its reference.
    mutating func appendSplit(feature: Int, threshold: Double) -> Int32 {
        self.feature.append(Int32(feature))
        self.threshold.append(threshold)
        left.append(0)
        right.append(0)
        return Int32(self.feature.count - 1)
    }

    /// Adds a leaf holding `weights[c] / total` per class; returns its reference.
    mutating func appendLeaf(classWeights weights: [Int], total: Int) -> Int32 {
        let reference = ~Int32(leafCount)
        leafValues.append(contentsOf: weights.map { Float(Double($0) / Double(total)) })
        return reference
    }

    mutating func link(parent: Int, isLeft: Bool, to child: Int32) {
        if isLeft { left[parent] = child } else { right[parent] = child }
    }

    /// The leaf a row of `x` falls in.
    func leaf(of x: RowMatrix, row: Int) -> Int {
        var node: Int32 = feature.isEmpty ? ~0 : 0
        x.values.withUnsafeBufferPointer { values in
            let base = row * x.columns
            while node >= 0 {
                let n = Int(node)
                node = Double(values[base + Int(feature[n])]) <= threshold[n] ? left[n] : right[n]
            }
        }
        return Int(~node)
    }

    // MARK: Codable that rejects unusable state

    private enum CodingKeys: String, CodingKey {
        case featureCount, classCount, feature, threshold, left, right, leafValues
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        featureCount = try c.decode(Int.self, forKey: .featureCount)
        classCount = try c.decode(Int.self, forKey: .classCount)
        feature = try c.decode([Int32].self, forKey: .feature)
        threshold = try c.decode([Double].self, forKey: .threshold)
        left = try c.decode([Int32].self, forKey: .left)
        right = try c.decode([Int32].self, forKey: .right)
        leafValues = try c.decode([Float].self, forKey: .leafValues)
        if let problem = problem() {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a usable tree: \(problem)"))
        }
    }

    /// What makes this state unusable, or nil. Every split node but the root and every leaf must be
    /// referenced exactly once, and only from an earlier node: that makes it one tree, without cycles.
    private func problem() -> String? {
        let splits = feature.count, leaves = splits + 1
        guard featureCount >= 0, classCount >= 1 else { return "\(featureCount) features, \(classCount) classes" }
        guard threshold.count == splits, left.count == splits, right.count == splits else {
            return "split arrays of different lengths"
        }
        // Multiplied with a check: a decoded class count can be anything.
        let (cells, overflow) = leaves.multipliedReportingOverflow(by: classCount)
        guard !overflow, leafValues.count == cells else {
            return "\(leafValues.count) leaf values for \(leaves) leaves of \(classCount) classes"
        }
        if let bad = feature.first(where: { !(0 ..< featureCount).contains(Int($0)) }) {
            return "split feature \(bad) outside 0..<\(featureCount)"
        }
        if threshold.contains(where: { !$0.isFinite }) { return "a threshold is not finite" }
        var splitParents = [Int](repeating: 0, count: splits), leafParents = [Int](repeating: 0, count: leaves)
        for node in 0 ..< splits {
            for child in [Int(left[node]), Int(right[node])] {
                if child >= 0 {
                    guard child > node, child < splits else { return "split \(node) points to split \(child)" }
                    splitParents[child] += 1
                } else {
                    guard ~child < leaves else { return "split \(node) points to leaf \(~child)" }
                    leafParents[~child] += 1
                }
            }
        }
        guard splitParents.dropFirst().allSatisfy({ $0 == 1 }), leafParents.allSatisfy({ $0 == 1 }) else {
            return "a node is unreachable or shared"
        }
        for leaf in 0 ..< leaves {
            let values = leafValues[leaf * classCount ..< (leaf + 1) * classCount]
            guard values.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(values.reduce(0, +) - 1) < 1e-3 else {
                return "leaf \(leaf) does not hold class fractions"
            }
        }
        return nil
    }
}

extension [TreeModel] {
    /// The mean of the trees' leaf fractions for each row of `x`, accumulated in `Double`;
    /// `model` names the estimator in the error when there are no trees yet.
    func probabilities(_ x: RowMatrix, model: String) throws(ModelError) -> RowMatrix {
        guard let first else { throw .notFitted(model) }
        try validateInput(x, columns: first.featureCount)
        let classes = first.classCount
        var sums = [Double](repeating: 0, count: x.rows * classes)
        for tree in self {
            for row in 0 ..< x.rows {
                let leaf = tree.leaf(of: x, row: row)
                for c in 0 ..< classes { sums[row * classes + c] += Double(tree.leafValues[leaf * classes + c]) }
            }
        }
        let scale = 1 / Double(count)
        return RowMatrix(rows: x.rows, columns: classes, values: sums.map { Float($0 * scale) })
    }
}
