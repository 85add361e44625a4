/// A support vector machine with the RBF kernel over libsvm, like scikit-learn's
/// `SVC(probability=True)`: C-SVC trained one-against-one, with probabilities from Platt scaling
/// (fitted on libsvm's internal 5-fold cross-validation) joined by pairwise coupling.
///
/// Standardise the features first: the kernel compares raw distances.
public struct SupportVectorMachine: Classifier {
    /// The RBF kernel's width: exp(-gamma |x - x'|²).
    public enum Gamma: Sendable, Codable, Equatable {
        /// 1 / (features x variance of all training values), computed at fit (sklearn's "scale").
        case scale
        case fixed(Double)
    }

    /// sklearn's C: the penalty for training rows on the wrong side of the margin.
    public let cost: Double
    public let gamma: Gamma
    /// The solver's stopping tolerance.
    public let tolerance: Double
    /// libsvm's kernel cache.
    public let cacheMegabytes: Double
    /// libsvm's shrinking heuristic: faster, same result.
    public let shrinking: Bool
    /// Seeds the random folds of Platt scaling; the same seed and data give the same model.
    public let seed: UInt32

    private var fitted: NativeFit<LibSVMModel>?

    public init(cost: Double = 1, gamma: Gamma = .scale, tolerance: Double = 1e-3,
                cacheMegabytes: Double = 200, shrinking: Bool = true, seed: UInt32 = 0) {
        self.cost = cost
        self.gamma = gamma
        self.tolerance = tolerance
        self.cacheMegabytes = cacheMegabytes
        self.shrinking = shrinking
        self.seed = seed
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try requirePositive(["cost": cost, "tolerance": tolerance, "cacheMegabytes": cacheMegabytes])
        if case .fixed(let value) = gamma { try requirePositive(["gamma": value]) }
        let settings = self
        fitted = try NativeFit(x, labels: labels, classCount: classCount) { labels, classes throws(ModelError) in
            try LibSVMModel(training: x, labels: labels, classCount: classes, settings: settings,
                            gamma: settings.gamma.value(for: x))
        }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        try fittedModel().probabilities(x)
    }

    public var fittedShape: FittedShape? { fitted?.shape }

    /// libsvm's decision values: one column per pair of trained classes (i, j), i < j, in
    /// increasing order (sklearn's `decision_function` with `decision_function_shape="ovo"`);
    /// positive favours i. No columns when training saw a single class.
    public func decisionValues(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        let fit = try fittedModel()
        try validateInput(x, columns: fit.columns)
        return fit.model?.decisionValues(x) ?? RowMatrix(rows: x.rows, columns: 0)
    }

    /// The class that wins most pairwise votes, for each row (sklearn's `SVC.predict`). It can
    /// differ from the most probable class, since Platt scaling is fitted on other folds.
    public func votes(_ x: RowMatrix) throws(ModelError) -> [Int] {
        let fit = try fittedModel()
        try validateInput(x, columns: fit.columns)
        return fit.model?.votes(x).map(fit.label) ?? Array(repeating: fit.label(0), count: x.rows)
    }

    /// How many support vectors each class has (sklearn's `n_support_`); empty before fitting.
    public var supportVectorCounts: [Int] {
        guard let fitted else { return [] }
        var counts = [Int](repeating: 0, count: fitted.classCount)
        for (index, count) in (fitted.model?.state.supportCounts ?? []).enumerated() {
            counts[fitted.label(index)] = count
        }
        return counts
    }

    private func fittedModel() throws(ModelError) -> NativeFit<LibSVMModel> {
        guard let fitted else { throw .notFitted("SupportVectorMachine") }
        return fitted
    }
}

extension SupportVectorMachine.Gamma {
    func value(for x: RowMatrix) -> Double {
        switch self {
        case .fixed(let value): return value
        case .scale:
            let count = Double(x.values.count)
            let mean = x.values.reduce(0.0) { $0 + Double($1) } / count
            let variance = x.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
            // sklearn's choice for data without spread, where the formula divides by zero.
            return variance > 0 ? 1 / (Double(x.columns) * variance) : 1
        }
    }
}
