import Foundation
import GenreML
import Testing
import TestSupport

/// What every classic model owes its callers whatever the data: saved state that reads back to the
/// same model and refuses to read when damaged, typed errors for bad input, and probabilities
/// without NaN on degenerate training sets.
@Suite struct LinearModelContractTests {
    static let classifiers: [any Classifier] = [
        GaussianNaiveBayes(), KNearestNeighbors(), KNearestNeighbors(neighbors: 3, weighting: .distance),
        LogisticRegression(), LinearSVM(), LinearSVM(averaged: true, seed: 7),
    ]
    static let transformers: [any Transformer] = [StandardScaler(), PCA(components: 4)]

    let data: LinearFixture
    let x: RowMatrix, labels: [Int], test: RowMatrix

    init() throws {
        data = try LinearFixture()
        (x, labels) = try data.scaledTraining()
        test = try data.matrix("scaled_test")
    }

    @Test(arguments: classifiers)
    func savedClassifierGivesTheSameProbabilities(model: any Classifier) throws {
        var model = model
        try model.fit(x, labels: labels, classCount: data.classCount)
        #expect(try Self.roundTrip(model).probabilities(test) == model.probabilities(test))
    }

    @Test(arguments: transformers)
    func savedTransformerGivesTheSameOutput(model: any Transformer) throws {
        var model = model
        try model.fit(x)
        #expect(try Self.roundTrip(model).transform(test) == model.transform(test))
    }

    /// Each numeric array of the learned state one value short, or with a NaN in it, fails to decode.
    @Test(arguments: classifiers)
    func damagedClassifierStateIsRefused(model: any Classifier) throws {
        var model = model
        try model.fit(x, labels: labels, classCount: data.classCount)
        try Self.expectDamagedStateRefused(model)
    }

    @Test(arguments: transformers)
    func damagedTransformerStateIsRefused(model: any Transformer) throws {
        var model = model
        try model.fit(x)
        try Self.expectDamagedStateRefused(model)
    }

    /// Hyper-parameters that no model can use: `fit` names them, and they fail to decode.
    @Test func unusableParametersAreRefused() throws {
        let cases: [(bad: any Classifier, good: any Classifier, key: String, value: Any)] = [
            (GaussianNaiveBayes(varianceSmoothing: -1), GaussianNaiveBayes(), "varianceSmoothing", -1),
            (KNearestNeighbors(neighbors: 0), KNearestNeighbors(), "neighbors", 0),
            (LogisticRegression(inverseRegularization: 0), LogisticRegression(), "inverseRegularization", 0),
            (LogisticRegression(maxIterations: 0), LogisticRegression(), "maxIterations", 0),
            (LinearSVM(alpha: 0), LinearSVM(), "alpha", 0),
            (LinearSVM(patience: 0), LinearSVM(), "patience", 0),
        ]
        for (bad, good, key, value) in cases {
            var bad = bad, good = good
            #expect(throws: ModelError.self, "\(key)") { try bad.fit(x, labels: labels, classCount: data.classCount) }
            try good.fit(x, labels: labels, classCount: data.classCount)
            #expect(throws: DecodingError.self, "\(key)") { try Self.reloaded(good) { $0[key] = value } }
        }
        for components in [0, 13] {
            var pca = PCA(components: components)
            #expect(throws: ModelError.self) { try pca.fit(x) }
        }
        var pca = PCA(components: 4)
        try pca.fit(x)
        #expect(throws: DecodingError.self) { try Self.reloaded(pca) { $0["components"] = 3 } }
    }

    @Test(arguments: classifiers)
    func badInputIsNamed(model: any Classifier) throws {
        var model = model
        try expectBadInputNamed(String(describing: type(of: model)),
                                fit: { x in try model.fit(x, labels: labels, classCount: data.classCount) },
                                apply: { x in _ = try model.probabilities(x) })
    }

    @Test(arguments: transformers)
    func badTransformerInputIsNamed(model: any Transformer) throws {
        var model = model
        try expectBadInputNamed(String(describing: type(of: model)), fit: { x in try model.fit(x) },
                                apply: { x in _ = try model.transform(x) })
    }

    /// Applying before fitting, fitting on no rows or on a NaN, applying to the wrong width or to
    /// an infinity: each gives the `ModelError` that says so.
    private func expectBadInputNamed(_ name: String, fit: (RowMatrix) throws -> Void,
                                     apply: (RowMatrix) throws -> Void) throws {
        #expect(throws: ModelError.notFitted(name)) { try apply(test) }
        #expect(throws: ModelError.emptyTrainingSet) { try fit(RowMatrix(rows: 0, columns: 12)) }
        var broken = x
        broken[3, 4] = .nan
        #expect(throws: ModelError.nonFiniteInput(row: 3, column: 4)) { try fit(broken) }
        try fit(x)
        #expect(throws: ModelError.dimensionMismatch(expected: 12, got: 11)) { try apply(RowMatrix(rows: 2, columns: 11)) }
        var query = test
        query[1, 0] = .infinity
        #expect(throws: ModelError.nonFiniteInput(row: 1, column: 0)) { try apply(query) }
    }

    /// Constant columns (all of them, or some), one class, classes without rows, a training set
    /// smaller than k, huge training values, and huge query values: probabilities stay finite and sum to 1, and a class
    /// without rows gets 0.
    @Test(arguments: classifiers)
    func degenerateTrainingSetsGiveNoNaN(model: any Classifier) throws {
        let constant = RowMatrix(rows: 6, columns: 3, repeating: 2)
        var someConstant = x
        for row in 0 ..< x.rows { someConstant[row, 2] = 5 }
        let trainingSets: [(RowMatrix, [Int])] = [
            (constant, [0, 1, 0, 1, 0, 1]),
            (someConstant, labels),
            (x, [Int](repeating: 2, count: x.rows)),
            (x.selecting(rows: 0 ..< 3), Array(labels.prefix(3))),
            (x, labels.map { $0 == 4 ? 0 : $0 }),
            (RowMatrix(rows: x.rows, columns: x.columns, values: x.values.map { $0 * 1e30 }), labels),
        ]
        for (training, classes) in trainingSets {
            var model = model
            try model.fit(training, labels: classes, classCount: data.classCount)
            var query = RowMatrix(rows: 3, columns: training.columns, repeating: 1)
            for column in 0 ..< training.columns {
                query[1, column] = 1e30
                query[2, column] = column.isMultiple(of: 2) ? -3e38 : 3e38
            }
            let p = try model.probabilities(query)
            for row in 0 ..< p.rows {
                let values = Array(p.row(row))
                #expect(values.allSatisfy { $0.isFinite && $0 >= 0 }, "\(values)")
                #expect(abs(values.reduce(0, +) - 1) <= 1e-5, "\(values)")
                let absent = Set(0 ..< data.classCount).subtracting(classes)
                #expect(absent.allSatisfy { values[$0] == 0 }, "\(values) for classes \(Set(classes))")
            }
        }
    }

    @Test func constantColumnsKeepScaleOneAndPCAStaysFinite() throws {
        var someConstant = x
        for row in 0 ..< x.rows { someConstant[row, 5] = 7 }
        var scaler = StandardScaler()
        try scaler.fit(someConstant)
        #expect(scaler.scale[5] == 1 && scaler.mean[5] == 7)
        #expect(try scaler.transform(someConstant).values.allSatisfy(\.isFinite))

        var pca = PCA(components: 2)
        try pca.fit(RowMatrix(rows: 4, columns: 3, repeating: 1))
        #expect(pca.explainedVarianceRatio == [0, 0])
        #expect(try pca.transform(RowMatrix(rows: 1, columns: 3, repeating: 9)).values.allSatisfy(\.isFinite))
    }

    private static func roundTrip<M: Codable>(_ model: M) throws -> M {
        try JSONDecoder().decode(M.self, from: JSONEncoder().encode(model))
    }

    /// Encodes `model` to JSON, edits it and decodes it again; "nan" strings decode as NaN, as a
    /// lenient decoder would let them through.
    private static func reloaded<M: Codable>(_ model: M, editing edit: (inout [String: Any]) -> Void) throws -> M {
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(model)) as? [String: Any])
        edit(&json)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(M.self, from: JSONSerialization.data(withJSONObject: json))
    }

    private static func expectDamagedStateRefused<M: Codable>(_ model: M) throws {
        var state: Any = ()
        _ = try reloaded(model) { state = $0["state"] as Any }
        let damaged = variants(of: state) { Array($0.dropLast()) } + variants(of: state) { ["nan"] + $0.dropFirst() }
        #expect(damaged.count >= 4, "\(M.self) state has few arrays")
        for variant in damaged {
            #expect(throws: DecodingError.self, "\(M.self): \(variant)") { try reloaded(model) { $0["state"] = variant } }
        }
    }

    /// Copies of `value`, each with one of its non-empty numeric arrays (at any depth) edited.
    private static func variants(of value: Any, _ edit: ([Any]) -> [Any]) -> [Any] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, child in
                variants(of: child, edit).map { variant in
                    var copy = object
                    copy[key] = variant
                    return copy
                }
            }
        case let array as [Any]:
            let own = !array.isEmpty && array.allSatisfy { $0 is NSNumber } ? [edit(array)] : []
            return own + array.indices.flatMap { index in
                variants(of: array[index], edit).map { variant in
                    var copy = array
                    copy[index] = variant
                    return copy
                }
            }
        case let text as String:
            // RowMatrix values: base64 of float32. Edited as numbers, written back the same way.
            guard let bytes = Data(base64Encoded: text), !bytes.isEmpty, bytes.count % 4 == 0 else { return [] }
            var floats = [Float](repeating: 0, count: bytes.count / 4)
            _ = floats.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
            let edited = edit(floats.map { NSNumber(value: $0) }).map { ($0 as? NSNumber)?.floatValue ?? .nan }
            return [edited.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()]
        default:
            return []
        }
    }
}
