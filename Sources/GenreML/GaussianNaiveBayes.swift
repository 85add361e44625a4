import Foundation

/// scikit-learn's `GaussianNB`: one normal distribution per class and feature, priors from the
/// class frequencies, every variance widened by `varianceSmoothing` times the largest feature variance.
public struct GaussianNaiveBayes: Classifier {
    /// scikit-learn's `var_smoothing`.
    public let varianceSmoothing: Double
    private var state: State?

    private struct State: Codable {
        var classes: TrainedClasses
        var columns: Int
        var priors: [Double]
        /// Trained classes x columns, row-major.
        var means: [Double]
        var variances: [Double]

        func check() throws(ModelError) {
            try classes.check()
            try StateCheck.finite(priors, count: classes.count, "priors")
            let cells = try StateCheck.size(classes.count, columns, of: "means")
            try StateCheck.finite(means, count: cells, "means")
            try StateCheck.finite(variances, count: cells, "variances")
            try StateCheck.state(priors.allSatisfy { $0 > 0 } && variances.allSatisfy { $0 > 0 },
                                 "a prior or a variance is not positive")
        }
    }

    public init(varianceSmoothing: Double = 1e-9) {
        self.varianceSmoothing = varianceSmoothing
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(varianceSmoothing: try container.decode(Double.self, forKey: .varianceSmoothing))
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in
            try checkParameters()
            try state?.check()
        }
    }

    private func checkParameters() throws(ModelError) {
        try StateCheck.parameter(varianceSmoothing >= 0 && varianceSmoothing.isFinite,
                                 "varianceSmoothing must be finite and at least 0, not \(varianceSmoothing)")
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        try checkParameters()
        let classes = TrainedClasses(labels: labels, classCount: classCount)
        // The floor keeps every variance positive when all columns are constant: no 0/0.
        let epsilon = max(varianceSmoothing * (ColumnMoments(x).variance.max() ?? 0), Double.leastNormalMagnitude)
        var priors: [Double] = [], means: [Double] = [], variances: [Double] = []
        for label in classes.present {
            let rows = labels.indices.filter { labels[$0] == label }
            let moments = ColumnMoments(x, rows: rows)
            priors.append(Double(rows.count) / Double(x.rows))
            means += moments.mean
            variances += moments.variance.map { $0 + epsilon }
        }
        state = State(classes: classes, columns: x.columns, priors: priors, means: means, variances: variances)
    }

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.columns, outputs: $0.classes.classCount) }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("GaussianNaiveBayes") }
        try validateInput(x, columns: state.columns)
        let d = state.columns
        // log prior - ½ Σ log(2π σ²): the part of the joint log-likelihood that is the same for every row.
        let offsets = state.priors.indices.map { k in
            log(state.priors[k]) - 0.5 * state.variances[k * d ..< (k + 1) * d].reduce(0) { $0 + log(2 * .pi * $1) }
        }
        return state.classes.matrix(rows: x.rows) { row, scores in
            let values = x.row(row)
            for k in scores.indices {
                var distance = 0.0
                for (column, value) in values.enumerated() {
                    let deviation = Double(value) - state.means[k * d + column]
                    distance += deviation * deviation / state.variances[k * d + column]
                }
                scores[k] = offsets[k] - 0.5 * distance
            }
            normalizeLogScores(&scores)
        }
    }
}
