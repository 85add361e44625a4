import GenreNN
import Testing
import TestSupport

/// Update rules against torch.optim (scripts/fixtures/make_nn_training_fixtures.py) and by hand.
@Suite struct OptimizerTests {
    /// The fixture's settings (its metadata repeats them).
    static func optimizer(_ name: String) throws -> any Optimizer {
        switch name {
        case "sgd": try SGD(learningRate: 0.1)
        case "sgd_momentum": try SGD(learningRate: 0.1, momentum: 0.9)
        case "sgd_nesterov_decay": try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)
        case "adam": try Adam(learningRate: 0.01)
        case "adam_decay": try Adam(learningRate: 0.01, weightDecay: 0.1)
        case "adamw": try AdamW(learningRate: 0.01)
        default: try AdamW(learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.5)
        }
    }

    @Test(arguments: ["sgd", "sgd_momentum", "sgd_nesterov_decay", "adam", "adam_decay", "adamw", "adamw_settings"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture.load("training.safetensors")
        let gradients = try fixture.tensor("optimizer_gradients").floats
        let expected = try fixture.tensor("optimizer_\(name)").values
        let parameter = Parameter("p", Tensor(shape: [6], scalars: try fixture.tensor("optimizer_start").floats))
        let optimizer = try Self.optimizer(name)
        var values: [Float] = []
        for step in 0 ..< 5 {
            parameter.gradient = Tensor(shape: [6], scalars: Array(gradients[step * 6 ..< (step + 1) * 6]))
            optimizer.step([parameter])
            values += parameter.value.scalars
        }
        // Float32 on both sides; only the order of operations differs.
        let deviation = Deviation.compare(values, expected)
        #expect(deviation.maxAbsolute < 1e-6, "\(deviation)")
    }

    /// f(p) = p², so the gradient is 2p; the expected values follow PyTorch's update rules by hand.
    private func descend(_ optimizer: some Optimizer, steps: Int) -> [Float] {
        let parameter = Parameter("p", Tensor(shape: [1], scalars: [1]))
        return (0 ..< steps).map { _ in
            parameter.gradient = Tensor(shape: [1], scalars: [2 * parameter.value[0]])
            optimizer.step([parameter])
            return parameter.value[0]
        }
    }

    @Test func sgdWithMomentum() throws {
        // v = 0.9 v + g, p -= 0.1 v: v1 = 2, p1 = 0.8; v2 = 1.8 + 1.6 = 3.4, p2 = 0.46.
        let values = descend(try SGD(learningRate: 0.1, momentum: 0.9), steps: 2)
        #expect(Deviation.compare(values, [0.8, 0.46]).maxAbsolute < 1e-6)
    }

    @Test func nesterovLooksAhead() throws {
        // g1 = 2, v1 = 2, p1 = 1 - 0.1 (2 + 0.9 · 2) = 0.62; g2 = 1.24, v2 = 3.04, p2 = 0.62 - 0.1 (1.24 + 2.736) = 0.2224.
        let values = descend(try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), steps: 2)
        #expect(Deviation.compare(values, [0.62, 0.2224]).maxAbsolute < 1e-6)
    }

    @Test func adam() throws {
        // Step 1 moves by lr exactly; step 2 by lr · m̂ / (√v̂ + ε) with g = 1.8:
        // m̂ = 0.36 / 0.19, v̂ = 0.007236 / 0.001999, p2 = 0.9 - 0.0995878 = 0.8004122.
        let values = descend(try Adam(learningRate: 0.1), steps: 2)
        #expect(Deviation.compare(values, [0.9, 0.8004122]).maxAbsolute < 2e-6)
    }

    @Test func adamWDecaysBeforeTheAdamStep() throws {
        // p1 = 1 · (1 - 0.1 · 0.5) - 0.1 = 0.85: the decay does not pass through the moments.
        let values = descend(try AdamW(learningRate: 0.1, weightDecay: 0.5), steps: 1)
        #expect(abs(values[0] - 0.85) < 1e-6)
    }

    /// A parameter's learning-rate scale acts as a PyTorch parameter group's own lr: a scaled step
    /// equals the step of an optimizer at the scaled rate, and 0 holds the parameter still.
    @Test(arguments: ["sgd_nesterov_decay", "adam_decay", "adamw_settings"])
    func learningRateScaleIsAParameterGroupRate(_ name: String) throws {
        let (scaled, reference, frozen) = (Parameter("a", Tensor(shape: [1], scalars: [1])),
                                           Parameter("b", Tensor(shape: [1], scalars: [1])),
                                           Parameter("c", Tensor(shape: [1], scalars: [1])))
        scaled.learningRateScale = 0.25
        frozen.learningRateScale = 0
        let optimizer = try Self.optimizer(name), slower = try Self.optimizer(name)
        slower.learningRate *= 0.25
        for _ in 0 ..< 3 {
            for parameter in [scaled, reference, frozen] { parameter.gradient = Tensor(shape: [1], scalars: [2 * parameter.value[0]]) }
            optimizer.step([scaled, frozen])
            slower.step([reference])
        }
        #expect(abs(scaled.value[0] - reference.value[0]) < 1e-7 && scaled.value[0] != 1)
        #expect(frozen.value[0] == 1)
    }

    @Test func badSettingsAreTypedErrors() {
        #expect(throws: TrainingError.badSetting("SGD", reason: "Nesterov momentum needs a positive momentum")) {
            try SGD(learningRate: 0.1, nesterov: true)
        }
        #expect(throws: TrainingError.self) { try SGD(learningRate: -1) }
        #expect(throws: TrainingError.self) { try Adam(beta1: 1) }
        #expect(throws: TrainingError.self) { try AdamW(weightDecay: -0.1) }
    }

    @Test func penaltiesAddToLossAndGradient() throws {
        let parameter = Parameter("w", Tensor(shape: [3], scalars: [-2, 0, 3]))
        parameter.penalty = try Penalty(l1: 0.1, l2: 0.01)
        parameter.gradient = Tensor(shape: [3], scalars: [1, 1, 1])
        let unpenalised = Parameter("b", Tensor(shape: [1], scalars: [5]))
        // 0.1 · (2 + 0 + 3) + 0.01 · (4 + 0 + 9); gradients + 0.1 sign(w) + 0.02 w, with sign(0) = 0.
        #expect(abs(Penalty.apply(to: [parameter, unpenalised]) - 0.63) < 1e-7)
        #expect(Deviation.compare(parameter.gradient.scalars, [1 - 0.1 - 0.04, 1, 1 + 0.1 + 0.06]).maxAbsolute < 1e-7)
        #expect(unpenalised.gradient.scalars == [0])
        #expect(throws: TrainingError.self) { try Penalty(l2: -1) }
    }
}
