/// Checks of hyper-parameters and learned state. `fit` runs the parameter checks before it
/// learns; `init(from:)` runs them all again, so that a saved model with wrong shapes or
/// non-finite numbers is refused when it is read instead of giving NaN when it is used.
enum StateCheck {
    static func parameter(_ condition: Bool, _ why: @autoclosure () -> String) throws(ModelError) {
        guard condition else { throw .invalidParameter(why()) }
    }

    static func state(_ condition: Bool, _ why: @autoclosure () -> String) throws(ModelError) {
        guard condition else { throw .corruptState(why()) }
    }

    /// `values` holds `count` finite numbers.
    static func finite(_ values: [Double], count: Int, _ name: String) throws(ModelError) {
        try state(values.count == count, "\(name) has \(values.count) values, expected \(count)")
        try state(values.allSatisfy(\.isFinite), "\(name) holds NaN or infinite values")
    }

    /// The product of decoded sizes, refused when one is negative or the product overflows (which
    /// would trap) instead of being compared with the values there are.
    static func size(_ factors: Int..., of name: String) throws(ModelError) -> Int {
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            try state(factor >= 0 && !overflow, "\(name) has an impossible size \(factors.map(String.init).joined(separator: " x "))")
            product = next
        }
        return product
    }

    /// A decoded matrix fills its shape (synthesized decoding does not check that) with finite values.
    static func matrix(_ matrix: RowMatrix, columns: Int, _ name: String) throws(ModelError) {
        try state(matrix.rows >= 0 && matrix.columns == columns && matrix.values.count == matrix.rows * columns,
                  "\(name) is not a \(matrix.rows) x \(columns) matrix")
        try state(matrix.values.allSatisfy(\.isFinite), "\(name) holds NaN or infinite values")
    }

    /// Runs `checks` on freshly decoded state and reports a failure as a `DecodingError`.
    static func decoded(_ decoder: any Decoder, _ checks: () throws(ModelError) -> Void) throws {
        do throws(ModelError) {
            try checks()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// The checks of a transformer's `fit`, which has no labels: some rows, all finite.
    static func unlabelled(_ x: RowMatrix) throws(ModelError) {
        guard x.rows > 0 else { throw .emptyTrainingSet }
        try validateInput(x, columns: x.columns)
    }
}
