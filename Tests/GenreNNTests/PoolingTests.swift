import Testing
import GenreNN
import TestSupport

/// Pooling against direct loops over PyTorch's definitions (average pooling with and without
/// `count_include_pad`), and finite-difference checks of the backward passes with the tolerance of
/// `LayerGradientTests` (average pooling is linear; max pooling piecewise linear with its inputs kept
/// apart).
@Suite struct PoolingTests {
    /// Values 0.05 apart in random order, so that each window's maximum stays put under a 1e-2 step.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = TestGenerator(seed: seed)
        var values = (0 ..< shape.reduce(1, *)).map { Float($0) * 0.05 }
        for i in values.indices.reversed() where i > 0 { values.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        return Tensor(shape: shape, scalars: values)
    }

    static func check(_ layer: some Layer, _ input: Tensor, _ expected: Tensor) throws {
        let output = try layer.forward(input, training: false)
        #expect(output.shape == expected.shape)
        #expect(Deviation.compare(output.scalars, expected.scalars).maxAbsolute < 1e-6)
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
    }

    @Test(arguments: [true, false]) func avgPool2D(countIncludesPadding: Bool) throws {
        var generator = TestGenerator(seed: 31)
        let input = randomTensor([2, 2, 5, 4], &generator)
        let layer = try AvgPool2D(kernel: (3, 2), stride: (2, 1), padding: (1, 1, 1, 0), countIncludesPadding: countIncludesPadding)
        try Self.check(layer, input, naivePooling(input, kernel: (3, 2), stride: (2, 1), padding: (1, 1, 1, 0),
                                                  max: false, countIncludesPadding: countIncludesPadding))
    }

    @Test(arguments: [true, false]) func pool1D(max: Bool) throws {
        let input = Self.distinct([2, 3, 9], seed: 32)
        let layer: Pooling = max ? try MaxPool1D(kernel: 3, stride: 2, padding: (1, 2))
            : try AvgPool1D(kernel: 3, stride: 2, padding: (1, 2), countIncludesPadding: false)
        let expected = naivePooling(input.reshaped([2, 3, 1, 9]), kernel: (1, 3), stride: (1, 2), padding: (0, 0, 1, 2),
                                    max: max, countIncludesPadding: false)
        try Self.check(layer, input, expected.reshaped([2, 3, expected.shape[3]]))
    }

    @Test func maxPool2D() throws {
        let input = Self.distinct([2, 2, 6, 5], seed: 33)
        try Self.check(try MaxPool2D(kernel: (3, 2), stride: (2, 2), padding: (1, 1, 0, 1)), input,
                       naivePooling(input, kernel: (3, 2), stride: (2, 2), padding: (1, 1, 0, 1), max: true, countIncludesPadding: false))
    }

    /// Over all frequencies, whatever their number, as musicnn does after its front-end convolutions.
    @Test(arguments: [5, 8]) func wholeAxis(height: Int) throws {
        let input = Self.distinct([2, 3, height, 4], seed: 34)
        try Self.check(try MaxPool2D(kernel: (.wholeAxis, 1)), input,
                       naivePooling(input, kernel: (height, 1), stride: (1, 1), padding: (0, 0, 0, 0), max: true, countIncludesPadding: false))
        try Self.check(try AvgPool2D(kernel: (.wholeAxis, 2)), input,
                       naivePooling(input, kernel: (height, 2), stride: (1, 2), padding: (0, 0, 0, 0), max: false, countIncludesPadding: true))
    }

    @Test(arguments: [[2, 3, 7], [2, 3, 4, 5]]) func global(shape: [Int]) throws {
        let input = Self.distinct(shape, seed: 35)
        let plane = shape.dropFirst(2).reduce(1, *)
        let rows = (0 ..< shape[0] * shape[1]).map { input.scalars[$0 * plane ..< ($0 + 1) * plane] }
        try Self.check(try GlobalMaxPooling(), input, Tensor(shape: [shape[0], shape[1]], scalars: rows.map { $0.max()! }))
        try Self.check(try GlobalAveragePooling(), input,
                       Tensor(shape: [shape[0], shape[1]], scalars: rows.map { $0.reduce(0, +) / Float(plane) }))
    }

    @Test func misuseIsATypedError() throws {
        #expect(throws: LayerError.badSetting(layer: "MaxPool2D", reason: "kernel and stride must be positive and padding between 0 and kernel - 1 (0 along a whole axis), got kernel [whole, 2], stride [1, 2], padding [1, 0] [0, 0]")) {
            try MaxPool2D(kernel: (.wholeAxis, 2), padding: (1, 0, 0, 0))
        }
        #expect(throws: LayerError.self) { try AvgPool1D(kernel: 0) }
        #expect(throws: LayerError.self) { try MaxPool1D(kernel: 2, stride: 0) }
        #expect(throws: LayerError.badInput(layer: "MaxPool1D(kernel [2], stride [2], padding [0] [0])", shape: [1, 2, 3, 4],
                                            expected: "[batch, channels, width]")) {
            try MaxPool1D(kernel: 2).forward(Tensor(zeros: [1, 2, 3, 4]), training: false)
        }
        #expect(throws: LayerError.badInput(layer: "GlobalAveragePooling", shape: [4, 3],
                                            expected: "[batch, channels, one to three spatial axes]")) {
            try GlobalAveragePooling().forward(Tensor(zeros: [4, 3]), training: false)
        }
        #expect(throws: LayerError.self) { try AvgPool2D(kernel: (3, 3)).forward(Tensor(zeros: [1, 1, 2, 5]), training: false) }
    }
}

/// Direct loops over the definition of 2-D pooling of [N, C, H, W] with zero padding (top, bottom,
/// left, right): the maximum of the window's input values, or their sum over the window's size
/// (`countIncludesPadding`) or over the number of input values in it.
func naivePooling(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int, Int, Int),
                  max: Bool, countIncludesPadding: Bool) -> Tensor {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let oh = (h + padding.0 + padding.1 - kernel.0) / stride.0 + 1, ow = (w + padding.2 + padding.3 - kernel.1) / stride.1 + 1
    var out = Tensor(zeros: [n, c, oh, ow])
    for plane in 0 ..< n * c { for y in 0 ..< oh { for x in 0 ..< ow {
        var values: [Double] = []
        for i in 0 ..< kernel.0 { for j in 0 ..< kernel.1 {
            let iy = y * stride.0 - padding.0 + i, ix = x * stride.1 - padding.2 + j
            if iy >= 0, iy < h, ix >= 0, ix < w { values.append(Double(input[(plane * h + iy) * w + ix])) }
        } }
        let count = countIncludesPadding ? kernel.0 * kernel.1 : values.count
        out[(plane * oh + y) * ow + x] = Float(max ? values.max()! : values.reduce(0, +) / Double(count))
    } } }
    return out
}
