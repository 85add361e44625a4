/// scikit-learn's `PCA` (no whitening): projects centred rows onto the leading principal axes,
/// found by LAPACK as eigenvectors of the covariance (the `covariance_eigh` solver), with
/// `svd_flip`'s signs so that the output equals scikit-learn's `fit_transform` up to rounding.
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
            try StateCheck.finite(axes, count: StateCheck.size(components, mean.count, of: "axes"), "axes")
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

    public var fittedShape: FittedShape? {
        state.map { FittedShape(columns: $0.mean.count, outputs: components) }
    }

    /// The share of the total variance along each kept axis, largest first (empty before `fit`).
    public var explainedVarianceRatio: [Double] { state?.varianceRatio ?? [] }

    public mutating func fit(_ x: RowMatrix) throws(ModelError) {
        try StateCheck.unlabelled(x)
        try StateCheck.parameter(components >= 1 && components <= min(x.rows, x.columns),
                                 "PCA components must lie in 1...\(min(x.rows, x.columns)) (rows and features), not \(components)")
        let d = x.columns
        let mean = ColumnMoments(x).mean
        let scatter = Self.scatter(x, mean: mean)
        let eigen = try SymmetricEigen(upperTriangle: scatter, size: d, largest: components)
        // The total variance is the trace, the sum of all eigenvalues (scikit-learn sums them after
        // clipping rounding's negative ones to 0: a difference at the level of rounding).
        let total = (0 ..< d).reduce(0.0) { $0 + scatter[$1 * d + $1] }
        let axes = eigen.vectors.map { axis in
            // svd_flip: the entry of largest magnitude (the first such) is positive.
            let largest = axis.indices.max { abs(axis[$0]) < abs(axis[$1]) }!
            return axis[largest] < 0 ? axis.map { -$0 } : axis
        }
        state = State(mean: mean, axes: axes.flatMap { $0 },
                      varianceRatio: eigen.values.map { total > 0 ? max($0, 0) / total : 0 })
    }

    /// The upper triangle of the scatter matrix Σ (x - mean)(x - mean)ᵀ: the covariance times n - 1,
    /// which changes neither axes nor ratios.
    private static func scatter(_ x: RowMatrix, mean: [Double]) -> [Double] {
        let d = x.columns
        var scatter = [Double](repeating: 0, count: d * d)
        // Rows are added four at a time: the matrix outgrows the cache beyond ~500 features, and
        // each pass over it then costs a trip to memory. Rows past the end are zeros.
        var block = [Double](repeating: 0, count: 4 * d)
        scatter.withUnsafeMutableBufferPointer { s in
            block.withUnsafeMutableBufferPointer { c in
                for first in stride(from: 0, to: x.rows, by: 4) {
                    for r in 0 ..< 4 {
                        for column in 0 ..< d {
                            c[r * d + column] = first + r < x.rows ? Double(x[first + r, column]) - mean[column] : 0
                        }
                    }
                    for i in 0 ..< d {
                        let c0 = c[i], c1 = c[d + i], c2 = c[2 * d + i], c3 = c[3 * d + i]
                        for j in i ..< d {
                            s[i * d + j] += c0 * c[j] + c1 * c[d + j] + c2 * c[2 * d + j] + c3 * c[3 * d + j]
                        }
                    }
                }
            }
        }
        return scatter
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
