/// Scores w·x + b for several outputs, the learned state of the linear classifiers: one row of
/// `columns + 1` numbers per output, the intercept last.
struct AffineScores: Sendable, Codable {
    var weights: [Double]
    let columns: Int

    init(weights: [Double], columns: Int) {
        self.weights = weights
        self.columns = columns
    }

    /// All zeros.
    init(outputs: Int, columns: Int) {
        self.init(weights: [Double](repeating: 0, count: outputs * (columns + 1)), columns: columns)
    }

    /// Output `output`'s score of one row (Float as given, or Double in training), summed in Double.
    func score<Value: BinaryFloatingPoint>(_ output: Int, _ x: ArraySlice<Value>) -> Double {
        let base = output * (columns + 1)
        var sum = weights[base + columns]
        for (weight, value) in zip(weights[base ..< base + columns], x) { sum += weight * Double(value) }
        return sum
    }

    func check(outputs: Int) throws(ModelError) {
        try StateCheck.state((0 ..< Int.max).contains(columns), "\(columns) columns")
        try StateCheck.finite(weights, count: StateCheck.size(outputs, columns + 1, of: "weights"), "weights")
    }
}
