/// Gradient-boosted trees over XGBoost, like xgboost's `XGBClassifier` with the objective
/// `multi:softprob` and the histogram tree method: each round adds one tree per class, and the
/// softmax of the summed leaf values gives the probabilities.
public struct GradientBoostedTrees: Classifier {
    /// Boosting rounds (xgboost's `n_estimators`).
    public let rounds: Int
    public let maxDepth: Int
    /// The shrinkage of each round's trees (xgboost's `eta`).
    public let learningRate: Double
    /// The fraction of rows each tree sees, and of columns.
    public let subsample: Double
    public let columnSample: Double
    /// Seeds the row and column sampling.
    public let seed: Int
    /// XGBoost's own threads; 1 by default, since callers run folds or models in parallel.
    public let threadCount: Int

    private var fitted: NativeFit<XGBoostBooster>?

    public init(rounds: Int = 100, maxDepth: Int = 6, learningRate: Double = 0.3, subsample: Double = 1,
                columnSample: Double = 1, seed: Int = 0, threadCount: Int = 1) {
        self.rounds = rounds
        self.maxDepth = maxDepth
        self.learningRate = learningRate
        self.subsample = subsample
        self.columnSample = columnSample
        self.seed = seed
        self.threadCount = threadCount
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        for (name, value) in [("rounds", rounds), ("maxDepth", maxDepth), ("threadCount", threadCount)]
            where !(1 ... Int(Int32.max)).contains(value) {
            throw .invalidParameter("\(name) must be at least 1, got \(value)")
        }
        try requirePositive(["learningRate": learningRate])
        for (name, value) in [("subsample", subsample), ("columnSample", columnSample)] where !(value > 0 && value <= 1) {
            throw .invalidParameter("\(name) must lie in the range (0, 1], got \(value)")
        }
        let settings = self
        fitted = try NativeFit(x, labels: labels, classCount: classCount) { labels, classes throws(ModelError) in
            try XGBoostBooster(training: x, labels: labels, classCount: classes, rounds: settings.rounds,
                               parameters: settings.parameters, threadCount: settings.threadCount)
        }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let fitted else { throw .notFitted("GradientBoostedTrees") }
        return try fitted.probabilities(x)
    }

    public var fittedShape: FittedShape? { fitted?.shape }

    /// The hyper-parameters by XGBoost's names.
    private var parameters: [(String, String)] {
        [("max_depth", "\(maxDepth)"), ("eta", "\(learningRate)"), ("subsample", "\(subsample)"),
         ("colsample_bytree", "\(columnSample)"), ("tree_method", "hist"), ("seed", "\(seed)")]
    }
}
