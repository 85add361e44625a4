import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GenreNN
import Testing
import TestSupport

@Suite struct TrainingTests {
    /// Three blobs in 4-D, `count` / 3 points each, uniform within `spread` of their centres: well
    /// apart by default.
    static func blobs(seed: UInt64, count: Int = 450, spread: Float = 0.6) throws -> TrainingData {
        var generator = TestGenerator(seed: seed)
        let centres: [[Float]] = [[2, 0, 0, 1], [-2, 1, 0, -1], [0, -2, 2, 0]]
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0 ..< count {
            let label = i % 3
            scalars += centres[label].map { $0 + spread * generator.unit() }
            labels.append(label)
        }
        return try TrainingData(inputs: Tensor(shape: [count, 4], scalars: scalars), labels: labels)
    }

    /// A 4-16-3 MLP with the same initial weights every time.
    static func mlp() throws -> Sequential {
        var generator = TestGenerator(seed: 42)
        return Sequential([
            try Dense(inputs: 4, outputs: 16, generator: &generator), try ReLU(),
            try Dense(inputs: 16, outputs: 3, generator: &generator),
        ])
    }

    static func accuracy(_ model: Sequential, on data: TrainingData) throws -> Double {
        let correct = zip(try model.predictClasses(data.inputs), data.labels).filter { $0 == $1 }.count
        return Double(correct) / Double(data.count)
    }

    /// 20 epochs of mini-batches of 30 with shuffling seeded by `seed`; returns the final weights,
    /// the test accuracy and the history.
    static func train(_ optimizer: some Optimizer, seed: UInt64 = 1) throws
        -> (weights: [Tensor], accuracy: Double, history: TrainingHistory) {
        let model = try mlp()
        let trainer = Trainer(model: model, optimizer: optimizer, batchSize: 30, seed: seed)
        let history = try trainer.fit(try blobs(seed: 9), validation: try blobs(seed: 11), epochs: 20)
        return (model.parameters.map(\.value), try accuracy(model, on: try blobs(seed: 10)), history)
    }

    @Test func mlpLearnsSeparableBlobsReproducibly() throws {
        let adam = try Self.train(try Adam(learningRate: 0.01))
        #expect(adam.accuracy > 0.95)
        #expect(adam.history.epochs.count == 20 && adam.history.weightsEpoch == 20)
        let last = try #require(adam.history.epochs.last)
        #expect(last.trainAccuracy > 0.95 && last.validationAccuracy! > 0.95 && last.validationLoss! < last.trainLoss * 2)
        #expect(last.trainLoss < adam.history.epochs[0].trainLoss)
        #expect(try Self.train(try Adam(learningRate: 0.01)).weights == adam.weights)
        #expect(try Self.train(try Adam(learningRate: 0.01), seed: 2).weights != adam.weights)
        #expect(try Self.train(try SGD(learningRate: 0.05, momentum: 0.9)).accuracy > 0.95)
    }

    @Test func untrainedModelIsNotAlreadyAccurate() throws {
        // Guards the test above against a task too easy to mean anything.
        var generator = TestGenerator(seed: 42)
        let model = Sequential([try Dense(inputs: 4, outputs: 3, generator: &generator)])
        #expect(try Self.accuracy(model, on: try Self.blobs(seed: 10)) < 0.9)
    }

    @Test func reportedLossesPoolAllBatchesAndIncludePenalties() throws {
        // At learning rate 0 the weights stay put, so each epoch's loss is that of the whole set at once.
        let model = try Self.mlp()
        model.parameters[0].penalty = try Penalty(l1: 0.01, l2: 0.1)
        let data = try Self.blobs(seed: 9)
        let loss = try SoftmaxCrossEntropy(labelSmoothing: 0.1, classWeights: [1, 2, 0.5])
        let expected = try loss(try model.forward(data.inputs, training: false), labels: data.labels).loss
            + Penalty.total(model.parameters)
        var reported: [EpochProgress] = []
        let trainer = Trainer(model: model, loss: loss, optimizer: try SGD(learningRate: 0), batchSize: 32, seed: 5,
                              progress: { reported.append($0) })
        let history = try trainer.fit(data, validation: data, epochs: 2)
        #expect(reported.compactMap(\.record) == history.epochs)
        // Every step of each epoch, then the epoch once more with its record.
        let steps = (data.count + 31) / 32
        #expect(reported.map(\.step) == Array(repeating: Array(1 ... steps) + [steps], count: 2).flatMap { $0 })
        #expect(reported.filter { $0.record != nil }.map(\.loss) == history.epochs.map(\.trainLoss))
        for record in history.epochs {
            // Batches of 32 and the whole set round the layers' float sums differently.
            #expect(abs(record.trainLoss - expected) < 1e-6 && abs(record.validationLoss! - expected) < 1e-6)
            #expect(record.trainAccuracy == record.validationAccuracy)
        }
    }

    /// Scales the learning rate by `factor` after epoch `at`, and stops after epoch `stop`.
    final class Scripted: TrainingCallback {
        let at: Int, factor: Float, stop: Int
        init(at: Int, factor: Float, stop: Int) { (self.at, self.factor, self.stop) = (at, factor, stop) }
        func epochEnded(_ record: EpochRecord, model: Sequential) -> TrainingAction {
            record.epoch == stop ? .stop : record.epoch == at ? .scaleLearningRate(by: factor) : .proceed
        }
    }

    @Test func callbacksScaleTheScheduleAndStopTraining() throws {
        let trainer = Trainer(model: try Self.mlp(), optimizer: try SGD(learningRate: 0.1),
                              schedule: try ExponentialDecay(factor: 0.5),
                              callbacks: [Scripted(at: 2, factor: 0.5, stop: 4)], seed: 1)
        let history = try trainer.fit(try Self.blobs(seed: 9), epochs: 10)
        #expect(history.epochs.map(\.learningRate) == [0.1, 0.05, 0.0125, 0.00625])
        #expect(history.epochs.allSatisfy { $0.validationLoss == nil && $0.seconds > 0 })
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let model = try Self.mlp()
        let checkpoint = ModelCheckpoint(monitor: .validationLoss)
        let stopping = try EarlyStopping(patience: 1, restoreBest: true)
        // 30 points of overlapping blobs: the model soon learns their noise and the validation loss rises.
        let trainer = Trainer(model: model, optimizer: try Adam(learningRate: 0.05), callbacks: [checkpoint, stopping],
                              batchSize: 10, seed: 1)
        let history = try trainer.fit(try Self.blobs(seed: 9, count: 30, spread: 3),
                                      validation: try Self.blobs(seed: 11, spread: 3), epochs: 100)
        let best = try #require(checkpoint.bestEpoch)
        #expect(history.weightsEpoch == best && stopping.stoppedEpoch == history.epochs.count && best < history.epochs.count)
        let losses = history.epochs.compactMap(\.validationLoss)
        #expect(losses[best - 1] == losses.min())
    }

    @Test func aDivergingRunStopsWithATypedError() throws {
        let trainer = Trainer(model: try Self.mlp(), optimizer: try SGD(learningRate: 1e30), seed: 1)
        do {
            _ = try trainer.fit(try Self.blobs(seed: 9), epochs: 3)
            Issue.record("a learning rate of 1e30 trained without a non-finite loss")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let epoch, let batch, let rate) = error else { throw error }
            #expect(epoch == 1 && batch != nil && rate == 1e30)
            #expect(error.description.contains("lower the learning rate"))
        }
    }

    @Test func badArgumentsAreTypedErrors() throws {
        #expect(throws: TrainingError.self) { try TrainingData(inputs: Tensor(zeros: [3, 2]), labels: [0, 1]) }
        #expect(throws: TrainingError.self) { try TrainingData(inputs: Tensor(zeros: [1, 2]), labels: [-1]) }
        let model = try Self.mlp()
        let before = model.parameters.map(\.value)
        let trainer = Trainer(model: model, optimizer: try Adam(), callbacks: [try EarlyStopping()], seed: 1)
        #expect(throws: TrainingError.missingMetric(callback: "EarlyStopping", metric: .validationLoss)) {
            try trainer.fit(try Self.blobs(seed: 9), epochs: 2)
        }
        #expect(model.parameters.map(\.value) == before)
        #expect(throws: TrainingError.self) { try Trainer(model: model, optimizer: try Adam(), seed: 1).fit(try Self.blobs(seed: 9), epochs: 0) }
    }

    @Test func classWeightsShiftPredictionsTowardsTheRareClass() throws {
        // Class 0 spreads over x in [-1.5, 1.5), class 1 over [-0.5, 2.5), nine times rarer in training.
        func data(_ counts: [Int], seed: UInt64) throws -> TrainingData {
            var generator = TestGenerator(seed: seed)
            var scalars: [Float] = [], labels: [Int] = []
            for (label, count) in counts.enumerated() {
                for _ in 0 ..< count {
                    scalars += [Float(label) + 1.5 * generator.unit(), generator.unit()]
                    labels.append(label)
                }
            }
            return try TrainingData(inputs: Tensor(shape: [labels.count, 2], scalars: scalars), labels: labels)
        }
        let train = try data([450, 50], seed: 4), test = try data([300, 300], seed: 5)
        func recallOfRareClass(_ loss: SoftmaxCrossEntropy) throws -> Double {
            var generator = TestGenerator(seed: 8)
            let model = Sequential([try Dense(inputs: 2, outputs: 2, generator: &generator)])
            _ = try Trainer(model: model, loss: loss, optimizer: try Adam(learningRate: 0.05), seed: 3).fit(train, epochs: 30)
            return Double(try model.predictClasses(test.inputs).suffix(300).filter { $0 == 1 }.count) / 300
        }
        let plain = try recallOfRareClass(SoftmaxCrossEntropy())
        let balanced = try recallOfRareClass(try SoftmaxCrossEntropy(
            classWeights: SoftmaxCrossEntropy.balancedWeights(labels: train.labels, classes: 2)))
        // Unweighted, the rare class wins at most where class 0 is absent (x > 1.5, a third of it);
        // balanced weights move the boundary into the overlap.
        #expect(plain < 0.34 && balanced > plain + 0.2, "recall of the rare class: \(plain) unweighted, \(balanced) balanced")
    }

    static let history = TrainingHistory(epochs: (1 ... 12).map { epoch in
        let e = Double(epoch)
        return EpochRecord(epoch: epoch, trainLoss: 2 / e, trainAccuracy: 1 - 0.5 / e, validationLoss: 2.2 / e + 0.01 * e,
                           validationAccuracy: 0.9 - 0.4 / e, learningRate: 1e-3, seconds: 0.5)
    }, weightsEpoch: 9)

    @Test func historyRoundTripsThroughJSON() throws {
        let json = try JSONEncoder().encode(Self.history)
        #expect(try JSONDecoder().decode(TrainingHistory.self, from: json) == Self.history)
        let trainOnly = TrainingHistory(epochs: [EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, learningRate: 0.1,
                                                             seconds: 1)], weightsEpoch: 1)
        #expect(try JSONDecoder().decode(TrainingHistory.self, from: JSONEncoder().encode(trainOnly)) == trainOnly)
    }

    /// Collects the polylines and dots of an SVG, failing on XML that is not well-formed.
    final class Polylines: NSObject, XMLParserDelegate {
        var lines: [(kind: String, points: Int)] = []
        var dots = 0
        var root: String?
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            root = root ?? name
            if name == "circle" { dots += 1 }
            if name == "polyline" {
                lines.append((attributes["class"] ?? "", attributes["points"]?.split(separator: " ").count ?? 0))
            }
        }
    }

    @Test func svgIsWellFormedWithBothCurvesOfBothCharts() throws {
        for (history, curves) in [(Self.history, 4), (TrainingHistory(epochs: [Self.history.epochs[0]], weightsEpoch: 1), 4)] {
            let svg = history.svg()
            let parser = XMLParser(data: Data(svg.utf8)), polylines = Polylines()
            parser.delegate = polylines
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
            #expect(polylines.root == "svg")
            #expect(polylines.lines.count == curves)
            #expect(polylines.lines.map(\.kind) == ["training", "validation", "training", "validation"])
            #expect(polylines.lines.allSatisfy { $0.points == history.epochs.count })
            #expect(polylines.dots == curves * history.epochs.count)
            #expect(!svg.contains("nan") && !svg.contains("inf"))
        }
        var noValidation = Self.history
        for i in noValidation.epochs.indices { noValidation.epochs[i].validationLoss = nil }
        #expect(noValidation.svg().components(separatedBy: "<polyline").count - 1 == 3)
    }

    @Test func progressLineReadsAtAGlance() {
        let running = EpochProgress(epoch: 3, epochs: 20, step: 12, steps: 54, loss: 1.3, accuracy: 0.55, seconds: 1.8, record: nil)
        #expect(running.line == "epoch 3/20  12/54 [====>...............] - ETA 6.3 s - loss 1.3000 - acc 0.5500")
        let record = EpochRecord(epoch: 3, trainLoss: 1.23449, trainAccuracy: 0.567, validationLoss: 1.3,
                                 validationAccuracy: 0.5, learningRate: 1e-3, seconds: 8.1)
        let ended = EpochProgress(epoch: 3, epochs: 20, step: 54, steps: 54, loss: 1.23449, accuracy: 0.567, seconds: 8.1, record: record)
        #expect(ended.line == "epoch 3/20  54/54 [====================] - 8.1 s 150 ms/step - loss 1.2345 - acc 0.5670 "
            + "- val_loss 1.3000 - val_acc 0.5000 - lr 1e-3")
        let plain = EpochRecord(epoch: 1, trainLoss: 0.5, trainAccuracy: 1, learningRate: 2.5e-4, seconds: 0.04)
        let one = EpochProgress(epoch: 1, epochs: 1, step: 1, steps: 1, loss: 0.5, accuracy: 1, seconds: 0.04, record: plain)
        #expect(one.line == "epoch 1/1  1/1 [====================] - 0.0 s 40 ms/step - loss 0.5000 - acc 1.0000 - lr 2.5e-4")
    }

    @Test func backpropagateSetsTheGradientsBackwardSets() throws {
        var generator = TestGenerator(seed: 50)
        // A layer without parameters first, then the first with them inside a nested `Sequential`.
        let model = Sequential([
            try MaxPool2D(kernel: (1, 2)),
            Sequential([try Conv2D(channels: 2, filters: 3, kernel: (2, 2), generator: &generator), try BatchNorm(channels: 3)]),
            try ReLU(), Flatten(), try Dense(inputs: 3 * 4 * 4, outputs: 2, generator: &generator),
        ])
        let input = randomTensor([2, 2, 5, 10], &generator), probe = randomTensor([2, 2], &generator)
        _ = try model.forward(input, training: true)
        try model.backward(probe)
        let expected = model.parameters.map(\.gradient)
        model.parameters.forEach { $0.gradient = Tensor(zeros: $0.value.shape) }
        _ = try model.forward(input, training: true)
        try model.backpropagate(probe)
        #expect(model.parameters.map(\.gradient) == expected)
        #expect(expected.allSatisfy { $0.scalars.contains { $0 != 0 } })
    }
}
