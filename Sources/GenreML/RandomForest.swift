import GenreSupport

/// A random forest like scikit-learn's `RandomForestClassifier`: every tree grows to full depth on a
/// bootstrap sample of the rows, trying √features per split, and the forest's probabilities are the
/// mean of the trees' leaf fractions.
public struct RandomForest: Classifier {
    public var treeCount: Int
    public var growth: TreeGrowth
    /// Draws every tree's sample and feature order, so a seeded fit reproduces exactly.
    public var seed: UInt64
    private var trees: [TreeModel] = []

    public init(treeCount: Int = 100, growth: TreeGrowth = TreeGrowth(maxFeatures: .sqrt), seed: UInt64 = 0) {
        self.treeCount = treeCount
        self.growth = growth
        self.seed = seed
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        guard treeCount >= 1 else { throw .invalidParameter("treeCount must be at least 1, not \(treeCount)") }
        var builder = try TreeBuilder(x, labels: labels, classCount: classCount, growth: growth)
        var seeds = SeededGenerator(seed: seed)
        var grown: [TreeModel] = []
        grown.reserveCapacity(treeCount)
        for _ in 0 ..< treeCount {
            var random = SeededGenerator(seed: seeds.next())
            var counts = [Int](repeating: 0, count: x.rows)
            for _ in 0 ..< x.rows { counts[random.below(x.rows)] += 1 }
            grown.append(builder.grow(weights: counts, random: &random))
        }
        trees = grown
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try trees.probabilities(x, model: "RandomForest")
    }

    public var fittedShape: FittedShape? { trees.first?.shape }

    private enum CodingKeys: String, CodingKey {
        case treeCount, growth, seed, trees
    }

    /// Each tree checks itself; the forest checks that they agree on the features and classes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        treeCount = try c.decode(Int.self, forKey: .treeCount)
        growth = try c.decode(TreeGrowth.self, forKey: .growth)
        seed = try c.decode(UInt64.self, forKey: .seed)
        trees = try c.decode([TreeModel].self, forKey: .trees)
        if let first = trees.first,
           trees.contains(where: { $0.featureCount != first.featureCount || $0.classCount != first.classCount }) {
            throw DecodingError.dataCorruptedError(forKey: .trees, in: c,
                                                   debugDescription: "the trees disagree on the features or classes")
        }
    }
}
