import Foundation

/// Local derivatives along frames (`librosa.feature.delta`, mode "interp"): a Savitzky-Golay filter
/// (`scipy.signal.savgol_filter`) fitting a polynomial of degree `order` over `width` frames and
/// taking its `order`-th derivative. Near the edges, where the window would run off the data, the
/// fit over the first (last) `width` frames is used; its derivative is constant there.
public enum Delta {
    /// Deltas of each row of `data` (features, frames), same shape.
    public static func of(_ data: Matrix, width: Int = 9, order: Int = 1) throws(SpectralError) -> Matrix {
        guard width >= 3, width % 2 == 1 else {
            throw .parameterOutOfRange(name: "width", value: "\(width)", valid: "an odd integer >= 3")
        }
        guard order >= 1, order < width else {
            throw .parameterOutOfRange(name: "order", value: "\(order)", valid: "in 1..<width (\(width))")
        }
        guard data.columns >= width else {
            throw .inputTooShort(name: "frames for delta width \(width)", length: data.columns, minimum: width)
        }
        let weights = coefficients(width: width, order: order)
        let half = width / 2, frames = data.columns
        var result = Matrix(rows: data.rows, columns: frames)
        for row in 0..<data.rows {
            let base = row * frames
            for t in half ..< frames - half {
                var sum = 0.0
                for (j, weight) in weights.enumerated() { sum += weight * Double(data.values[base + t + j - half]) }
                result.values[base + t] = Float(sum)
            }
            for t in 0..<half {
                result.values[base + t] = result.values[base + half]
                result.values[base + frames - 1 - t] = result.values[base + frames - 1 - half]
            }
        }
        return result
    }

    /// Weights w_j, j in -half...half (stored from index 0), with Σ w_j x[t + j] the `order`-th
    /// derivative at j = 0 of the least-squares polynomial of degree `order` through (j, x[t + j]):
    /// order! times the last row of (AᵀA)⁻¹Aᵀ, A[j][i] = j^i.
    static func coefficients(width: Int, order: Int) -> [Double] {
        let half = width / 2, size = order + 1
        let offsets = (-half...half).map(Double.init)
        // Gauss-Jordan on [AᵀA | Aᵀ].
        var rows = (0..<size).map { i in
            (0..<size).map { k in offsets.reduce(0) { $0 + pow($1, Double(i + k)) } } + offsets.map { pow($0, Double(i)) }
        }
        for column in 0..<size {
            let pivot = (column..<size).max { abs(rows[$0][column]) < abs(rows[$1][column]) }!
            rows.swapAt(column, pivot)
            let divisor = rows[column][column]
            rows[column] = rows[column].map { $0 / divisor }
            for other in 0..<size where other != column {
                let factor = rows[other][column]
                rows[other] = zip(rows[other], rows[column]).map { $0 - factor * $1 }
            }
        }
        let factorial = (1...order).reduce(1.0) { $0 * Double($1) }
        return rows[order][size...].map { $0 * factorial }
    }
}
