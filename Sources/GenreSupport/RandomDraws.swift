import Foundation

/// The continuous draws augmentation needs, from `SeededGenerator` alone so that they are the same
/// on every platform.
extension SeededGenerator {
    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in `range`.
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Standard normal, by Box–Muller (the sine half is dropped, so each draw costs two uniforms).
    public mutating func normal() -> Double {
        let u = 1 - unit()  // in (0, 1], so the logarithm is finite
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang; a shape below 1 is boosted by U^(1/shape).
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "a gamma distribution's shape must be positive")
        if shape < 1 { return gamma(shape: shape + 1) * pow(1 - unit(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal(), v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            if log(1 - unit()) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// Beta(alpha, beta), as X / (X + Y) of two gamma draws (0.5 when both underflow).
    public mutating func beta(_ alpha: Double, _ beta: Double) -> Double {
        let x = gamma(shape: alpha), y = gamma(shape: beta)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}

/// A seed for one named item (a track id) under a run's seed: FNV-1a of its UTF-8 bytes mixed with
/// the seed, so that an item's draws do not depend on the order items are processed in.
public func itemSeed(_ name: String, seed: UInt64) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    var generator = SeededGenerator(seed: hash ^ seed)
    return generator.next()
}
