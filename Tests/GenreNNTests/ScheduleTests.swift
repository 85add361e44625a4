import GenreNN
import Testing
import TestSupport

/// Learning-rate schedules against torch.optim.lr_scheduler (scripts/fixtures/make_nn_training_fixtures.py):
/// base 0.1, epochs 0..11.
@Suite struct ScheduleTests {
    static func schedule(_ name: String) throws -> any LearningRateSchedule {
        switch name {
        case "step": try StepDecay(every: 3, factor: 0.5)
        case "exponential": try ExponentialDecay(factor: 0.9)
        // PyTorch's T_max = 11 (- 3 epochs of warm-up).
        case "cosine": try CosineAnnealing(epochs: 11, minimum: 0.001)
        default: try CosineAnnealing(epochs: 11, minimum: 0.001, warmupEpochs: 3)
        }
    }

    @Test(arguments: ["step", "exponential", "cosine", "cosine_warmup"])
    func matchesPyTorch(_ name: String) throws {
        let schedule = try Self.schedule(name)
        let rates = (0 ..< 12).map { schedule.learningRate(completedEpochs: $0, base: 0.1) }
        let deviation = Deviation.compare(rates, try Fixture.load("training.safetensors").tensor("schedule_\(name)").values)
        #expect(deviation.maxRelative < 1e-6, "\(deviation)")  // float rates
    }

    @Test func cosineStaysAtItsMinimumAfterItsEpochs() throws {
        let schedule = try CosineAnnealing(epochs: 4, minimum: 0.01)
        #expect([4, 5, 50].map { schedule.learningRate(completedEpochs: $0, base: 1) } == [0.01, 0.01, 0.01])
        #expect(ConstantLearningRate().learningRate(completedEpochs: 7, base: 0.3) == 0.3)
    }

    @Test func badSettingsAreTypedErrors() {
        #expect(throws: TrainingError.self) { try StepDecay(every: 0, factor: 0.5) }
        #expect(throws: TrainingError.self) { try ExponentialDecay(factor: 0) }
        #expect(throws: TrainingError.badSetting("CosineAnnealing", reason: "epochs must exceed warmupEpochs >= 0, got 3 and 3")) {
            try CosineAnnealing(epochs: 3, warmupEpochs: 3)
        }
    }
}
