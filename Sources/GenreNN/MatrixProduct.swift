import CDNNL

/// Single-precision matrix products on oneDNN's `dnnl_sgemm` (its JIT AVX2 / AVX-512 kernels), for
/// the fused inference operations (Fused/): a convolution computed as products over shifted views of
/// its input, fused with what follows it. Each product runs on the calling thread alone, so that
/// callers can spread many of them over the cores and keep each one's result in that core's cache.
enum MatrixProduct {
    /// C = A·B, all row-major: C is m × n with rows `ldc` apart, A is m × k with rows `lda` apart, B is
    /// k × n with rows `ldb` apart. Rows may lie further apart than they are long (a sub-matrix), never
    /// closer.
    static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int) throws {
        OpenMP.setThreads(for: 0)
        let plain = CChar(UInt8(ascii: "N"))
        try check(dnnl_sgemm(plain, plain, Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb), 0, c, Int64(ldc)),
                  "dnnl_sgemm (\(m) x \(k) times \(k) x \(n), leading dimensions \(lda), \(ldb), \(ldc))")
    }
}
