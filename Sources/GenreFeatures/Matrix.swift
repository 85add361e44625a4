/// A dense 2-D array of `Float` in row-major order.
///
/// Spectrogram-like data follows librosa's orientation, (bins, frames): `rows` are frequency bins
/// (or mel bands, coefficients, chroma classes) and `columns` are frames.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "a matrix cannot have a negative size")
        self.rows = rows
        self.columns = columns
        self.values = [Float](repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "\(values.count) values do not fill \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The matrix with `transform` applied to each value.
    @inline(__always)
    func map(_ transform: (Float) -> Float) -> Matrix {
        let mapped = [Float](unsafeUninitializedCapacity: values.count) { target, initialized in
            values.withUnsafeBufferPointer { values in
                for i in 0 ..< values.count { target[i] = transform(values[i]) }
            }
            initialized = values.count
        }
        return Matrix(rows: rows, columns: columns, values: mapped)
    }

    /// The values of one row (for a spectrogram: one bin across all frames).
    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * columns ..< (index + 1) * columns]
    }

    /// The values of one column (for a spectrogram: one frame across all bins).
    public func column(_ index: Int) -> [Float] {
        (0..<rows).map { values[$0 * columns + index] }
    }
}

/// A dense 2-D array of complex numbers, real and imaginary parts stored apart, row-major.
///
/// An STFT is (1 + nFFT/2 bins, frames), as in librosa.
public struct ComplexMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var real: [Float]
    public var imaginary: [Float]

    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "a matrix cannot have a negative size")
        self.rows = rows
        self.columns = columns
        self.real = [Float](repeating: 0, count: rows * columns)
        self.imaginary = [Float](repeating: 0, count: rows * columns)
    }

    public init(rows: Int, columns: Int, real: [Float], imaginary: [Float]) {
        precondition(real.count == rows * columns && imaginary.count == rows * columns,
                     "the parts do not fill \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.real = real
        self.imaginary = imaginary
    }
}

/// Arrays of the given counts of values, written by `body` through their base addresses before
/// they are ever read: large results are not zeroed first only to be overwritten.
func uninitializedArrays(counts: [Int], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
    guard let count = counts.first else {
        body([])
        return []
    }
    var rest: [[Float]] = []
    let first = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        rest = uninitializedArrays(counts: Array(counts.dropFirst())) { others in body([buffer.baseAddress!] + others) }
        initialized = count
    }
    return [first] + rest
}
