/// SplitMix64: a generator whose whole state is one integer, so a seeded fit draws the same
/// numbers on every platform and Swift version (the system generator cannot be seeded).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` by multiply-high: no division, and a bias below 2^-40 for the
    /// bounds used here (row and feature counts).
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Fisher–Yates with `below`: the same order on every platform, which the standard library's
    /// `shuffle(using:)` does not promise.
    public mutating func shuffle<Element>(_ values: inout [Element]) {
        for i in values.indices.reversed() where i > 0 {
            values.swapAt(i, below(i + 1))
        }
    }
}
