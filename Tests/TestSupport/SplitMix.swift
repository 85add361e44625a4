import GenreSupport

/// A small deterministic generator for test inputs: the product's SplitMix64.
public typealias SplitMix = SeededGenerator

extension SeededGenerator {
    /// Uniform in [-1, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
}
