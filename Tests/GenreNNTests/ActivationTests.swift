import Foundation
import Testing
import GenreNN
import TestSupport

/// The activations against their definitions in Double, and finite-difference checks of their
/// backward passes (computed by oneDNN from the outputs). Unlike ReLU these are curved, so central
/// differences with a 1e-2 step also carry a truncation error of about step² · f''' / 6; the shared
/// tolerance of `LayerGradientTests` covers it.
@Suite struct ActivationTests {
    static let cases: [(name: String, make: @Sendable () throws -> any Layer, definition: @Sendable (Double) -> Double)] = [
        ("ELU", { try ELU(alpha: 0.7) }, { $0 > 0 ? $0 : 0.7 * (exp($0) - 1) }),
        ("Tanh", { try Tanh() }, { tanh($0) }),
        ("Sigmoid", { try Sigmoid() }, { 1 / (1 + exp(-$0)) }),
        ("Swish", { try Swish() }, { $0 / (1 + exp(-$0)) }),
    ]

    @Test(arguments: cases.indices) func elementwise(case index: Int) throws {
        let c = Self.cases[index]
        var generator = TestGenerator(seed: 40)
        // [-3, 3), kept 0.05 from ELU's kink at 0.
        let input = Tensor(shape: [2, 3, 5], scalars: randomTensor([2, 3, 5], &generator).scalars.map { 3 * $0 + ($0 < 0 ? -0.05 : 0.05) })
        let layer = try c.make()
        let output = try layer.forward(input, training: false)
        let expected = input.scalars.map { c.definition(Double($0)) }
        #expect(Deviation.compare(output.scalars, expected).maxAbsolute < 1e-6, "\(c.name)")
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance, "\(c.name)")
    }

    /// ReLU6 on both sides of both kinks (0 and 6), each value at least 0.1 from them.
    @Test func reLU6() throws {
        let values: [Float] = [-2.5, -0.1, 0.1, 1.7, 3, 5.9, 6.1, 7.5, 12, -8, 4.4, 0.6]
        let input = Tensor(shape: [2, 2, 3], scalars: values)
        let layer = try ReLU6()
        let output = try layer.forward(input, training: false)
        #expect(output.scalars == values.map { min(max($0, 0), 6) })
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test(arguments: [1, -1]) func softmax(axis: Int) throws {
        var generator = TestGenerator(seed: 41)
        let shape = [2, 3, 4]
        let input = Tensor(shape: shape, scalars: randomTensor(shape, &generator).scalars.map { 2 * $0 })
        let layer = try Softmax(axis: axis)
        let output = try layer.forward(input, training: false)
        // Element (i, j, k) along axis 1 has stride 4; along the last axis, stride 1.
        let (stride, size) = axis == 1 ? (4, 3) : (1, 4)
        for i in 0 ..< input.count where (i / stride) % size == 0 {
            let indices = (0 ..< size).map { i + $0 * stride }
            let exps = indices.map { exp(Double(input[$0])) }
            let expected = exps.map { $0 / exps.reduce(0, +) }
            #expect(Deviation.compare(indices.map { output[$0] }, expected).maxAbsolute < 1e-6)
        }
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test func misuseIsATypedError() throws {
        #expect(throws: LayerError.badSetting(layer: "ELU", reason: "alpha must not be negative, got -1.0")) { try ELU(alpha: -1) }
        #expect(throws: LayerError.badInput(layer: "Softmax(axis 3)", shape: [2, 3, 4], expected: "a tensor that has axis 3")) {
            try Softmax(axis: 3).forward(Tensor(zeros: [2, 3, 4]), training: false)
        }
        #expect(throws: LayerError.backwardBeforeForward(layer: "Tanh")) { try Tanh().backward(Tensor(zeros: [2])) }
        let sigmoid = try Sigmoid()
        _ = try sigmoid.forward(Tensor(zeros: [2, 3]), training: true)
        #expect(throws: LayerError.gradientShape(layer: "Sigmoid", shape: [3, 2], expected: [2, 3])) {
            try sigmoid.backward(Tensor(zeros: [3, 2]))
        }
    }
}
