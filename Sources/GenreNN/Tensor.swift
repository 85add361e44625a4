/// A dense Float tensor in row-major order: NCHW for images, N x features for dense layers.
/// A value: copies are independent (the storage is a copy-on-write array).
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public let shape: [Int]
    /// The elements, last axis fastest.
    public private(set) var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(scalars.count == shape.reduce(1, *), "\(scalars.count) scalars do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { scalars.count }

    /// The element at a flat (row-major) index.
    public subscript(index: Int) -> Float {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// Calls `body` with the elements to change in place, copied first only if their storage is shared.
    public mutating func withUnsafeMutableScalars<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The same elements seen with another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, scalars: scalars) }

    public var description: String { "Tensor\(shape)" }
}
