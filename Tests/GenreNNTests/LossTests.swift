import GenreNN
import Testing
import TestSupport

/// SoftmaxCrossEntropy against PyTorch's nn.CrossEntropyLoss (scripts/fixtures/make_nn_training_fixtures.py).
@Suite struct LossTests {
    static let cases: [String: (smoothing: Float, weighted: Bool)] = [
        "plain": (0, false), "smoothing": (0.1, false), "weights": (0, true), "both": (0.2, true),
    ]

    @Test(arguments: ["plain", "smoothing", "weights", "both"])
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture.load("training.safetensors")
        let logits = Tensor(shape: [6, 4], scalars: try fixture.tensor("loss_logits").floats)
        let labels = try fixture.tensor("loss_labels").values.map { Int($0) }
        let setting = Self.cases[name]!
        let loss = try SoftmaxCrossEntropy(labelSmoothing: setting.smoothing,
                                           classWeights: setting.weighted ? try fixture.tensor("loss_class_weights").floats : nil)
        let (value, gradient) = try loss(logits, labels: labels)
        // Both sides compute in double from the same float logits; the gradient is rounded to float, and
        // the smoothing is a float here (0.1 + 1.5e-9).
        #expect(abs(value - (try fixture.tensor("loss_\(name)").scalar)) < 1e-8)
        let deviation = Deviation.compare(gradient.scalars, try fixture.tensor("loss_\(name)_gradient").values)
        #expect(deviation.maxAbsolute < 3e-8, "\(deviation)")  // 2 float ulps of 0.25
    }

    @Test func badSettingsAreTypedErrors() throws {
        #expect(throws: TrainingError.self) { try SoftmaxCrossEntropy(labelSmoothing: 1.5) }
        #expect(throws: TrainingError.self) { try SoftmaxCrossEntropy(classWeights: [1, -1]) }
        let logits = Tensor(zeros: [2, 3])
        #expect(throws: LayerError.badSetting(layer: "SoftmaxCrossEntropy",
                                              reason: "2 class weights for 3 classes; give one per class")) {
            try SoftmaxCrossEntropy(classWeights: [1, 1])(logits, labels: [0, 1])
        }
        #expect(throws: LayerError.self) { try SoftmaxCrossEntropy(classWeights: [0, 1, 1])(logits, labels: [0, 0]) }
    }

    @Test func balancedWeightsFollowScikitLearn() {
        // n / (classes · count): 4 / (3 · 3), 4 / (3 · 1), and 0 for the absent class.
        let weights = SoftmaxCrossEntropy.balancedWeights(labels: [0, 0, 1, 0], classes: 3)
        #expect(Deviation.compare(weights, [4.0 / 9, 4.0 / 3, 0]).maxAbsolute < 1e-7)
    }
}
