import CLAPACK

/// The largest eigenvalues of a symmetric matrix and their eigenvectors, by LAPACK's `dsyevr`.
///
/// Only the wanted pairs are computed: the reduction to tridiagonal form is then most of the work,
/// where all of them (`dsyevd`) cost 3.5 times as much for 20 of 753 (0.7 s against 0.2 s).
struct SymmetricEigen {
    /// Eigenvalues, descending.
    let values: [Double]
    /// `vectors[i]` is the unit eigenvector of `values[i]`.
    let vectors: [[Double]]

    /// The `count` largest eigenpairs of `matrix`: n x n, row-major, of which only the upper
    /// triangle (row <= column) is read.
    init(upperTriangle matrix: [Double], size n: Int, largest count: Int) throws(ModelError) {
        precondition(matrix.count == n * n && (1 ... n).contains(count), "SymmetricEigen: \(count) of \(n) x \(n)")
        guard let order = Int32(exactly: n) else { throw .invalidParameter("\(n) features are too many for LAPACK") }
        // Row-major upper is column-major lower: LAPACK reads the same numbers, no transpose.
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * count)
        var found: Int32 = 0, info: Int32 = 0
        func solve(_ work: inout [Double], _ workCount: Int32, _ iwork: inout [Int32], _ iworkCount: Int32) {
            var order = order, leadingA = max(order, 1), leadingZ = max(order, 1)
            var first = order - Int32(count) + 1, last = order
            var lower = 0.0, upper = 0.0   // bounds of a range of values, unused for a range of indices
            // Twice the underflow threshold: bisection's tolerance for the most accurate eigenvalues.
            var tolerance = 2 * Double.leastNormalMagnitude
            var workCount = workCount, iworkCount = iworkCount
            dsyevr_("V", "I", "L", &order, &a, &leadingA, &lower, &upper, &first, &last, &tolerance,
                    &found, &w, &z, &leadingZ, &support, &work, &workCount, &iwork, &iworkCount, &info, 1, 1, 1)
        }
        // The workspace query (sizes -1) answers in work[0] and iwork[0].
        var work = [0.0], iwork: [Int32] = [0]
        solve(&work, -1, &iwork, -1)
        try Self.check(info, "workspace query")
        guard let workCount = Int32(exactly: work[0].rounded(.up)) else {
            throw .invalidParameter("\(n) features need more workspace than LAPACK can address")
        }
        let iworkCount = iwork[0]
        work = [Double](repeating: 0, count: Int(workCount))
        iwork = [Int32](repeating: 0, count: Int(iworkCount))
        solve(&work, workCount, &iwork, iworkCount)
        try Self.check(info, "eigendecomposition")
        guard found == count else { throw .library("LAPACK dsyevr found \(found) of the \(count) largest eigenvalues") }
        // Ascending from LAPACK, vector j in column j (contiguous in column-major order).
        values = w.prefix(count).reversed()
        vectors = (0 ..< count).reversed().map { Array(z[$0 * n ..< ($0 + 1) * n]) }
    }

    /// `info` < 0 names a bad argument (a bug here); > 0 is LAPACK's internal failure.
    private static func check(_ info: Int32, _ step: String) throws(ModelError) {
        guard info != 0 else { return }
        throw .library(info < 0
            ? "LAPACK dsyevr (\(step)): argument \(-info) is invalid"
            : "LAPACK dsyevr (\(step)) failed with info \(info); is the covariance finite?")
    }
}
