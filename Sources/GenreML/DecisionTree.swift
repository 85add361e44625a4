import GenreSupport

/// A CART decision tree like scikit-learn's `DecisionTreeClassifier`: each split is the best
/// threshold (a midpoint between consecutive distinct values) over the features tried, and a leaf
/// gives the class fractions of the training rows that reach it.
public struct DecisionTree: Classifier {
    public var growth: TreeGrowth
    /// Orders the features a split tries (scikit-learn's `random_state`): it decides between equally
    /// good splits, and which features are tried when `maxFeatures` is not `.all`.
    public var seed: UInt64
    private var model: TreeModel?

    public init(growth: TreeGrowth = TreeGrowth(), seed: UInt64 = 0) {
        self.growth = growth
        self.seed = seed
    }

    /// The longest root-to-leaf path in splits, once fitted.
    public var depth: Int? { model?.depth }
    public var leafCount: Int? { model?.leafCount }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        var builder = try TreeBuilder(x, labels: labels, classCount: classCount, growth: growth)
        var random = SeededGenerator(seed: seed)
        model = builder.grow(weights: [Int](repeating: 1, count: x.rows), random: &random)
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try (model.map { [$0] } ?? []).probabilities(x, model: "DecisionTree")
    }

    public var fittedShape: FittedShape? { model?.shape }
}
