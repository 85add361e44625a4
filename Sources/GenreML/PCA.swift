/// scikit-learn's `PCA` (no whitening): projects centred rows onto the leading principal axes,
/// found as eigenvectors of the covariance (the `covariance_eigh` solver), with `svd_flip`'s signs
/// so that the output equals scikit-learn's `fit_transform` up to rounding.
public struct PCA: Transformer {
    /// How many principal axes to keep (scikit-learn's `n_components`).
    public let components: Int
    private var state: State?

    private struct State: Codable {
        var mean: [Double]
        /// `components` x features, row-major: one unit axis per row.
        var axes: [Double]
        var varianceRatio: [Double]

        func check(components: Int) throws(ModelError) {
            try StateCheck.finite(mean, count: mean.count, "mean")
            try StateCheck.finite(axes, count: components * mean.count, "axes")
            try StateCheck.finite(varianceRatio, count: components, "explained variance ratio")
        }
    }

    public init(components: Int) {
        self.components = components
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(components: try container.decode(Int.self, forKey: .components))
        state = try container.decodeIfPresent(State.self, forKey: .state)
        try StateCheck.decoded(decoder) { () throws(ModelError) in
            try StateCheck.parameter(components >= 1, "PCA needs at least 1 component, not \(components)")
            try state?.check(components: components)
        }
    }

    /// The share of the total variance along each kept axis, largest first (empty before `fit`).
    public var explainedVarianceRatio: [Double] { state?.varianceRatio ?? [] }

    public mutating func fit(_ x: RowMatrix) throws(ModelError) {
        try StateCheck.unlabelled(x)
        try StateCheck.parameter(components >= 1 && components <= min(x.rows, x.columns),
                                 "PCA components must lie in 1...\(min(x.rows, x.columns)) (rows and features), not \(components)")
        let d = x.columns
        let mean = ColumnMoments(x).mean
        // The scatter matrix: the covariance times n - 1, which changes neither axes nor ratios.
        var scatter = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for row in 0 ..< x.rows {
            for (column, value) in x.row(row).enumerated() { centred[column] = Double(value) - mean[column] }
            for i in 0 ..< d {
                for j in i ..< d { scatter[i * d + j] += centred[i] * centred[j] }
            }
        }
        for i in 0 ..< d {
            for j in 0 ..< i { scatter[i * d + j] = scatter[j * d + i] }
        }
        let eigen = SymmetricEigen(symmetric: scatter, size: d)
        let variances = eigen.values.map { max($0, 0) }
        let total = variances.reduce(0, +)
        let axes = eigen.vectors.prefix(components).map { axis in
            // svd_flip: the entry of largest magnitude (the first such) is positive.
            let largest = axis.indices.max { abs(axis[$0]) < abs(axis[$1]) }!
            return axis[largest] < 0 ? axis.map { -$0 } : axis
        }
        state = State(mean: mean, axes: axes.flatMap { $0 },
                      varianceRatio: variances.prefix(components).map { total > 0 ? $0 / total : 0 })
    }

    public func transform(_ x: RowMatrix) throws(ModelError) -> RowMatrix {
        guard let state else { throw .notFitted("PCA") }
        let d = state.mean.count
        try validateInput(x, columns: d)
        var result = RowMatrix(rows: x.rows, columns: components)
        var centred = [Double](repeating: 0, count: d)
        for row in 0 ..< x.rows {
            for (column, value) in x.row(row).enumerated() { centred[column] = Double(value) - state.mean[column] }
            for component in 0 ..< components {
                var sum = 0.0
                for column in 0 ..< d { sum += centred[column] * state.axes[component * d + column] }
                result[row, component] = Float(sum)
            }
        }
        return result
    }
}
