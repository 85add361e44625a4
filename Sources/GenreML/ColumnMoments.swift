/// Per-column mean and population variance (ddof 0) of some rows, accumulated in Double in two
/// passes with the rounding correction of Chan, Golub and LeVeque, as scikit-learn computes them.
struct ColumnMoments {
    let mean: [Double]
    let variance: [Double]

    init(_ x: RowMatrix, rows: some Collection<Int>) {
        let n = Double(rows.count)
        var sum = [Double](repeating: 0, count: x.columns)
        for row in rows {
            for (column, value) in x.row(row).enumerated() { sum[column] += Double(value) }
        }
        let mean = sum.map { $0 / n }
        var squares = [Double](repeating: 0, count: x.columns)
        var correction = [Double](repeating: 0, count: x.columns)
        for row in rows {
            for (column, value) in x.row(row).enumerated() {
                let deviation = Double(value) - mean[column]
                squares[column] += deviation * deviation
                correction[column] += deviation
            }
        }
        self.mean = mean
        variance = zip(squares, correction).map { max(0, ($0 - $1 * $1 / n) / n) }
    }

    init(_ x: RowMatrix) { self.init(x, rows: 0 ..< x.rows) }
}
