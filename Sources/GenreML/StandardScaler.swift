/// scikit-learn's `StandardScaler`: subtracts each column's mean and divides by its population
/// standard deviation; a column that is constant up to rounding keeps scale 1.
public struct StandardScaler: Transformer {
    private var state: State?

    private struct State: Codable {
        var mean: [Double]
        var scale: [Double]

        func check() throws(ModelError) {
            try StateCheck.finite(scale, count: mean.count, "scale")
            try StateCheck.finite(mean, count: mean.count, "mean")
            try StateCheck.state(scale.allSatisfy { $0 > 0 }, "a scale is not positive")
        }
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in try state?.check() }
    }

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.mean.count, outputs: $0.mean.count) }
    }

    /// The fitted column means (empty before `fit`).
    public var mean: [Double] { state?.mean ?? [] }
    /// The fitted column scales (empty before `fit`).
    public var scale: [Double] { state?.scale ?? [] }

    public mutating func fit(_ x: RowMatrix) throws(ModelError) {
        try StateCheck.unlabelled(x)
        let moments = ColumnMoments(x)
        let n = Double(x.rows)
        let scale = zip(moments.mean, moments.variance).map { mean, variance in
            // scikit-learn's `_is_constant_feature`: within the two-pass algorithm's error bound.
            let bound = n * Double.ulpOfOne * variance + (n * mean * Double.ulpOfOne) * (n * mean * Double.ulpOfOne)
            return variance <= bound ? 1 : variance.squareRoot()
        }
        state = State(mean: moments.mean, scale: scale)
    }

    public func transform(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("StandardScaler") }
        try validateInput(x, columns: state.mean.count)
        var result = x
        for index in x.values.indices {
            let column = index % x.columns
            result.values[index] = Float((Double(x.values[index]) - state.mean[column]) / state.scale[column])
        }
        return result
    }
}
