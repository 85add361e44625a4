import Foundation
import Testing
import GenreNN
import TestSupport

/// Finite-difference checks of every layer's backward pass (this suite, PoolingTests, ActivationTests,
/// NormalizationTests, CompositionTests). Central differences with step 1e-2 in Float: the layers are
/// linear (Dense, Conv1D, Conv2D, average pooling), piecewise linear with inputs kept 2 steps away from
/// their kinks (ReLU, max pooling), or smooth (ELU away from 0, Tanh, Sigmoid, Softmax, BatchNorm),
/// so the error is rounding plus a small truncation term: measured worst 3.4e-5 (Residual over
/// Dense + Tanh), 2.4e-5 for BatchNorm; tolerance 2e-4 relative to max(1, |gradient|).
@Suite struct LayerGradientTests {
    static let tolerance = 2e-4

    @Test func dense() throws {
        var generator = TestGenerator(seed: 1)
        let layer = try Dense(inputs: 5, outputs: 3, generator: &generator)
        layer.bias.value = randomTensor([3], &generator)
        let error = try gradientError(layer, input: randomTensor([4, 5], &generator))
        #expect(error < Self.tolerance)
    }

    @Test func denseMatchesItsDefinition() throws {
        var generator = TestGenerator(seed: 2)
        let layer = try Dense(inputs: 3, outputs: 2, generator: &generator)
        layer.weight.value = Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0, 0.5])
        layer.bias.value = Tensor(shape: [2], scalars: [0.5, -2])
        let output = try layer.forward(Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 0, -2]), training: false)
        #expect(output.scalars == [6.5, -2.5, -3.5, -5])
    }

    /// (kernel, stride, padding top/bottom/left/right, dilation) cases, including uneven ones.
    static let convolutions: [(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int, Int, Int), dilation: (Int, Int))] = [
        ((3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
        ((2, 3), (2, 1), (1, 0, 2, 1), (1, 2)),
        ((1, 4), (1, 3), (0, 0, 0, 0), (1, 1)),
        ((3, 2), (2, 2), (2, 2, 0, 1), (2, 1)),
    ]

    /// Gives `layer` a random bias, then checks its output against `definition` (of the weight and bias)
    /// and its gradients against finite differences.
    static func checkConvolution(_ layer: WeightedLayer, input: Tensor, generator: inout TestGenerator,
                                 definition: (_ weight: Tensor, _ bias: Tensor) -> Tensor) throws {
        layer.bias.value = randomTensor(layer.bias.value.shape, &generator)
        let output = try layer.forward(input, training: false)
        let expected = definition(layer.weight.value, layer.bias.value)
        #expect(output.shape == expected.shape)
        #expect(Deviation.compare(output.scalars, expected.scalars).maxAbsolute < 1e-5)
        #expect(try gradientError(layer, input: input) < Self.tolerance)
    }

    @Test(arguments: convolutions.indices) func conv2D(case index: Int) throws {
        let c = Self.convolutions[index]
        var generator = TestGenerator(seed: UInt64(10 + index))
        let layer = try Conv2D(channels: 2, filters: 3, kernel: c.kernel, stride: c.stride, padding: c.padding,
                               dilation: c.dilation, generator: &generator)
        let input = randomTensor([2, 2, 6, 7], &generator)
        try Self.checkConvolution(layer, input: input, generator: &generator) { weight, bias in
            naiveConvolution(input, weight: weight, bias: bias, stride: c.stride, padding: c.padding, dilation: c.dilation)
        }
    }

    /// Grouped convolutions (channels, filters, groups, kernel, stride, padding): depthwise ones as
    /// MobileNet has them (3 x 3 and 5 x 5, stride 1 and 2, TensorFlow's uneven 'same' padding), and
    /// groups of several channels.
    static let groupedConvolutions: [(channels: Int, filters: Int, groups: Int, kernel: Int, stride: Int, padding: (Int, Int, Int, Int))] = [
        (3, 3, 3, 3, 1, (1, 1, 1, 1)),
        (4, 4, 4, 3, 2, (0, 1, 1, 1)),
        (2, 2, 2, 5, 2, (1, 2, 2, 2)),
        (4, 6, 2, 3, 1, (1, 1, 0, 2)),
        (3, 6, 3, 1, 1, (0, 0, 0, 0)),
    ]

    @Test(arguments: groupedConvolutions.indices) func groupedConv2D(case index: Int) throws {
        let c = Self.groupedConvolutions[index]
        var generator = TestGenerator(seed: UInt64(30 + index))
        let layer = try Conv2D(channels: c.channels, filters: c.filters, kernel: (c.kernel, c.kernel), stride: (c.stride, c.stride),
                               padding: c.padding, groups: c.groups, generator: &generator)
        #expect(layer.weight.value.shape == [c.filters, c.channels / c.groups, c.kernel, c.kernel])
        let input = randomTensor([2, c.channels, 6, 7], &generator)
        try Self.checkConvolution(layer, input: input, generator: &generator) { weight, bias in
            naiveConvolution(input, weight: weight, bias: bias, stride: (c.stride, c.stride), padding: c.padding,
                             dilation: (1, 1), groups: c.groups)
        }
    }

    @Test func groupsMustDivideChannelsAndFilters() {
        var generator = TestGenerator(seed: 35)
        for (channels, filters, groups) in [(3, 4, 2), (4, 3, 2), (4, 4, 0)] {
            #expect(throws: LayerError.self) {
                try Conv2D(channels: channels, filters: filters, kernel: (3, 3), groups: groups, generator: &generator)
            }
        }
    }

    /// Conv1D cases (kernel, stride, padding left/right, dilation), checked against the 2-D definition
    /// with a height of 1.
    static let convolutions1D: [(kernel: Int, stride: Int, padding: (Int, Int), dilation: Int)] = [
        (3, 1, (1, 1), 1), (2, 2, (2, 0), 3), (5, 3, (0, 1), 1),
    ]

    @Test(arguments: convolutions1D.indices) func conv1D(case index: Int) throws {
        let c = Self.convolutions1D[index]
        var generator = TestGenerator(seed: UInt64(20 + index))
        let layer = try Conv1D(channels: 2, filters: 3, kernel: c.kernel, stride: c.stride, padding: c.padding,
                               dilation: c.dilation, generator: &generator)
        let input = randomTensor([2, 2, 9], &generator)
        try Self.checkConvolution(layer, input: input, generator: &generator) { weight, bias in
            let planar = naiveConvolution(input.reshaped([2, 2, 1, 9]), weight: weight.reshaped([3, 2, 1, c.kernel]),
                                          bias: bias, stride: (1, c.stride), padding: (0, 0, c.padding.0, c.padding.1),
                                          dilation: (1, c.dilation))
            return planar.reshaped([2, 3, planar.shape[3]])
        }
    }

    @Test func reLU() throws {
        var generator = TestGenerator(seed: 3)
        // Values at least 0.05 from 0, beyond the reach of the 1e-2 step.
        let input = randomTensor([2, 3, 4], &generator)
        let away = Tensor(shape: input.shape, scalars: input.scalars.map { $0 + ($0 < 0 ? -0.05 : 0.05) })
        let layer = try ReLU()
        #expect(try layer.forward(away, training: false).scalars == away.scalars.map { max(0, $0) })
        #expect(try gradientError(layer, input: away) < Self.tolerance)
    }

    @Test(arguments: [false, true]) func maxPool2D(overlapping: Bool) throws {
        var generator = TestGenerator(seed: 4)
        // Distinct values 0.05 apart, so each window's maximum stays put under a 1e-2 step.
        var values = (0 ..< 2 * 3 * 5 * 6).map { Float($0) * 0.05 }
        for i in values.indices.reversed() where i > 0 { values.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        let input = Tensor(shape: [2, 3, 5, 6], scalars: values)
        let layer = overlapping ? try MaxPool2D(kernel: (3, 2), stride: (1, 2), padding: (1, 1, 0, 1))
            : try MaxPool2D(kernel: (2, 2))
        let output = try layer.forward(input, training: false)
        #expect(output.shape == (overlapping ? [2, 3, 5, 3] : [2, 3, 2, 3]))
        if !overlapping { #expect(output[0] == [values[0], values[1], values[6], values[7]].max()) }
        #expect(try gradientError(layer, input: input) < Self.tolerance)
    }

    @Test func flatten() throws {
        var generator = TestGenerator(seed: 5)
        let input = randomTensor([2, 3, 2, 2], &generator)
        let layer = Flatten()
        #expect(try layer.forward(input, training: true).shape == [2, 12])
        #expect(try gradientError(layer, input: input) < Self.tolerance)
    }

    @Test func softmaxCrossEntropy() throws {
        var generator = TestGenerator(seed: 6)
        let logits = randomTensor([4, 3], &generator).scalars.map { $0 * 3 }
        let labels = [0, 2, 1, 2]
        let loss = SoftmaxCrossEntropy()
        let (value, gradient) = try loss(Tensor(shape: [4, 3], scalars: logits), labels: labels)
        // Uniform logits give log(classes).
        #expect(abs(try loss(Tensor(zeros: [2, 3]), labels: [0, 1]).loss - log(3.0)) < 1e-12)
        let step = 1e-3 as Float
        for i in logits.indices {
            var plus = logits, minus = logits
            plus[i] += step
            minus[i] -= step
            let numeric = (try loss(Tensor(shape: [4, 3], scalars: plus), labels: labels).loss
                - loss(Tensor(shape: [4, 3], scalars: minus), labels: labels).loss) / (2 * Double(step))
            #expect(abs(Double(gradient[i]) - numeric) < 1e-4)
        }
        #expect(value > 0)
    }

    @Test func misuseIsATypedError() throws {
        var generator = TestGenerator(seed: 8)
        let dense = try Dense(inputs: 4, outputs: 2, generator: &generator)
        #expect(throws: LayerError.badInput(layer: "Dense(4 -> 2)", shape: [3, 5], expected: "[batch, 4]")) {
            try dense.forward(Tensor(zeros: [3, 5]), training: true)
        }
        #expect(throws: LayerError.backwardBeforeForward(layer: "Dense(4 -> 2)")) { try dense.backward(Tensor(zeros: [3, 2])) }
        #expect(throws: LayerError.self) {
            try Conv2D(channels: 1, filters: 1, kernel: (5, 5), generator: &generator).forward(Tensor(zeros: [1, 1, 3, 3]), training: false)
        }
        #expect(throws: LayerError.self) { try MaxPool2D(kernel: (2, 2), padding: (2, 0, 0, 0)) }
        #expect(throws: LayerError.badSetting(layer: "Conv1D", reason:
            "channels, filters, kernel, stride, dilation and groups must be positive, padding not negative and channels and filters multiples of groups (Conv1D(1 -> 1, kernel [3], stride [0], dilation [1], padding [0] [0]))")) {
            try Conv1D(channels: 1, filters: 1, kernel: 3, stride: 0, generator: &generator)
        }
        let conv1D = try Conv1D(channels: 2, filters: 1, kernel: 3, generator: &generator)
        #expect(throws: LayerError.badInput(layer: "Conv1D(2 -> 1, kernel [3], stride [1], dilation [1], padding [0] [0])",
                                            shape: [1, 2, 4, 4], expected: "[batch, 2, width]")) {
            try conv1D.forward(Tensor(zeros: [1, 2, 4, 4]), training: false)
        }
        #expect(throws: LayerError.self) { try SoftmaxCrossEntropy()(Tensor(zeros: [2, 3]), labels: [0, 3]) }
    }
}

/// Direct loops over the definition of a padded, strided, dilated cross-correlation; with `groups`,
/// filter o sees only the input channels of its group, o / (filters / groups).
func naiveConvolution(_ input: Tensor, weight: Tensor, bias: Tensor, stride: (Int, Int),
                      padding: (Int, Int, Int, Int), dilation: (Int, Int), groups: Int = 1) -> Tensor {
    let (n, channels, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (f, c, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let oh = (h + padding.0 + padding.1 - (kh - 1) * dilation.0 - 1) / stride.0 + 1
    let ow = (w + padding.2 + padding.3 - (kw - 1) * dilation.1 - 1) / stride.1 + 1
    var out = Tensor(zeros: [n, f, oh, ow])
    for b in 0 ..< n { for o in 0 ..< f { for y in 0 ..< oh { for x in 0 ..< ow {
        var sum = Double(bias[o])
        let first = o / (f / groups) * c
        for ch in 0 ..< c { for i in 0 ..< kh { for j in 0 ..< kw {
            let iy = y * stride.0 - padding.0 + i * dilation.0, ix = x * stride.1 - padding.2 + j * dilation.1
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            sum += Double(input[((b * channels + first + ch) * h + iy) * w + ix]) * Double(weight[((o * c + ch) * kh + i) * kw + j])
        } } }
        out[((b * f + o) * oh + y) * ow + x] = Float(sum)
    } } } }
    return out
}
