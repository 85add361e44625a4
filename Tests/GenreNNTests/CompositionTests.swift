import Foundation
import Testing
import GenreNN
import TestSupport

/// Reshape, nested Sequential, Identity, Residual and Concatenate: outputs by their definitions,
/// finite-difference checks through the composed layers, PyTorch's state_dict names, and weights with
/// buffers saved and loaded.
@Suite struct CompositionTests {
    @Test func reshape() throws {
        var generator = TestGenerator(seed: 60)
        let input = randomTensor([2, 12], &generator)
        let layer = try Reshape([3, -1])
        let output = try layer.forward(input, training: true)
        #expect(output.shape == [2, 3, 4] && output.scalars == input.scalars)
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
        #expect(try Reshape([2, 6]).forward(input, training: false).shape == [2, 2, 6])
        #expect(throws: LayerError.badSetting(layer: "Reshape", reason: "the shape must hold positive sizes and at most one -1, got [-1, 2, -1]")) {
            try Reshape([-1, 2, -1])
        }
        #expect(throws: LayerError.badInput(layer: "Reshape([5, -1])", shape: [2, 12], expected: "[batch, ...] with a multiple of 5 values an example")) {
            try Reshape([5, -1]).forward(input, training: false)
        }
    }

    /// Dense → Tanh → (Dense → Sequential(Dense)) as nested Sequentials.
    static func nested(_ generator: inout TestGenerator) throws -> Sequential {
        Sequential([
            try Dense(inputs: 4, outputs: 5, generator: &generator), try Tanh(),
            Sequential([try Dense(inputs: 5, outputs: 3, generator: &generator),
                        Sequential([try Dense(inputs: 3, outputs: 2, generator: &generator)])]),
        ])
    }

    @Test func sequentialNests() throws {
        var generator = TestGenerator(seed: 61)
        let model = try Self.nested(&generator)
        #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.0.weight", "2.1.0.bias"])
        let input = randomTensor([3, 4], &generator)
        let flat = Sequential(model.layers.prefix(2) + (model.layers[2] as! Sequential).layers.prefix(1)
            + ((model.layers[2] as! Sequential).layers[1] as! Sequential).layers)
        #expect(try model.forward(input, training: false) == flat.forward(input, training: false))
        #expect(try gradientError(model, input: input) < LayerGradientTests.tolerance)
    }

    @Test func residual() throws {
        var generator = TestGenerator(seed: 62)
        let block = Sequential([try Dense(inputs: 4, outputs: 4, generator: &generator), try Tanh()])
        let layer = try Residual(block)
        let input = randomTensor([3, 4], &generator)
        let expected = zip(input.scalars, try block.forward(input, training: false).scalars).map(+)
        #expect(try layer.forward(input, training: false).scalars == expected)
        #expect(layer.namedParameters.map(\.name) == ["0.weight", "0.bias"])
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
        #expect(throws: LayerError.self) {
            try Residual(try Dense(inputs: 4, outputs: 2, generator: &generator)).forward(input, training: false)
        }
    }

    @Test(arguments: [1, -1]) func concatenate(axis: Int) throws {
        var generator = TestGenerator(seed: 63)
        // Channels 3 + 2 + 2 along axis 1, or widths 6 + 6 + 6 along the last.
        let branches: [any Layer] = [
            try Conv1D(channels: 2, filters: axis == 1 ? 3 : 2, kernel: 3, padding: (1, 1), generator: &generator),
            Sequential([try Conv1D(channels: 2, filters: 2, kernel: 1, generator: &generator), try Sigmoid()]),
            Identity(),
        ]
        let layer = try Concatenate(branches, axis: axis)
        let input = randomTensor([2, 2, 6], &generator)
        let output = try layer.forward(input, training: false)
        let parts = try branches.map { try $0.forward(input, training: false) }
        #expect(output.shape == (axis == 1 ? [2, 7, 6] : [2, 2, 18]))
        // Row-major: each example's parts follow one another along axis 1; each (example, channel) row's along the last.
        let rows = axis == 1 ? 2 : 4
        let expected = (0 ..< rows).flatMap { row in parts.flatMap { part in
            let size = part.count / rows
            return part.scalars[row * size ..< (row + 1) * size]
        } }
        #expect(output.scalars == expected)
        #expect(layer.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias"])
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test func concatenateMisuseIsATypedError() throws {
        var generator = TestGenerator(seed: 64)
        #expect(throws: LayerError.self) { try Concatenate([Identity()], axis: 0) }
        #expect(throws: LayerError.self) { try Concatenate([], axis: 1) }
        let layer = try Concatenate([Identity(), try Conv1D(channels: 2, filters: 2, kernel: 3, generator: &generator)], axis: 1)
        #expect(throws: LayerError.badInput(layer: "Concatenate(axis 1)", shape: [1, 2, 5],
                                            expected: "branches whose outputs differ only along that axis, not [[1, 2, 5], [1, 2, 3]]")) {
            try layer.forward(Tensor(zeros: [1, 2, 5]), training: false)
        }
    }

    @Test func weightsCarryBuffers() throws {
        var generator = TestGenerator(seed: 65)
        func model() throws -> Sequential {
            Sequential([try Conv1D(channels: 2, filters: 3, kernel: 3, generator: &generator),
                        Sequential([try BatchNorm(channels: 3), try ReLU()]), try GlobalAveragePooling()])
        }
        let trained = try model()
        _ = try trained.forward(randomTensor([4, 2, 7], &generator), training: true)
        #expect(trained.namedBuffers.map(\.name) == ["1.0.running_mean", "1.0.running_var"])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("genrenn-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try trained.saveWeights(to: url)
        #expect(try SafetensorsFile(contentsOf: url).tensors.keys.sorted()
            == ["0.bias", "0.weight", "1.0.bias", "1.0.running_mean", "1.0.running_var", "1.0.weight"])
        let copy = try model()
        try copy.loadWeights(from: url)
        #expect(copy.buffers.map(\.value) == trained.buffers.map(\.value))
        #expect(copy.buffers.map(\.value) != (try model()).buffers.map(\.value))
        let input = randomTensor([2, 2, 7], &generator)
        #expect(try copy.forward(input, training: false) == trained.forward(input, training: false))
    }
}
