import Foundation
import Testing
import GenreNN
import TestSupport

/// ChannelsLast, TimeDistributed, TimeWeightedAverage and Logarithm: outputs by their definitions
/// and finite-difference checks as in LayerGradientTests (the same step and tolerance).
@Suite struct StepLayerTests {
    @Test func channelsLastSwapsChannelsAndSteps() throws {
        let input = Tensor(shape: [1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let output = try ChannelsLast().forward(input, training: false)
        #expect(output.shape == [1, 3, 2] && output.scalars == [1, 4, 2, 5, 3, 6])
        var generator = TestGenerator(seed: 90)
        #expect(try gradientError(ChannelsLast(), input: randomTensor([2, 3, 4], &generator)) < LayerGradientTests.tolerance)
    }

    @Test func timeDistributedAppliesTheLayerToEachStep() throws {
        var generator = TestGenerator(seed: 91)
        let dense = try Dense(inputs: 4, outputs: 3, generator: &generator)
        dense.bias.value = randomTensor([3], &generator)
        let layer = TimeDistributed(dense)
        let input = randomTensor([2, 5, 4], &generator)
        let output = try layer.forward(input, training: false)
        #expect(output.shape == [2, 5, 3])
        let step = Tensor(shape: [1, 4], scalars: Array(input.scalars[(1 * 5 + 2) * 4 ..< (1 * 5 + 3) * 4]))
        #expect(try dense.forward(step, training: false).scalars == Array(output.scalars[(1 * 5 + 2) * 3 ..< (1 * 5 + 3) * 3]))
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test func timeWeightedAverageWeighsLaterStepsMore() throws {
        #expect(TimeWeightedAverage.weights(steps: 3) == [Float(1.0 / 6), Float(2.0 / 6), Float(3.0 / 6)])
        #expect(TimeWeightedAverage.weights(steps: 1) == [1])
        // Two sequences of three steps of two features: (1·a + 2·b + 3·c) / 6.
        let input = Tensor(shape: [2, 3, 2], scalars: [6, 0, 0, 6, 12, 6, 1, 1, 1, 1, 1, 1])
        let output = try TimeWeightedAverage().forward(input, training: false)
        #expect(output.shape == [2, 2])
        #expect(Deviation.compare(output.scalars, [7, 5, 1, 1]).maxAbsolute < 1e-6)
        var generator = TestGenerator(seed: 92)
        #expect(try gradientError(TimeWeightedAverage(), input: randomTensor([3, 4, 5], &generator)) < LayerGradientTests.tolerance)
        #expect(throws: LayerError.self) { try TimeWeightedAverage().forward(Tensor(zeros: [2, 3]), training: false) }
    }

    /// Inputs in [1, 2), where ln's third derivative keeps the central differences' error far below the tolerance.
    @Test func logarithm() throws {
        var generator = TestGenerator(seed: 93)
        let input = Tensor(shape: [2, 3], scalars: randomTensor([2, 3], &generator).scalars.map { 1 + $0 })
        let output = try Logarithm().forward(input, training: false)
        #expect(Deviation.compare(output.scalars, input.scalars.map { Foundation.log($0) }).maxAbsolute < 1e-6)
        #expect(try gradientError(Logarithm(), input: input) < LayerGradientTests.tolerance)
        #expect(try Logarithm().forward(Tensor(zeros: [1, 1]), training: false).scalars == [Foundation.log(Logarithm.floor)])
    }

    /// The CNN-LSTM's head: a softmax per step, their time-weighted average, its log. Its softmax is
    /// the average itself, and gradients pass through the three.
    @Test func distributionsPerStepAveragedOverTime() throws {
        var generator = TestGenerator(seed: 94)
        let head = Sequential([try Softmax(axis: -1), TimeWeightedAverage(), Logarithm()])
        let input = randomTensor([2, 4, 3], &generator)
        let output = try head.forward(input, training: false)
        let perStep = try Softmax(axis: -1).forward(input, training: false)
        let average = try TimeWeightedAverage().forward(perStep, training: false)
        #expect(Deviation.compare(output.scalars.map { Foundation.exp($0) }, average.scalars).maxAbsolute < 1e-6)
        #expect(try gradientError(head, input: input) < LayerGradientTests.tolerance)
    }
}
