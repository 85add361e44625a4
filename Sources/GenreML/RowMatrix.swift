import Foundation

/// A dense matrix of `Float`, one observation per row (scikit-learn's `X`, or class probabilities
/// with one column per class), stored row-major.
public struct RowMatrix: Sendable, Equatable, Codable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "RowMatrix: \(values.count) values do not fill \(rows) x \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: value, count: rows * columns))
    }

    /// Stacks equally long rows; an empty list gives a 0 x `columns` matrix.
    public init(stacking list: [[Float]], columns: Int? = nil) {
        let width = list.first?.count ?? columns ?? 0
        precondition(list.allSatisfy { $0.count == width }, "RowMatrix: rows of different lengths")
        self.init(rows: list.count, columns: width, values: list.flatMap { $0 })
    }

    private enum CodingKeys: String, CodingKey { case rows, columns, values }

    /// Values are saved as base64 of little-endian float32: exact, a third the size of decimal
    /// text and parsed many times faster (a model bundle of support vectors loads in milliseconds).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        let bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }   // x86-64 and arm64 are little-endian
        try container.encode(bytes.base64EncodedString(), forKey: .values)
    }

    /// Decoding checks the shape, so a damaged saved model cannot index past its values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows)
        let columns = try container.decode(Int.self, forKey: .columns)
        let text = try container.decode(String.self, forKey: .values)
        let corrupt = { (why: String) in
            DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.values], debugDescription: why))
        }
        guard let bytes = Data(base64Encoded: text), bytes.count % MemoryLayout<Float>.size == 0 else {
            throw corrupt("the values are not base64 of float32 numbers")
        }
        var values = [Float](repeating: 0, count: bytes.count / MemoryLayout<Float>.size)
        _ = values.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns) == (values.count, false) else {
            throw corrupt("\(values.count) values do not fill \(rows) x \(columns)")
        }
        self.init(rows: rows, columns: columns, values: values)
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * columns ..< (index + 1) * columns]
    }

    /// The rows at `indices`, in that order (a fold's training or test part).
    public func selecting(rows indices: some Collection<Int>) -> RowMatrix {
        var picked: [Float] = []
        picked.reserveCapacity(indices.count * columns)
        for index in indices { picked.append(contentsOf: row(index)) }
        return RowMatrix(rows: indices.count, columns: columns, values: picked)
    }
}
