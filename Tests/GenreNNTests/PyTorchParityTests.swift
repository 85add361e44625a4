import Testing
import GenreNN
import TestSupport

/// GenreNN's layers against PyTorch on the inputs, weights and probes of
/// scripts/fixtures/make_nn_layer_fixtures.py: the outputs, the gradients of sum(output · probe) for
/// the input and every parameter, and BatchNorm's running statistics after one training step agree
/// within 1e-5 absolute, on values up to 10: measured worst 9.5e-7 (BatchNorm's weight and bias
/// gradients, sums over 120 values), 1.2e-7 for the running variance, at most 1.2e-7 elsewhere.
@Suite struct PyTorchParityTests {
    static let fixture = Result { try Fixture.load("layers.safetensors") }
    static let tolerance = 1e-5

    private func tensor(_ name: String) throws -> Tensor {
        let found = try Self.fixture.get().tensor(name)
        return Tensor(shape: found.shape, scalars: found.floats)
    }

    private func expectClose(_ actual: Tensor, _ name: String) throws {
        let expected = try tensor(name)
        #expect(actual.shape == expected.shape, "\(name)")
        let deviation = Deviation.compare(actual.scalars, expected.scalars)
        #expect(deviation.maxAbsolute < Self.tolerance, "\(name): \(deviation)")
    }

    /// A training pass with the fixture's parameters and input, then `backward` with its probe.
    private func compare(_ layer: some Layer, _ name: String) throws {
        for (parameterName, parameter) in layer.namedParameters { parameter.value = try tensor("\(name).\(parameterName)") }
        try expectClose(try layer.forward(try tensor("\(name).input"), training: true), "\(name).output")
        try expectClose(try layer.backward(try tensor("\(name).probe")), "\(name).input_grad")
        for (parameterName, parameter) in layer.namedParameters {
            try expectClose(parameter.gradient, "\(name).\(parameterName)_grad")
        }
    }

    @Test func batchNorm2D() throws {
        let layer = try BatchNorm(channels: 3, epsilon: 1e-3)
        try compare(layer, "batchnorm")
        try expectClose(layer.runningMean.value, "batchnorm.running_mean")
        try expectClose(layer.runningVariance.value, "batchnorm.running_var")
        // Inference with the running statistics the training step left.
        try expectClose(try layer.forward(try tensor("batchnorm_eval.input"), training: false), "batchnorm_eval.output")
    }

    @Test(arguments: [true, false]) func avgPool2DWithPadding(countIncludesPadding: Bool) throws {
        let layer = try AvgPool2D(kernel: (3, 2), stride: (2, 1), padding: (1, 1, 1, 1), countIncludesPadding: countIncludesPadding)
        try compare(layer, countIncludesPadding ? "avgpool_include" : "avgpool_exclude")
    }

    @Test func elu() throws { try compare(try ELU(alpha: 0.7), "elu") }

    @Test func conv1D() throws {
        var generator = TestGenerator(seed: 70)
        try compare(try Conv1D(channels: 2, filters: 3, kernel: 3, stride: 2, padding: (2, 2), dilation: 2, generator: &generator), "conv1d")
    }

    @Test func softmax() throws { try compare(try Softmax(axis: 1), "softmax") }
}
