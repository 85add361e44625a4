import Foundation
import GenreSupport

/// Grows CART trees the way scikit-learn's depth-first builder and `BestSplitter` do: the same
/// feature draws and constant-feature bookkeeping, candidate thresholds, tolerance and tie rule (the
/// first best split found wins). A tree can so differ from scikit-learn's only where equally good
/// splits are drawn in another order. One builder grows every tree of a forest, reusing its buffers.
struct TreeBuilder {
    /// Sorted values closer than this count as equal (scikit-learn's `FEATURE_THRESHOLD`, added in
    /// `Float` as there).
    private static let featureThreshold: Float = 1e-7

    /// X column by column (`columns[feature * rowCount + row]`): a node's gather stays in one column.
    private let columns: [Float]
    private let labels: [Int]
    private let rowCount, featureCount, classCount, featuresPerSplit: Int
    private let growth: TreeGrowth

    // Scratch reused by every node and tree, so growing allocates only the tree itself.
    /// Per row: how often it is in the tree's sample (bootstrap count; 0 leaves it out).
    private var weights: [Int] = []
    /// The tree's rows; a node owns `samples[start..<end]`.
    private var samples: [Int32] = []
    /// Sorts a node's (ordered value bits, row) pairs: plain integers sort fastest.
    private let sorter: RadixSorter
    private var sortedValues: [Float]
    /// scikit-learn's `features` and `constant_features`: the draw order, with the features known to
    /// be constant in the current node kept in front so that its children skip them.
    private var features: [Int] = []
    private var constantFeatures: [Int] = []
    private var nodeWeights: [Int], leftWeights: [Int], rightWeights: [Int]

    private struct Pending {
        let start, end, depth, parent: Int
        let isLeft: Bool
        let constantCount: Int
    }

    private struct Split {
        let feature: Int
        let threshold: Double
        var constantCount = 0
    }

    init(_ x: RowMatrix, labels: [Int], classCount: Int, growth: TreeGrowth) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        featuresPerSplit = try growth.featuresPerSplit(of: x.columns)
        self.growth = growth
        self.labels = labels
        self.classCount = classCount
        rowCount = x.rows
        featureCount = x.columns
        var columns = [Float](repeating: 0, count: x.values.count)
        for row in 0 ..< x.rows {
            for feature in 0 ..< x.columns { columns[feature * x.rows + row] = x[row, feature] }
        }
        self.columns = columns
        sorter = RadixSorter(capacity: x.rows)
        sortedValues = [Float](repeating: 0, count: x.rows)
        nodeWeights = [Int](repeating: 0, count: classCount)
        leftWeights = nodeWeights
        rightWeights = nodeWeights
    }

    /// One tree on the rows with `weights[row] > 0`, each counted `weights[row]` times.
    mutating func grow(weights: [Int], random: inout SeededGenerator) -> TreeModel {
        self.weights = weights
        samples = (0 ..< rowCount).filter { weights[$0] > 0 }.map { Int32($0) }
        features = Array(0 ..< featureCount)
        constantFeatures = features
        var tree = TreeModel(featureCount: featureCount, classCount: classCount)
        var stack = [Pending(start: 0, end: samples.count, depth: 0, parent: -1, isLeft: false, constantCount: 0)]
        while let node = stack.popLast() {
            let total = countClasses(node)
            let reference: Int32
            if isSplittable(node, total: total), let split = bestSplit(node, total: total, random: &random) {
                reference = tree.appendSplit(feature: split.feature, threshold: split.threshold)
                let middle = partition(node, split)
                // Right first, so the left subtree is grown (and numbered) first, as in scikit-learn.
                for (start, end, isLeft) in [(middle, node.end, false), (node.start, middle, true)] {
                    stack.append(Pending(start: start, end: end, depth: node.depth + 1, parent: Int(reference),
                                         isLeft: isLeft, constantCount: split.constantCount))
                }
            } else {
                reference = tree.appendLeaf(classWeights: nodeWeights, total: total)
            }
            if node.parent >= 0 { tree.link(parent: node.parent, isLeft: node.isLeft, to: reference) }
        }
        return tree
    }

    /// Fills `nodeWeights` and returns their sum.
    private mutating func countClasses(_ node: Pending) -> Int {
        for c in nodeWeights.indices { nodeWeights[c] = 0 }
        var total = 0
        for i in node.start ..< node.end {
            let row = Int(samples[i])
            nodeWeights[labels[row]] += weights[row]
            total += weights[row]
        }
        return total
    }

    private func isSplittable(_ node: Pending, total: Int) -> Bool {
        let count = node.end - node.start
        if let maxDepth = growth.maxDepth, node.depth >= maxDepth { return false }
        return count >= growth.minSamplesSplit && count >= 2 * growth.minSamplesLeaf
            && impurity(nodeWeights, total: total) > .ulpOfOne
    }

    private func impurity(_ classWeights: [Int], total: Int) -> Double {
        let n = Double(total)
        switch growth.criterion {
        case .gini:
            return 1 - Double(classWeights.reduce(0) { $0 + $1 * $1 }) / (n * n)
        case .entropy:
            return classWeights.reduce(0.0) { sum, weight in
                guard weight > 0 else { return sum }
                let p = Double(weight) / n
                return sum - p * (log(p) / log(2.0))  // scikit-learn's order of operations
            }
        }
    }

    /// The best split over up to `featuresPerSplit` non-constant features drawn without
    /// replacement, or nil when every feature is constant in the node.
    private mutating func bestSplit(_ node: Pending, total: Int, random: inout SeededGenerator) -> Split? {
        let known = node.constantCount
        var undrawn = featureCount, found = 0, drawnKnown = 0, visited = 0
        var best: Split?, bestProxy = -Double.infinity
        while undrawn > known + found && (visited < featuresPerSplit || visited <= found + drawnKnown) {
            visited += 1
            var j = drawnKnown + random.below(undrawn - found - drawnKnown)
            if j < known {
                features.swapAt(drawnKnown, j)
                drawnKnown += 1
                continue
            }
            j += found
            let feature = features[j]
            sort(node, by: feature)
            if sortedValues[node.end - 1] <= sortedValues[node.start] + Self.featureThreshold {
                features.swapAt(j, known + found)
                found += 1
                continue
            }
            undrawn -= 1
            features.swapAt(undrawn, j)
            if let candidate = bestThreshold(node, total: total, beating: bestProxy) {
                bestProxy = candidate.proxy
                best = Split(feature: feature, threshold: candidate.threshold)
            }
        }
        // The known constants go back in their order for the siblings; the new ones join them.
        for i in 0 ..< known { features[i] = constantFeatures[i] }
        for i in known ..< known + found { constantFeatures[i] = features[i] }
        best?.constantCount = known + found
        return best
    }

    /// Sorts the node's rows by `feature` into `samples` and their values into `sortedValues`.
    private mutating func sort(_ node: Pending, by feature: Int) {
        let base = feature * rowCount, keys = sorter.keys
        for i in node.start ..< node.end {
            let row = samples[i]
            keys[i] = UInt64(Self.orderedBits(columns[base + Int(row)])) << 32 | UInt64(row)
        }
        sorter.sort(node.start ..< node.end)
        for i in node.start ..< node.end {
            samples[i] = Int32(truncatingIfNeeded: keys[i])
            sortedValues[i] = Self.value(orderedBits: UInt32(keys[i] >> 32))
        }
    }

    /// Bits that sort as the `Float`s do: negatives flipped whole, positives above them.
    private static func orderedBits(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    private static func value(orderedBits bits: UInt32) -> Float {
        Float(bitPattern: bits & 0x8000_0000 != 0 ? bits & 0x7FFF_FFFF : ~bits)
    }

    /// Scans the sorted node for the split between distinct values whose criterion proxy beats
    /// `bestProxy`: the proxy and the threshold (the midpoint, as scikit-learn takes it).
    private mutating func bestThreshold(_ node: Pending, total: Int,
                                        beating bestProxy: Double) -> (proxy: Double, threshold: Double)? {
        for c in 0 ..< classCount {
            leftWeights[c] = 0
            rightWeights[c] = nodeWeights[c]
        }
        // The sums of squared class weights are kept as rows move left, for Gini in O(1) per candidate.
        var leftTotal = 0, rightTotal = total
        var leftSquares = 0, rightSquares = nodeWeights.reduce(0) { $0 + $1 * $1 }
        var best: (proxy: Double, threshold: Double)?, bestProxy = bestProxy
        let minLeaf = growth.minSamplesLeaf
        var moved = node.start, p = node.start
        while p < node.end {
            while p + 1 < node.end && sortedValues[p + 1] <= sortedValues[p] + Self.featureThreshold { p += 1 }
            p += 1
            guard p < node.end else { break }
            if p - node.start < minLeaf || node.end - p < minLeaf { continue }
            while moved < p {
                let row = Int(samples[moved]), c = labels[row], w = weights[row]
                leftSquares += w * (2 * leftWeights[c] + w)
                rightSquares -= w * (2 * rightWeights[c] - w)
                leftWeights[c] += w
                rightWeights[c] -= w
                leftTotal += w
                rightTotal -= w
                moved += 1
            }
            let l = Double(leftTotal), r = Double(rightTotal)
            // scikit-learn's proxy: -(n_right * impurity_right) - n_left * impurity_left.
            let proxy = switch growth.criterion {
            case .gini: -r * (1 - Double(rightSquares) / (r * r)) - l * (1 - Double(leftSquares) / (l * l))
            case .entropy: -r * impurity(rightWeights, total: rightTotal) - l * impurity(leftWeights, total: leftTotal)
            }
            if proxy > bestProxy {
                bestProxy = proxy
                best = (proxy, Self.midpoint(sortedValues[p - 1], sortedValues[p]))
            }
        }
        return best
    }

    /// Halves are summed so the midpoint stays finite; when it rounds up to `upper` the lower value
    /// is the threshold, so that `upper` still goes right.
    private static func midpoint(_ lower: Float, _ upper: Float) -> Double {
        let middle = Double(lower) / 2 + Double(upper) / 2
        return middle == Double(upper) || middle.isInfinite ? Double(lower) : middle
    }

    /// Puts the node's rows that go left first; returns where the right ones start.
    private mutating func partition(_ node: Pending, _ split: Split) -> Int {
        let base = split.feature * rowCount
        var i = node.start, end = node.end
        while i < end {
            if Double(columns[base + Int(samples[i])]) <= split.threshold {
                i += 1
            } else {
                end -= 1
                samples.swapAt(i, end)
            }
        }
        return i
    }
}
