import Foundation
import GenreML
import Testing
import TestSupport

/// The shared synthetic data and scikit-learn's trees on it (scripts/fixtures/make_ml_tree_fixtures.py).
private struct TreeFixture {
    let fixture: Fixture
    let xTrain: RowMatrix, yTrain: [Int], xTest: RowMatrix, yTest: [Int]
    let classCount = 5

    init() throws {
        let fixture = try Fixture.load("trees.safetensors")
        func matrix(_ name: String) throws -> RowMatrix {
            let t = try fixture.tensor(name)
            return RowMatrix(rows: t.shape[0], columns: t.shape[1], values: t.floats)
        }
        self.fixture = fixture
        xTrain = try matrix("x_train")
        xTest = try matrix("x_test")
        yTrain = try fixture.tensor("y_train").values.map { Int($0) }
        yTest = try fixture.tensor("y_test").values.map { Int($0) }
    }

    func ints(_ name: String) throws -> [Int] { try fixture.tensor(name).values.map { Int($0) } }
}

private func agreement(_ a: [Int], _ b: [Int]) -> Double {
    Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
}

private func fitted<Model: Classifier>(_ model: Model, _ data: TreeFixture) throws -> Model {
    var model = model
    try model.fit(data.xTrain, labels: data.yTrain, classCount: data.classCount)
    return model
}

@Suite struct TreeTests {
    /// Where no two splits tie (the fixture script checks that every random_state grows the same
    /// tree), the tree is scikit-learn's exactly, thresholds and leaf fractions included.
    @Test(arguments: [(TreeGrowth.Criterion.gini, 3, 5), (.entropy, 3, 5), (.entropy, 3, 1), (.gini, 4, 5)])
    func limitedTreeIsScikitLearns(criterion: TreeGrowth.Criterion, maxDepth: Int, minSamplesLeaf: Int) throws {
        let data = try TreeFixture()
        let growth = TreeGrowth(criterion: criterion, maxDepth: maxDepth, minSamplesLeaf: minSamplesLeaf)
        let tree = try fitted(DecisionTree(growth: growth), data)
        let name = "limited_\(criterion)_d\(maxDepth)_leaf\(minSamplesLeaf)"
        #expect(try tree.predict(data.xTest) == data.ints("\(name)_predict"))
        let deviation = Deviation.compare(try tree.probabilities(data.xTest).values,
                                          try data.fixture.tensor("\(name)_proba").floats)
        #expect(deviation.maxAbsolute < 1e-6, "\(deviation)")
        #expect(tree.depth == maxDepth)
    }

    /// Deep nodes hold a few rows that many features split equally well; which one is taken depends
    /// on the feature order, so scikit-learn's own trees for random states 0, 1, 2 agree pairwise on
    /// 81.5–85.5% of the test rows. Ours (seeds 0–2) agree with them on 78.0–84.0% (measured); 75%
    /// is the floor. Depth (16), leaf count (108) and the perfect training fit match exactly.
    @Test func fullTreeAgreesWithScikitLearnOnMostRows() throws {
        let data = try TreeFixture()
        for seed: UInt64 in 0 ..< 3 {
            let tree = try fitted(DecisionTree(seed: seed), data)
            let predictions = try tree.predict(data.xTest)
            for state in 0 ..< 3 {
                let reference = try data.ints("full_rs\(state)_predict")
                #expect(agreement(predictions, reference) >= 0.75, "seed \(seed) vs random_state \(state)")
                #expect(tree.depth == (try data.ints("full_rs\(state)_depth"))[0])
                #expect(tree.leafCount == (try data.ints("full_rs\(state)_leaves"))[0])
            }
            #expect(try tree.predict(data.xTrain) == data.yTrain)
        }
    }

    /// scikit-learn's 100-tree forest over random states 0–9: accuracy mean 0.7685, std 0.0167; ours
    /// over seeds 0–9: 0.786 (measured; over 50 seeds 0.777 against scikit-learn's 0.772).
    @Test func forestAccuracyIsWithinNoiseOfScikitLearns() throws {
        let data = try TreeFixture()
        let reference = try data.fixture.tensor("forest_accuracy").values
        let referenceMean = reference.reduce(0, +) / Double(reference.count)
        let referenceStd = (reference.map { ($0 - referenceMean) * ($0 - referenceMean) }.reduce(0, +)
            / Double(reference.count)).squareRoot()
        var accuracies: [Double] = []
        for seed: UInt64 in 0 ..< 10 {
            let forest = try fitted(RandomForest(seed: seed), data)
            accuracies.append(agreement(try forest.predict(data.xTest), data.yTest))
        }
        let mean = accuracies.reduce(0, +) / Double(accuracies.count)
        #expect(abs(mean - referenceMean) <= 3 * referenceStd, "mean accuracy \(mean) vs \(referenceMean)")
    }

    @Test func seededFitsReproduce() throws {
        let data = try TreeFixture()
        let forest = RandomForest(treeCount: 20, seed: 3)
        let first = try fitted(forest, data).probabilities(data.xTest)
        #expect(try fitted(forest, data).probabilities(data.xTest) == first)
        #expect(try fitted(RandomForest(treeCount: 20, seed: 4), data).probabilities(data.xTest) != first)
        let sqrtTree = DecisionTree(growth: TreeGrowth(maxFeatures: .sqrt), seed: 9)
        #expect(try fitted(sqrtTree, data).probabilities(data.xTest) == fitted(sqrtTree, data).probabilities(data.xTest))
    }

    @Test func savedModelsGiveTheSameProbabilities() throws {
        let data = try TreeFixture()
        let tree = try fitted(DecisionTree(growth: TreeGrowth(criterion: .entropy)), data)
        let forest = try fitted(RandomForest(treeCount: 10, seed: 1), data)
        let loadedTree = try JSONDecoder().decode(DecisionTree.self, from: JSONEncoder().encode(tree))
        let loadedForest = try JSONDecoder().decode(RandomForest.self, from: JSONEncoder().encode(forest))
        #expect(try loadedTree.probabilities(data.xTest) == tree.probabilities(data.xTest))
        #expect(try loadedForest.probabilities(data.xTest) == forest.probabilities(data.xTest))
        #expect(loadedTree.growth == tree.growth && loadedForest.treeCount == 10)
    }

    @Test func badInputIsRejected() throws {
        let data = try TreeFixture()
        #expect(throws: ModelError.notFitted("DecisionTree")) { try DecisionTree().probabilities(data.xTest) }
        #expect(throws: ModelError.notFitted("RandomForest")) { try RandomForest().probabilities(data.xTest) }
        let tree = try fitted(DecisionTree(), data)
        #expect(throws: ModelError.dimensionMismatch(expected: 12, got: 2)) {
            try tree.probabilities(RowMatrix(stacking: [[1, 2]]))
        }
        var row = [Float](repeating: 0, count: 12)
        row[5] = .infinity
        #expect(throws: ModelError.nonFiniteInput(row: 0, column: 5)) { try tree.probabilities(RowMatrix(stacking: [row])) }
        #expect(throws: ModelError.labelOutOfRange(label: 4, classCount: 4)) {
            var tree = DecisionTree()
            try tree.fit(data.xTrain, labels: data.yTrain, classCount: 4)
        }
        for growth in [TreeGrowth(maxDepth: 0), TreeGrowth(minSamplesSplit: 1), TreeGrowth(minSamplesLeaf: 0),
                       TreeGrowth(maxFeatures: .count(13))] {
            #expect(throws: ModelError.self) { try fitted(DecisionTree(growth: growth), data) }
        }
        #expect(throws: ModelError.self) { try fitted(RandomForest(treeCount: 0), data) }
    }

    /// One class, classes absent from training, identical rows of different classes, a constant
    /// feature, no features at all: fractions everywhere, never NaN.
    @Test func degenerateDataGivesFractions() throws {
        let x = RowMatrix(stacking: [[1, 5], [1, 5], [1, 5], [2, 5]])
        let queries = RowMatrix(stacking: [[1, 5], [3, -1]])
        for var model in [DecisionTree() as any Classifier, RandomForest(treeCount: 5)] {
            try model.fit(x, labels: [2, 2, 2, 2], classCount: 3)
            #expect(try model.probabilities(queries).values == [0, 0, 1, 0, 0, 1])
            try model.fit(x, labels: [0, 2, 0, 2], classCount: 4)
            let p = try model.probabilities(queries)
            #expect(p.values.allSatisfy { $0.isFinite && $0 >= 0 } && p.values.count == 8)
            #expect(abs(p.row(0).reduce(0, +) - 1) < 1e-6 && p[0, 1] == 0 && p[0, 3] == 0)
        }
        var tree = DecisionTree()
        try tree.fit(x, labels: [0, 2, 0, 2], classCount: 4)
        let p = try tree.probabilities(queries)
        #expect(Deviation.compare(p.values, [2 / 3, 0, 1 / 3, 0, 0, 0, 1, 0] as [Float]).maxAbsolute < 1e-6)
        try tree.fit(RowMatrix(rows: 3, columns: 0), labels: [0, 1, 1], classCount: 2)
        #expect(tree.leafCount == 1)
        #expect(Deviation.compare(try tree.probabilities(RowMatrix(rows: 1, columns: 0)).values,
                                  [1 / 3, 2 / 3] as [Float]).maxAbsolute < 1e-6)
    }

    /// Saved state that is not one tree of class fractions is refused when it is read.
    @Test func corruptSavedStateIsRefused() throws {
        let data = try TreeFixture()
        let saved = try JSONEncoder().encode(try fitted(DecisionTree(growth: TreeGrowth(maxDepth: 4)), data))
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf",
                                                                        negativeInfinity: "-inf", nan: "nan")
        #expect(throws: Never.self) { try decoder.decode(DecisionTree.self, from: saved) }
        let corruptions: [String: (inout [String: Any]) -> Void] = [
            "child out of range": { $0["left"] = ($0["left"] as! [Int]).map { $0 >= 0 ? 99 : $0 } },
            "cycle back to the root": { $0["right"] = [0] + ($0["right"] as! [Int]).dropFirst() },
            "shared leaf": { $0["right"] = ($0["left"] as! [Int]).map { _ in -1 } },
            "feature out of range": { $0["feature"] = [12] + ($0["feature"] as! [Int]).dropFirst() },
            "threshold not finite": { $0["threshold"] = ["inf"] + ($0["threshold"] as! [Any]).dropFirst() },
            "missing leaf values": { $0["leafValues"] = Array(($0["leafValues"] as! [Double]).dropLast()) },
            "not fractions": { $0["leafValues"] = ($0["leafValues"] as! [Double]).map { $0 * 2 } },
            "leaf value not finite": { $0["leafValues"] = ["nan"] + ($0["leafValues"] as! [Any]).dropFirst() },
            "wrong class count": { $0["classCount"] = 4 },
        ]
        for (name, corrupt) in corruptions {
            var json = try JSONSerialization.jsonObject(with: saved) as! [String: Any]
            var model = json["model"] as! [String: Any]
            corrupt(&model)
            json["model"] = model
            let bad = try JSONSerialization.data(withJSONObject: json)
            #expect(throws: DecodingError.self, "\(name)") { try decoder.decode(DecisionTree.self, from: bad) }
        }
    }

    /// The size of the results table's folds (~1700 rows of 57 features, 10 classes); prints the
    /// training time of the default 100-tree forest.
    @Test func forestTrainsOnAResultsTableFold() throws {
        var random = SplitMix(seed: 57)
        let centres = (0 ..< 10).map { _ in (0 ..< 57).map { _ in random.nextUnit() } }
        var rows: [[Float]] = [], labels: [Int] = []
        for row in 0 ..< 1700 {
            let label = row % 10
            rows.append((0 ..< 57).map { Float((centres[label][$0] + 1.5 * random.nextUnit()) * Double($0 + 1)) })
            labels.append(label)
        }
        let x = RowMatrix(stacking: rows)
        var forest = RandomForest()
        let clock = ContinuousClock()
        let time = try clock.measure { try forest.fit(x, labels: labels, classCount: 10) }
        print("RandomForest: 100 trees on 1700 x 57 in \(time)")
        #expect(agreement(try forest.predict(x), labels) > 0.99)
    }
}
