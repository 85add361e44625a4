import Foundation
import GenreNN
import Testing
import TestSupport

/// Each callback's decisions on scripted metric sequences, as Keras' callbacks decide them.
@Suite struct CallbackTests {
    /// A model whose every weight is set to the epoch number before each call, so restored weights tell their epoch.
    final class Script {
        var generator = TestGenerator(seed: 3)
        let model: Sequential

        init() throws { model = Sequential([try Dense(inputs: 2, outputs: 2, generator: &generator)]) }

        var weightsEpoch: Float { model.parameters[0].value[0] }

        /// Feeds one record per value (as `metric`) to `callback`; returns its actions. Learning rates
        /// start at 0.1 and follow the actions' factors.
        func run(_ callback: some TrainingCallback, _ values: [Double], metric: TrainingMetric = .validationLoss) throws
            -> [TrainingAction] {
            callback.trainingBegan()
            var rate: Float = 0.1
            return try values.enumerated().map { index, value in
                for parameter in model.parameters {
                    parameter.value = Tensor(shape: parameter.value.shape,
                                             scalars: [Float](repeating: Float(index + 1), count: parameter.value.count))
                }
                var record = EpochRecord(epoch: index + 1, trainLoss: 1, trainAccuracy: 0.5, learningRate: rate, seconds: 1)
                switch metric {
                case .validationLoss: record.validationLoss = value
                case .validationAccuracy: record.validationAccuracy = value
                case .trainLoss: record.trainLoss = value
                case .trainAccuracy: record.trainAccuracy = value
                }
                let action = try callback.epochEnded(record, model: model)
                rate *= action.learningRateFactor
                return action
            }
        }
    }

    /// The 1-based epochs at which `actions` ask to stop.
    private func stops(_ actions: [TrainingAction]) -> [Int] { actions.indices.filter { actions[$0].stop }.map { $0 + 1 } }

    @Test func earlyStoppingCountsEpochsWithoutImprovement() throws {
        let losses = [1.0, 0.8, 0.81, 0.79, 0.80, 0.85, 0.9]
        let script = try Script()
        // Best at 1, 2, 4; then 5 and 6 do not improve: patience 2 runs out at 6.
        let patient = try EarlyStopping(patience: 2, restoreBest: true)
        #expect(stops(try script.run(patient, losses)) == [6, 7])
        #expect(patient.trainingEnded(model: script.model) == 4)
        #expect(script.weightsEpoch == 4)
        // With minDelta 0.02, 0.79 is no better than 0.8: 3 and 4 exhaust the patience.
        let strict = try EarlyStopping(patience: 2, minDelta: 0.02, restoreBest: true)
        #expect(stops(try script.run(strict, losses)).first == 4)
        #expect(strict.stoppedEpoch == 7)  // the script kept calling it
        #expect(strict.trainingEnded(model: script.model) == 2)
        // Patience 0 stops at the first epoch without improvement; without restoreBest nothing is put back.
        let impatient = try EarlyStopping()
        #expect(stops(try script.run(impatient, losses)).first == 3)
        #expect(impatient.trainingEnded(model: script.model) == nil)
        #expect(script.weightsEpoch == 7)
    }

    @Test func earlyStoppingOnAccuracyWantsItHigher() throws {
        let stopping = try EarlyStopping(monitor: .validationAccuracy, patience: 1)
        #expect(stops(try Script().run(stopping, [0.5, 0.6, 0.4], metric: .validationAccuracy)) == [3])
    }

    @Test func reduceLROnPlateauScalesDownToItsMinimum() throws {
        let reduce = try ReduceLROnPlateau(factor: 0.5, patience: 1, minimum: 0.03, minDelta: 0)
        let actions = try Script().run(reduce, [1, 0.9, 0.95, 0.97, 0.85, 0.9, 0.95])
        // Epoch 3 halves 0.1; epoch 4 would halve 0.05 to 0.025 but stops at 0.03; epoch 5 improves;
        // at 6 and 7 the rate is already the minimum.
        let factors = actions.map(\.learningRateFactor)
        #expect(Deviation.compare(factors, [1, 1, 0.5, 0.6, 1, 1, 1]).maxAbsolute < 1e-6)
        #expect(!actions.contains { $0.stop })
        // Patience 2 waits for two epochs without improvement, then starts counting again.
        let patient = try ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0)
        #expect(try Script().run(patient, [1, 1, 1, 1, 1]).map(\.learningRateFactor) == [1, 1, 0.5, 1, 0.5])
    }

    @Test func modelCheckpointKeepsWritesAndRestoresTheBest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("genrenn-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let script = try Script()
        let checkpoint = ModelCheckpoint(monitor: .validationAccuracy, url: url, restoreBest: true)
        let actions = try script.run(checkpoint, [0.5, 0.7, 0.6, 0.7, 0.65], metric: .validationAccuracy)
        #expect(actions.allSatisfy { $0 == .proceed })
        #expect(checkpoint.bestEpoch == 2 && checkpoint.bestValue == 0.7)  // a tie does not replace the best
        let written = try SafetensorsFile(contentsOf: url)
        #expect(written.metadata == ["epoch": "2", "validationAccuracy": "0.7"])
        #expect(written.tensors["0.weight"]?.scalars.allSatisfy { $0 == 2 } == true)
        #expect(script.weightsEpoch == 5)
        #expect(checkpoint.trainingEnded(model: script.model) == 2)
        #expect(script.weightsEpoch == 2)

        let inMemory = ModelCheckpoint(monitor: .trainLoss)
        _ = try script.run(inMemory, [3, 2, 1, 2], metric: .trainLoss)
        #expect(inMemory.bestEpoch == 3 && inMemory.trainingEnded(model: script.model) == nil)
    }

    @Test func aMissingMonitoredMetricIsATypedError() throws {
        let record = EpochRecord(epoch: 1, trainLoss: 1, trainAccuracy: 0.5, learningRate: 0.1, seconds: 1)
        let script = try Script()
        #expect(throws: TrainingError.missingMetric(callback: "EarlyStopping", metric: .validationLoss)) {
            try EarlyStopping().epochEnded(record, model: script.model)
        }
    }
}
