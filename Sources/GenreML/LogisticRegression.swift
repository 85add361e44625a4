import Foundation

/// scikit-learn's default `LogisticRegression`: softmax cross-entropy plus an L2 penalty on the
/// coefficients (not on the intercepts), minimised in Double by L-BFGS. With two trained classes it
/// learns one coefficient vector, as scikit-learn's binary model does (a penalised pair of vectors
/// would have a different optimum).
public struct LogisticRegression: Classifier {
    /// scikit-learn's `C`: the inverse of the penalty's strength.
    public let inverseRegularization: Double
    /// Stop when no entry of the mean loss's gradient is larger: scikit-learn's `tol`, whose
    /// default 1e-4 stops visibly short of the optimum.
    public let tolerance: Double
    public let maxIterations: Int
    private var state: State?

    private struct State: Codable {
        var classes: TrainedClasses
        /// One output per trained class but the first, whose score is 0 when there are fewer than
        /// three (binary: the second class's logit; one class: nothing to learn).
        var scores: AffineScores
        var iterations: Int

        func check() throws(ModelError) {
            try classes.check()
            try scores.check(outputs: Self.outputs(classes: classes.count))
        }

        static func outputs(classes: Int) -> Int { classes <= 2 ? classes - 1 : classes }

        /// The logit of each trained class for one row.
        func logits<Value: BinaryFloatingPoint>(_ x: ArraySlice<Value>, into logits: inout [Double]) {
            let pinned = logits.count - Self.outputs(classes: logits.count)
            if pinned == 1 { logits[0] = 0 }
            for output in 0 ..< logits.count - pinned { logits[output + pinned] = scores.score(output, x) }
        }
    }

    public init(inverseRegularization: Double = 1, tolerance: Double = 1e-8, maxIterations: Int = 1000) {
        self.inverseRegularization = inverseRegularization
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inverseRegularization: try container.decode(Double.self, forKey: .inverseRegularization),
                  tolerance: try container.decode(Double.self, forKey: .tolerance),
                  maxIterations: try container.decode(Int.self, forKey: .maxIterations))
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in
            try checkParameters()
            try state?.check()
        }
    }

    private func checkParameters() throws(ModelError) {
        try StateCheck.parameter(inverseRegularization > 0 && inverseRegularization.isFinite,
                                 "inverseRegularization (C) must be positive and finite, not \(inverseRegularization)")
        try StateCheck.parameter(tolerance >= 0 && tolerance.isFinite, "tolerance must be at least 0, not \(tolerance)")
        try StateCheck.parameter(maxIterations >= 1, "maxIterations must be at least 1, not \(maxIterations)")
    }

    /// L-BFGS iterations the last `fit` took (0 before `fit`); `maxIterations` means it stopped early.
    public var iterations: Int { state?.iterations ?? 0 }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        try checkParameters()
        let classes = TrainedClasses(labels: labels, classCount: classCount)
        let loss = SoftmaxLoss(x: x, targets: classes.dense(labels), classes: classes.count,
                               penalty: 1 / (inverseRegularization * Double(x.rows)))
        let start = AffineScores(outputs: State.outputs(classes: classes.count), columns: x.columns)
        let solver = LBFGS(gradientTolerance: tolerance, maxIterations: maxIterations)
        let result = solver.minimize(from: start.weights) { weights, gradient in
            loss.evaluate(State(classes: classes, scores: AffineScores(weights: weights, columns: x.columns), iterations: 0),
                          gradient: &gradient)
        }
        state = State(classes: classes, scores: AffineScores(weights: result.point, columns: x.columns),
                      iterations: result.iterations)
    }

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.scores.columns, outputs: $0.classes.classCount) }
    }

    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("LogisticRegression") }
        try validateInput(x, columns: state.scores.columns)
        return state.classes.matrix(rows: x.rows) { row, scores in
            state.logits(x.row(row), into: &scores)
            normalizeLogScores(&scores)
        }
    }

    /// The mean cross-entropy plus ½ `penalty` |coefficients|², and its gradient.
    private struct SoftmaxLoss {
        let data: [Double]
        let columns: Int
        let targets: [Int]
        let classes: Int
        let penalty: Double

        init(x: RowMatrix, targets: [Int], classes: Int, penalty: Double) {
            data = x.values.map(Double.init)
            columns = x.columns
            self.targets = targets
            self.classes = classes
            self.penalty = penalty
        }

        func evaluate(_ state: State, gradient: inout [Double]) -> Double {
            let d = columns, n = targets.count
            let pinned = classes - State.outputs(classes: classes)
            for i in gradient.indices { gradient[i] = 0 }
            var loss = 0.0
            var logits = [Double](repeating: 0, count: classes)
            for (row, target) in targets.enumerated() {
                let x = data[row * d ..< (row + 1) * d]
                state.logits(x, into: &logits)
                let top = logits.max()!
                let total = logits.reduce(0) { $0 + exp($1 - top) }
                loss += top + log(total) - logits[target]
                for k in pinned ..< classes {
                    // ∂loss/∂logit: the probability minus the one-hot target.
                    let residual = exp(logits[k] - top) / total - (k == target ? 1 : 0)
                    let base = (k - pinned) * (d + 1)
                    for (offset, value) in x.enumerated() { gradient[base + offset] += residual * value }
                    gradient[base + d] += residual
                }
            }
            var penaltyTerm = 0.0
            for i in gradient.indices {
                gradient[i] /= Double(n)
                if i % (d + 1) != d {
                    let weight = state.scores.weights[i]
                    gradient[i] += penalty * weight
                    penaltyTerm += weight * weight
                }
            }
            return loss / Double(n) + 0.5 * penalty * penaltyTerm
        }
    }
}
