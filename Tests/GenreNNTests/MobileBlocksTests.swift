import Foundation
import Testing
import GenreNN
import TestSupport

/// Squeeze-and-excitation, inverted residual blocks and the decibel scaling of the mobile image
/// networks: outputs by their definitions and backward passes against finite differences (the
/// tolerance of `LayerGradientTests`; the blocks are checked with swish, which is smooth).
@Suite struct MobileBlocksTests {
    @Test func squeezeExcitationScalesEachChannelByItsGate() throws {
        var generator = TestGenerator(seed: 60)
        let layer = try SqueezeExcitation(channels: 3, squeezed: 2, activation: try Swish(), generator: &generator)
        let dense = layer.gate.layers.compactMap { $0 as? Dense }
        for d in dense { d.bias.value = randomTensor(d.bias.value.shape, &generator) }
        let input = Tensor(shape: [2, 3, 2, 3], scalars: randomTensor([2, 3, 2, 3], &generator).scalars.map { 2 * $0 - 1 })
        let output = try layer.forward(input, training: false)

        func affine(_ d: Dense, _ x: [Double]) -> [Double] {
            let (outputs, inputs) = (d.weight.value.shape[0], d.weight.value.shape[1])
            return (0 ..< outputs).map { o in
                (0 ..< inputs).reduce(Double(d.bias.value[o])) { $0 + Double(d.weight.value[o * inputs + $1]) * x[$1] }
            }
        }
        for n in 0 ..< 2 {
            let means = (0 ..< 3).map { c in (0 ..< 6).map { Double(input[(n * 3 + c) * 6 + $0]) }.reduce(0, +) / 6 }
            let hidden = affine(dense[0], means).map { $0 / (1 + exp(-$0)) }
            let gates = affine(dense[1], hidden).map { 1 / (1 + exp(-$0)) }
            let expected = (0 ..< 18).map { Double(input[n * 18 + $0]) * gates[$0 / 6] }
            #expect(Deviation.compare(Array(output.scalars[n * 18 ..< (n + 1) * 18]), expected).maxAbsolute < 1e-5)
        }
        #expect(try gradientError(layer, input: input) < LayerGradientTests.tolerance)
        #expect(layer.namedParameters.map(\.name) == ["1.weight", "1.bias", "3.weight", "3.bias"])
    }

    /// (channels, filters, expansion, kernel, stride, squeeze-and-excitation): with and without the
    /// residual, the expansion, the squeeze, a 5 x 5 kernel and stride 2.
    static let blocks: [(channels: Int, filters: Int, expansion: Int, kernel: Int, stride: Int, squeezed: Int?)] = [
        (4, 4, 2, 3, 1, nil),
        (4, 4, 2, 5, 1, 1),
        (3, 4, 1, 3, 2, 2),
        (4, 2, 3, 3, 2, nil),
    ]

    @Test(arguments: blocks.indices) func invertedResidual(case index: Int) throws {
        let b = Self.blocks[index]
        var generator = TestGenerator(seed: UInt64(61 + index))
        let block = try InvertedResidual(channels: b.channels, filters: b.filters, expansion: b.expansion, kernel: b.kernel,
                                         stride: b.stride, size: (5, 6), squeezed: b.squeezed, activation: Swish.init,
                                         generator: &generator)
        #expect(block.hasResidual == (b.stride == 1 && b.channels == b.filters))
        // Batch norm's own backward is checked elsewhere; normalising by the batch's statistics makes
        // finite differences through three of them too coarse for float32, so here they use fixed ones.
        for norm in block.body.layers.compactMap({ $0 as? BatchNorm }) { norm.frozenStatistics = true }
        let input = randomTensor([2, b.channels, 5, 6], &generator)
        let output = try block.forward(input, training: true)
        #expect(output.shape == [2, b.filters, block.outputShape.height, block.outputShape.width])
        let size: [Int] = [block.outputShape.height, block.outputShape.width]
        #expect(size == (b.stride == 1 ? [5, 6] : [3, 3]))
        // The residual is the body plus the input.
        let body = try block.body.forward(input, training: true)
        let expected = block.hasResidual ? zip(body.scalars, input.scalars).map(+) : body.scalars
        #expect(Deviation.compare(output.scalars, expected.map(Double.init)).maxAbsolute < 1e-6)
        let error = try gradientError(block, input: input, evaluate: { try block.forward($0, training: true) })
        #expect(error < LayerGradientTests.tolerance)
    }

    /// A convolution's layers: 1 x 1 expansion (when the expansion is not 1), depthwise, 1 x 1 projection.
    @Test func invertedResidualLayers() throws {
        var generator = TestGenerator(seed: 66)
        let block = try InvertedResidual(channels: 8, filters: 16, expansion: 6, kernel: 5, stride: 2, size: (9, 8),
                                         squeezed: 2, activation: ReLU6.init, generator: &generator)
        let convolutions = block.body.layers.compactMap { $0 as? Conv2D }
        #expect(convolutions.map(\.weight.value.shape) == [[48, 8, 1, 1], [48, 1, 5, 5], [16, 48, 1, 1]])
        #expect(block.body.layers.contains { $0 is SqueezeExcitation } && block.body.layers.last is BatchNorm)
        let size: [Int] = [block.outputShape.height, block.outputShape.width]
        #expect(size == [5, 4])
        #expect(throws: LayerError.self) {
            try InvertedResidual(channels: 8, filters: 8, expansion: 0, kernel: 3, stride: 1, size: (4, 4),
                                 activation: ReLU6.init, generator: &generator)
        }
    }

    /// TensorFlow's 'same': stride 2 pads an even size after only, an odd one on both sides.
    @Test func samePaddingIsTensorFlows() {
        let cases: [(size: Int, kernel: Int, stride: Int, padding: [Int])] = [
            (128, 3, 2, [0, 1]), (65, 3, 2, [1, 1]), (10, 5, 2, [1, 2]), (7, 3, 1, [1, 1]), (7, 1, 1, [0, 0]),
        ]
        for c in cases {
            let padding = samePadding(size: c.size, kernel: c.kernel, stride: c.stride)
            let pair: [Int] = [padding.before, padding.after]
            #expect(pair == c.padding, "\(c)")
        }
    }

    @Test func decibelImageMapsEachPatchFromItsPeak() throws {
        let layer = try DecibelImage()
        let input = Tensor(shape: [2, 1, 1, 3], scalars: [-80, -40, 0, 10, -30, -70])
        let output = try layer.forward(input, training: true)
        #expect(output.scalars == [-1, 0, 1, 1, 0, -1])
        // The peak is held fixed: each value's own slope, 2 / 80.
        let gradient = try layer.backward(Tensor(shape: [2, 1, 1, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(gradient.scalars == [1, 2, 3, 4, 5, 6].map { $0 * 2 / 80 })
        #expect(throws: LayerError.self) { try DecibelImage(range: 0) }
    }
}
