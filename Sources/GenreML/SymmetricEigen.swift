/// Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations: slow for
/// large matrices but accurate to rounding, and plenty for covariance matrices of ~60 features.
struct SymmetricEigen {
    /// Eigenvalues, descending.
    let values: [Double]
    /// `vectors[i]` is the unit eigenvector of `values[i]`.
    let vectors: [[Double]]

    /// `matrix` is n x n, row-major, symmetric.
    init(symmetric matrix: [Double], size n: Int) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0 ..< n { v[i * n + i] = 1 }
        // Sweep until no entry is worth a rotation; Jacobi converges quadratically (~10 sweeps).
        var rotated = true, sweeps = 0
        while rotated && sweeps < 100 {
            rotated = false
            sweeps += 1
            for p in 0 ..< n {
                for q in p + 1 ..< n where abs(a[p * n + q]) > 1e-17 * abs(a[p * n + p] * a[q * n + q]).squareRoot() {
                    Self.rotate(&a, &v, size: n, p, q)
                    rotated = true
                }
            }
        }
        let order = (0 ..< n).sorted { a[$0 * n + $0] > a[$1 * n + $1] }
        values = order.map { a[$0 * n + $0] }
        vectors = order.map { column in (0 ..< n).map { v[$0 * n + column] } }
    }

    /// A ← JᵀAJ and V ← VJ with the rotation J that zeroes a[p, q] (Golub & Van Loan 8.5.2).
    private static func rotate(_ a: inout [Double], _ v: inout [Double], size n: Int, _ p: Int, _ q: Int) {
        let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0 ..< n {
            let akp = a[k * n + p], akq = a[k * n + q]
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
        }
        for k in 0 ..< n {
            let apk = a[p * n + k], aqk = a[q * n + k]
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
        }
        for k in 0 ..< n {
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
        }
        // Zero by construction; rounding would leave a trace that the next sweep chases.
        a[p * n + q] = 0
        a[q * n + p] = 0
    }
}
