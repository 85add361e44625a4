/// Reductions over Double buffers in four interleaved partial sums: a single running sum waits on
/// each addition's latency, and these loops are most of k-NN's and SGD's time.
enum DoubleVectors {
    /// Σ (a[i] - b[i])².
    static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        reduce(count) { let difference = a[$0] - b[$0]; return difference * difference }
    }

    /// Σ a[i] b[i].
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        reduce(count) { a[$0] * b[$0] }
    }

    @inline(__always)
    private static func reduce(_ count: Int, _ term: (Int) -> Double) -> Double {
        var sums = SIMD4<Double>()
        var i = 0
        while i + 4 <= count {
            sums += SIMD4(term(i), term(i + 1), term(i + 2), term(i + 3))
            i += 4
        }
        var total = sums.sum()
        while i < count {
            total += term(i)
            i += 1
        }
        return total
    }
}
