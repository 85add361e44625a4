import GenreNN
import Testing

/// `MatrixProduct` against the definition of the product, summed in Double.
@Suite struct MatrixProductTests {
    /// A row-major matrix of `rows` x `columns` with rows `stride` apart, seeded.
    func matrix(_ rows: Int, _ columns: Int, stride: Int, _ generator: inout TestGenerator) -> [Float] {
        (0 ..< rows * stride).map { $0 % stride < columns ? generator.unit() * 2 - 1 : .nan }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func subMatricesMultiplyAsTheDefinitionSays(transposedA: Bool, transposedB: Bool) throws {
        let (m, n, k) = (7, 5, 9)
        var generator = TestGenerator(seed: 3)
        // Stored shapes, with rows longer than the matrix (a sub-matrix); the padding is NaN, so
        // reading it would show.
        let (aRows, aColumns) = transposedA ? (k, m) : (m, k), (bRows, bColumns) = transposedB ? (n, k) : (k, n)
        let a = matrix(aRows, aColumns, stride: aColumns + 3, &generator)
        let b = matrix(bRows, bColumns, stride: bColumns + 2, &generator)
        let old = matrix(m, n, stride: n + 1, &generator).map { $0.isNaN ? 0 : $0 }
        for accumulating in [false, true] {
            var c = old
            try MatrixProduct.multiply(m: m, n: n, k: k, a: a, lda: aColumns + 3, transposedA: transposedA,
                                       b: b, ldb: bColumns + 2, transposedB: transposedB, c: &c, ldc: n + 1,
                                       accumulating: accumulating)
            for i in 0 ..< m {
                for j in 0 ..< n {
                    let sum = (0 ..< k).reduce(0.0) { sum, p in
                        let x = transposedA ? a[p * (aColumns + 3) + i] : a[i * (aColumns + 3) + p]
                        let y = transposedB ? b[j * (bColumns + 2) + p] : b[p * (bColumns + 2) + j]
                        return sum + Double(x) * Double(y)
                    }
                    let expected = sum + (accumulating ? Double(old[i * (n + 1) + j]) : 0)
                    #expect(abs(Double(c[i * (n + 1) + j]) - expected) <= 1e-5, "(\(i), \(j))")
                }
            }
            // The gap between C's rows is left alone.
            #expect(c[n] == old[n])
        }
    }

    @Test func rowsCloserThanTheyAreLongAreRefused() throws {
        let a = [Float](repeating: 1, count: 8), b = a
        var c = [Float](repeating: 0, count: 8)
        #expect(throws: DNNLError.self) {
            try MatrixProduct.multiply(m: 2, n: 2, k: 4, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
        }
    }
}
