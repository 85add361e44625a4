/// How a CART tree is grown: scikit-learn's tree hyper-parameters, shared by `DecisionTree` and
/// `RandomForest`.
public struct TreeGrowth: Sendable, Codable, Equatable {
    /// The impurity a split lowers most (scikit-learn's `criterion`).
    public enum Criterion: String, Sendable, Codable {
        case gini, entropy
    }

    /// How many features each split tries (scikit-learn's `max_features`).
    public enum FeatureCount: Sendable, Codable, Equatable {
        case all
        /// max(1, ⌊√features⌋), the forest's default: it decorrelates the trees.
        case sqrt
        case count(Int)
    }

    public var criterion: Criterion
    /// nil grows until every leaf is pure or too small to split.
    public var maxDepth: Int?
    /// A node with fewer (distinct) training rows becomes a leaf.
    public var minSamplesSplit: Int
    /// No split may leave fewer (distinct) training rows on either side.
    public var minSamplesLeaf: Int
    public var maxFeatures: FeatureCount

    public init(criterion: Criterion = .gini, maxDepth: Int? = nil, minSamplesSplit: Int = 2,
                minSamplesLeaf: Int = 1, maxFeatures: FeatureCount = .all) {
        self.criterion = criterion
        self.maxDepth = maxDepth
        self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf
        self.maxFeatures = maxFeatures
    }

    /// The number of features a split tries among `featureCount`, once every parameter is checked.
    func featuresPerSplit(of featureCount: Int) throws(ModelError) -> Int {
        if let maxDepth, maxDepth < 1 { throw .invalidParameter("maxDepth must be at least 1 or nil, not \(maxDepth)") }
        guard minSamplesSplit >= 2 else {
            throw .invalidParameter("minSamplesSplit must be at least 2, not \(minSamplesSplit)")
        }
        guard minSamplesLeaf >= 1 else {
            throw .invalidParameter("minSamplesLeaf must be at least 1, not \(minSamplesLeaf)")
        }
        switch maxFeatures {
        case .all: return featureCount
        case .sqrt: return max(1, Int(Double(featureCount).squareRoot()))
        case .count(let count):
            guard count >= 1, count <= featureCount else {
                throw .invalidParameter("maxFeatures must lie in 1...\(featureCount), not \(count)")
            }
            return count
        }
    }
}
