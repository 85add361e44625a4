import GenreML
import Testing
import TestSupport

/// PCA's axes and variances where the answer is known without a reference implementation.
@Suite struct PCATests {
    /// The axes as rows, read back through `transform`: x ↦ (x - mean) Aᵀ, so the unit row e_i
    /// minus the origin gives column i of A.
    static func axes(of pca: PCA, features: Int) throws -> [[Double]] {
        let origin = try pca.transform(RowMatrix(rows: 1, columns: features))
        var identity = RowMatrix(rows: features, columns: features)
        for i in 0 ..< features { identity[i, i] = 1 }
        let images = try pca.transform(identity)
        return (0 ..< pca.components).map { component in
            (0 ..< features).map { Double(images[$0, component]) - Double(origin[0, component]) }
        }
    }

    /// Uncorrelated columns (Walsh sign patterns, each of mean 0) of standard deviations 1, 3, 2
    /// and 0.5: the covariance is diagonal, so the axes are the unit vectors of columns 1, 2, 0,
    /// with positive signs, and the ratios 9, 4 and 1 of 14.25.
    @Test func diagonalCovarianceGivesUnitAxesByDescendingVariance() throws {
        let walsh: [[Float]] = [
            [1, 1, 1, 1, -1, -1, -1, -1], [1, 1, -1, -1, 1, 1, -1, -1],
            [1, -1, 1, -1, 1, -1, 1, -1], [1, -1, -1, 1, -1, 1, 1, -1],
        ]
        let deviations: [Float] = [1, 3, 2, 0.5]
        var x = RowMatrix(rows: 8, columns: 4)
        for row in 0 ..< 8 {
            for column in 0 ..< 4 { x[row, column] = 10 + deviations[column] * walsh[column][row] }
        }
        var pca = PCA(components: 3)
        try pca.fit(x)
        let ratio = Deviation.compare(pca.explainedVarianceRatio, [9 / 14.25, 4 / 14.25, 1 / 14.25])
        #expect(ratio.maxAbsolute <= 1e-12, "\(ratio)")
        let expected: [[Double]] = [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]]
        let axes = Deviation.compare(try Self.axes(of: pca, features: 4).flatMap { $0 }, expected.flatMap { $0 })
        #expect(axes.maxAbsolute <= 1e-6, "\(axes)")
    }

    /// On the shared synthetic data (12 correlated features), the kept axes are orthonormal and
    /// their variance ratios descend.
    @Test(arguments: [1, 5, 12])
    func axesAreOrthonormal(components: Int) throws {
        let x = try LinearFixture().matrix("scaled_train")
        var pca = PCA(components: components)
        try pca.fit(x)
        let axes = try Self.axes(of: pca, features: x.columns)
        var gram: [Double] = [], identity: [Double] = []
        for i in axes.indices {
            for j in axes.indices {
                gram.append(zip(axes[i], axes[j]).reduce(0) { $0 + $1.0 * $1.1 })
                identity.append(i == j ? 1 : 0)
            }
        }
        let deviation = Deviation.compare(gram, identity)
        #expect(deviation.maxAbsolute <= 1e-5, "\(deviation)")
        let ratios = pca.explainedVarianceRatio
        #expect(ratios.count == components)
        #expect(zip(ratios, ratios.dropFirst()).allSatisfy { $0 >= $1 }, "\(ratios)")
        if components == x.columns { #expect(abs(ratios.reduce(0, +) - 1) <= 1e-12) }
    }
}
