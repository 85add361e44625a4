import CDNNL

/// Single-precision matrix products on oneDNN's `dnnl_sgemm` (its JIT AVX2 / AVX-512 kernels), for
/// work that GenreNN's layers do not cover: a convolution computed as products over shifted views of
/// its input, fused with what follows it. Each product runs on the calling thread alone, so that
/// callers can spread many of them over the cores and keep each one's result in that core's cache.
public enum MatrixProduct {
    /// C = A·B, or C += A·B when `accumulating`, all row-major: C is m × n with rows `ldc` apart; A is
    /// m × k with rows `lda` apart, or its transpose (k × m) is when `transposedA`; likewise B, k × n or
    /// n × k. Rows may lie further apart than they are long (a sub-matrix), never closer.
    public static func multiply(m: Int, n: Int, k: Int,
                                a: UnsafePointer<Float>, lda: Int, transposedA: Bool = false,
                                b: UnsafePointer<Float>, ldb: Int, transposedB: Bool = false,
                                c: UnsafeMutablePointer<Float>, ldc: Int, accumulating: Bool = false) throws {
        OpenMP.setThreads(for: 0)
        let (transposeA, transposeB) = (CChar(UInt8(ascii: transposedA ? "T" : "N")),
                                        CChar(UInt8(ascii: transposedB ? "T" : "N")))
        try check(dnnl_sgemm(transposeA, transposeB, Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb),
                             accumulating ? 1 : 0, c, Int64(ldc)),
                  "dnnl_sgemm (\(m) x \(k) times \(k) x \(n), leading dimensions \(lda), \(ldb), \(ldc))")
    }
}
