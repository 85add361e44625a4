/// How far two arrays are apart, for checks against reference values.
public struct Deviation: CustomStringConvertible, Sendable {
    /// Largest |actual - expected|.
    public let maxAbsolute: Double
    /// Largest |actual - expected| / max(|expected|, floor), with `floor` given to `compare`.
    public let maxRelative: Double
    public let worstIndex: Int
    public let countMismatch: Bool

    public var description: String {
        countMismatch ? "length mismatch"
            : "max abs \(maxAbsolute), max rel \(maxRelative) at index \(worstIndex)"
    }

    /// Compares element by element. `floor` keeps the relative error of near-zero references finite:
    /// it is usually a small fraction of the reference's peak, and the test states it.
    public static func compare<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
        _ actual: [A], _ expected: [B], floor: Double = 0
    ) -> Deviation {
        guard actual.count == expected.count else {
            return Deviation(maxAbsolute: .infinity, maxRelative: .infinity, worstIndex: -1, countMismatch: true)
        }
        var maxAbs = 0.0, maxRel = 0.0, worst = 0
        for i in actual.indices {
            let a = Double(actual[i]), e = Double(expected[i])
            let diff = a.isNaN || e.isNaN ? (a.isNaN && e.isNaN ? 0 : .infinity) : abs(a - e)
            let rel = diff == 0 ? 0 : diff / max(abs(e), floor)
            if rel > maxRel || (rel.isNaN) { maxRel = rel.isNaN ? .infinity : rel; worst = i }
            maxAbs = max(maxAbs, diff)
        }
        return Deviation(maxAbsolute: maxAbs, maxRelative: maxRel, worstIndex: worst, countMismatch: false)
    }
}

/// Largest absolute value, for relative floors.
public func peak<T: BinaryFloatingPoint>(_ values: [T]) -> Double {
    values.reduce(0.0) { max($0, abs(Double($1))) }
}
