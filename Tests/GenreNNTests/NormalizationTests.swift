import Foundation
import Testing
import GenreNN
import TestSupport

/// BatchNorm against its definition in Double (PyTorch's: biased batch variance to normalise, unbiased
/// in the running variance), and Dropout's masks. The finite differences of both are taken over
/// training passes, the function their gradients belong to; BatchNorm's is curved, its tolerance the
/// shared one of `LayerGradientTests`.
@Suite struct NormalizationTests {
    /// Per channel of [N, C, ...]: the values, as Doubles.
    static func channels(_ tensor: Tensor) -> [[Double]] {
        let (n, c) = (tensor.shape[0], tensor.shape[1]), plane = tensor.count / (n * c)
        return (0 ..< c).map { ch in
            (0 ..< n).flatMap { b -> [Double] in
                let start = (b * c + ch) * plane
                return tensor.scalars[start ..< start + plane].map(Double.init)
            }
        }
    }

    @Test(arguments: [[6, 3], [2, 3, 5], [2, 3, 4, 5]]) func batchNormTrains(shape: [Int]) throws {
        var generator = TestGenerator(seed: 50)
        let layer = try BatchNorm(channels: 3, epsilon: 1e-3)
        layer.weight.value = randomTensor([3], &generator)
        layer.bias.value = randomTensor([3], &generator)
        let input = Tensor(shape: shape, scalars: randomTensor(shape, &generator).scalars.map { 2 * $0 + 0.5 })
        let output = try layer.forward(input, training: true)

        let (x, y) = (Self.channels(input), Self.channels(output))
        for c in 0 ..< 3 {
            let mean = x[c].reduce(0, +) / Double(x[c].count)
            let variance = x[c].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x[c].count)
            let expected = x[c].map { ($0 - mean) / (variance + 1e-3).squareRoot() * Double(layer.weight.value[c]) + Double(layer.bias.value[c]) }
            #expect(Deviation.compare(y[c], expected).maxAbsolute < 2e-6)
            let unbiased = variance * Double(x[c].count) / Double(x[c].count - 1)
            #expect(abs(Double(layer.runningMean.value[c]) - 0.1 * mean) < 1e-6)
            #expect(abs(Double(layer.runningVariance.value[c]) - (0.9 + 0.1 * unbiased)) < 1e-6)
        }
        #expect(try gradientError(layer, input: input, evaluate: { try layer.forward($0, training: true) }) < LayerGradientTests.tolerance)
    }

    @Test func batchNormInfersWithRunningStatistics() throws {
        var generator = TestGenerator(seed: 51)
        let layer = try BatchNorm(channels: 2, momentum: 0.3)
        layer.runningMean.value = Tensor(shape: [2], scalars: [0.5, -1])
        layer.runningVariance.value = Tensor(shape: [2], scalars: [4, 0.25])
        layer.weight.value = Tensor(shape: [2], scalars: [2, -1])
        layer.bias.value = Tensor(shape: [2], scalars: [0, 3])
        let input = randomTensor([3, 2, 4], &generator)
        let output = try layer.forward(input, training: false)
        for (c, (x, y)) in zip(Self.channels(input), Self.channels(output)).enumerated() {
            let (mean, variance, scale, shift) = c == 0 ? (0.5, 4.0, 2.0, 0.0) : (-1, 0.25, -1, 3)
            #expect(Deviation.compare(y, x.map { ($0 - mean) / (variance + 1e-5).squareRoot() * scale + shift }).maxAbsolute < 1e-6)
        }
        // Inference leaves the running statistics alone; this momentum weighs a training batch by 0.3.
        #expect(layer.runningMean.value.scalars == [0.5, -1])
        _ = try layer.forward(input, training: true)
        let mean0 = Self.channels(input)[0].reduce(0, +) / 12
        #expect(abs(Double(layer.runningMean.value[0]) - (0.7 * 0.5 + 0.3 * mean0)) < 1e-6)
        #expect(layer.namedBuffers.map(\.name) == ["running_mean", "running_var"])
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
    }

    /// With frozen statistics a training pass is the inference function, the running statistics stay,
    /// and the gradients (input, scale, shift) are that function's.
    @Test func batchNormWithFrozenStatisticsTrainsAsItInfers() throws {
        var generator = TestGenerator(seed: 52)
        let layer = try BatchNorm(channels: 3, epsilon: 1e-3)
        layer.frozenStatistics = true
        layer.runningMean.value = Tensor(shape: [3], scalars: [0.5, -1, 0])
        layer.runningVariance.value = Tensor(shape: [3], scalars: [4, 0.25, 1])
        layer.weight.value = Tensor(shape: [3], scalars: [2, -1, 0.5])
        let input = randomTensor([2, 3, 2, 3], &generator)
        #expect(try layer.forward(input, training: true).scalars == layer.forward(input, training: false).scalars)
        #expect(layer.runningMean.value.scalars == [0.5, -1, 0] && layer.runningVariance.value.scalars == [4, 0.25, 1])
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test func batchNormMisuseIsATypedError() throws {
        #expect(throws: LayerError.self) { try BatchNorm(channels: 2, epsilon: 0) }
        #expect(throws: LayerError.self) { try BatchNorm(channels: 2, momentum: 1.5) }
        let layer = try BatchNorm(channels: 3)
        #expect(throws: LayerError.badInput(layer: "BatchNorm(3 channels, epsilon 1e-05)", shape: [2, 4, 5],
                                            expected: "[batch, 3], [batch, 3, width] or [batch, 3, height, width]")) {
            try layer.forward(Tensor(zeros: [2, 4, 5]), training: false)
        }
        #expect(throws: LayerError.badInput(layer: "BatchNorm(3 channels, epsilon 1e-05)", shape: [1, 3],
                                            expected: "more than one value per channel to train on")) {
            try layer.forward(Tensor(zeros: [1, 3]), training: true)
        }
        #expect(try layer.forward(Tensor(zeros: [1, 3]), training: false).shape == [1, 3])
    }

    @Test func dropout() throws {
        var generator = TestGenerator(seed: 52)
        let input = Tensor(shape: [40, 50], scalars: randomTensor([40, 50], &generator).scalars.map { $0 + 2 })
        let layer = try Dropout(rate: 0.3, seed: 9)
        #expect(try layer.forward(input, training: false) == input)
        let output = try layer.forward(input, training: true)
        let kept = zip(output.scalars, input.scalars).filter { $0.0 != 0 }
        #expect(kept.allSatisfy { abs($0.0 - $0.1 / 0.7) < 1e-6 })
        // 2000 draws: the kept fraction is 0.7 ± 0.01 (one standard deviation).
        #expect(abs(Double(kept.count) / 2000 - 0.7) < 0.04)
        #expect(try Dropout(rate: 0.3, seed: 9).forward(input, training: true) == output)
        #expect(try Dropout(rate: 0.3, seed: 10).forward(input, training: true) != output)
        #expect(try layer.forward(input, training: true) != output)
        // A fresh layer with the same seed repeats the mask of the first training pass.
        let small = randomTensor([3, 4], &generator)
        #expect(try gradientError(try Dropout(rate: 0.5, seed: 3), input: small,
                                  evaluate: { try Dropout(rate: 0.5, seed: 3).forward($0, training: true) }) < LayerGradientTests.tolerance)
        #expect(throws: LayerError.badSetting(layer: "Dropout", reason: "rate must lie in [0, 1), got 1.0")) { try Dropout(rate: 1, seed: 0) }
    }
}
