@testable import GenreNN
import Testing

/// `MatrixProduct` against the definition of the product, summed in Double.
@Suite struct MatrixProductTests {
    /// A row-major matrix of `rows` x `columns` with rows `stride` apart, seeded.
    func matrix(_ rows: Int, _ columns: Int, stride: Int, _ generator: inout TestGenerator) -> [Float] {
        (0 ..< rows * stride).map { $0 % stride < columns ? generator.unit() * 2 - 1 : .nan }
    }

    @Test func subMatricesMultiplyAsTheDefinitionSays() throws {
        let (m, n, k) = (7, 5, 9)
        var generator = TestGenerator(seed: 3)
        // Rows longer than the matrix (a sub-matrix); the padding is NaN, so reading it would show.
        let a = matrix(m, k, stride: k + 3, &generator)
        let b = matrix(k, n, stride: n + 2, &generator)
        let old = matrix(m, n, stride: n + 1, &generator).map { $0.isNaN ? 0 : $0 }
        var c = old
        try MatrixProduct.multiply(m: m, n: n, k: k, a: a, lda: k + 3, b: b, ldb: n + 2, c: &c, ldc: n + 1)
        for i in 0 ..< m {
            for j in 0 ..< n {
                let sum = (0 ..< k).reduce(0.0) { $0 + Double(a[i * (k + 3) + $1]) * Double(b[$1 * (n + 2) + j]) }
                #expect(abs(Double(c[i * (n + 1) + j]) - sum) <= 1e-5, "(\(i), \(j))")
            }
        }
        // The gap between C's rows is left alone.
        #expect(c[n] == old[n])
    }

    @Test func rowsCloserThanTheyAreLongAreRefused() throws {
        let a = [Float](repeating: 1, count: 8), b = a
        var c = [Float](repeating: 0, count: 8)
        #expect(throws: DNNLError.self) {
            try MatrixProduct.multiply(m: 2, n: 2, k: 4, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
        }
    }
}
