import GenreSupport

/// A linear SVM trained like scikit-learn's `SGDClassifier(loss="hinge", penalty="l2")`: one
/// machine per class against the rest (one machine for two classes), plain stochastic gradient
/// descent with the "optimal" learning rate 1 / (alpha (t0 + t - 1)), stopped when an epoch's summed
/// hinge loss has not improved by `tolerance` x rows for `patience` epochs. Rows are shuffled from
/// `seed`, so a run is reproducible (but not scikit-learn's, whose generator differs).
public struct LinearSVM: Classifier {
    /// The L2 penalty's strength (scikit-learn's `alpha`).
    public let alpha: Double
    /// scikit-learn's `max_iter`: passes over the data.
    public let maxEpochs: Int
    /// scikit-learn's `tol`.
    public let tolerance: Double
    /// scikit-learn's `n_iter_no_change`.
    public let patience: Int
    /// Keep the average of the weights over all steps instead of the last ones (scikit-learn's
    /// `average=True`, averaged SGD): steadier, and usually more accurate, from run to run.
    public let averaged: Bool
    public let seed: UInt64
    private var state: State?

    private struct State: Codable {
        var classes: TrainedClasses
        /// One machine per trained class; with two classes one, for the second class.
        var machines: AffineScores

        static func machines(classes: Int) -> Int { classes == 2 ? 1 : classes }

        func check() throws(ModelError) {
            try classes.check()
            try machines.check(outputs: Self.machines(classes: classes.count))
        }

        /// The decision value of each trained class; with one machine, ±d.
        func decisions(_ x: ArraySlice<Float>, into decisions: inout [Double]) {
            if decisions.count == 2 {
                decisions[1] = machines.score(0, x)
                decisions[0] = -decisions[1]
            } else {
                for k in decisions.indices { decisions[k] = machines.score(k, x) }
            }
        }
    }

    public init(alpha: Double = 1e-4, maxEpochs: Int = 1000, tolerance: Double = 1e-3, patience: Int = 5,
                averaged: Bool = false, seed: UInt64 = 0) {
        self.alpha = alpha
        self.maxEpochs = maxEpochs
        self.tolerance = tolerance
        self.patience = patience
        self.averaged = averaged
        self.seed = seed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(alpha: try container.decode(Double.self, forKey: .alpha),
                  maxEpochs: try container.decode(Int.self, forKey: .maxEpochs),
                  tolerance: try container.decode(Double.self, forKey: .tolerance),
                  patience: try container.decode(Int.self, forKey: .patience),
                  averaged: try container.decode(Bool.self, forKey: .averaged),
                  seed: try container.decode(UInt64.self, forKey: .seed))
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in
            try checkParameters()
            try state?.check()
        }
    }

    private func checkParameters() throws(ModelError) {
        try StateCheck.parameter(alpha > 0 && alpha.isFinite, "alpha must be positive and finite, not \(alpha)")
        try StateCheck.parameter(maxEpochs >= 1, "maxEpochs must be at least 1, not \(maxEpochs)")
        try StateCheck.parameter(tolerance >= 0 && tolerance.isFinite, "tolerance must be at least 0, not \(tolerance)")
        try StateCheck.parameter(patience >= 1, "patience must be at least 1, not \(patience)")
    }

    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try validateTraining(x, labels: labels, classCount: classCount)
        try checkParameters()
        let classes = TrainedClasses(labels: labels, classCount: classCount)
        let targets = classes.dense(labels)
        let data = x.values.map(Double.init)
        // One machine per class against the rest; with two classes one, the second against the first;
        // with one class one at zero, as there is nothing to separate.
        let weights = (0 ..< State.machines(classes: classes.count)).flatMap { machine in
            let positive = classes.count == 2 ? 1 : machine
            let signs = targets.map { $0 == positive ? 1.0 : -1.0 }
            return classes.count == 1 ? [Double](repeating: 0, count: x.columns + 1)
                : train(data, columns: x.columns, signs: signs, seed: seed &+ UInt64(machine))
        }
        state = State(classes: classes, machines: AffineScores(weights: weights, columns: x.columns))
    }

    /// scikit-learn's `_plain_sgd` for the hinge loss and an L2 penalty: w then b (intercept last).
    private func train(_ data: [Double], columns d: Int, signs: [Double], seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        var order = Array(signs.indices)
        // Plain buffers: this loop is the whole cost of `fit`, and array bounds checks halve its speed.
        let weights = UnsafeMutableBufferPointer<Double>.allocate(capacity: d + 1)
        let average = UnsafeMutableBufferPointer<Double>.allocate(capacity: d + 1)
        weights.initialize(repeating: 0)
        average.initialize(repeating: 0)
        defer {
            weights.deallocate()
            average.deallocate()
        }
        // "optimal" schedule: eta = 1 / (alpha (t0 + t - 1)) with eta at t = 1 equal to
        // 1 / sqrt(sqrt(alpha)), scikit-learn's typical weight (the hinge gradient is at most 1).
        let t0 = 1 / ((1 / alpha.squareRoot()).squareRoot() * alpha)
        var t = 1.0, bestLoss = Double.infinity, epochsWithoutImprovement = 0
        data.withUnsafeBufferPointer { data in
            for _ in 0 ..< maxEpochs {
                generator.shuffle(&order)
                var lossSum = 0.0
                for row in order {
                    let x = data.baseAddress! + row * d
                    let margin = signs[row] * (DoubleVectors.dot(weights.baseAddress!, x, count: d) + weights[d])
                    let eta = 1 / (alpha * (t0 + t - 1))
                    lossSum += max(0, 1 - margin)
                    let shrink = max(0, 1 - eta * alpha)
                    let update = margin <= 1 ? eta * signs[row] : 0
                    for j in 0 ..< d { weights[j] = weights[j] * shrink + update * x[j] }
                    weights[d] += update
                    if averaged {
                        // The running mean of the weights after every step so far.
                        let share = 1 / t
                        for j in 0 ... d { average[j] += (weights[j] - average[j]) * share }
                    }
                    t += 1
                }
                let improved = lossSum <= bestLoss - tolerance * Double(signs.count)
                epochsWithoutImprovement = improved ? 0 : epochsWithoutImprovement + 1
                bestLoss = min(bestLoss, lossSum)
                if epochsWithoutImprovement >= patience { break }
            }
        }
        return Array(averaged ? average : weights)
    }

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.machines.columns, outputs: $0.classes.classCount) }
    }

    /// The machines' scores w·x + b, one column per class as scikit-learn's `decision_function`
    /// (with two trained classes, -d and d); a class without training rows scores -infinity. Their
    /// argmax is scikit-learn's `predict`, which `predict()` can miss where probabilities tie.
    public func decisionValues(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("LinearSVM") }
        try validateInput(x, columns: state.machines.columns)
        return state.classes.matrix(rows: x.rows, absent: -.infinity) { row, scores in
            state.decisions(x.row(row), into: &scores)
        }
    }

    /// scikit-learn gives no probabilities for the hinge loss. These are a softmax of the decision
    /// values: their argmax is scikit-learn's `predict`, and they rank every class. (The
    /// `modified_huber` normalisation was tried first: it turns every row that all machines reject
    /// by a margin into a uniform row, a quarter of the rows here, and loses 6-13 points of accuracy.)
    public func probabilities(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("LinearSVM") }
        try validateInput(x, columns: state.machines.columns)
        return state.classes.matrix(rows: x.rows) { row, scores in
            state.decisions(x.row(row), into: &scores)
            normalizeLogScores(&scores)
        }
    }
}
