import GenreNN
import Testing

/// Each fused inference operation of `NormalisedUnit` against the plain layers it stands for
/// (convolution, ReLU, batch norm, max pooling) on random inputs and weights, and batch norm's own
/// inference against its definition.
@Suite struct FusedInferenceTests {
    /// A unit with random weights, bias and batch-norm statistics (scales of both signs, so that a
    /// falling function after the convolution is exercised too).
    func unit(_ convolution: Conv2D, seed: UInt64) -> NormalisedUnit {
        var generator = TestGenerator(seed: seed)
        let unit = try! NormalisedUnit(convolution, epsilon: 1e-3, names: ("conv", "bn"))
        let filters = convolution.weight.value.shape[0]
        convolution.bias.value = randomTensor([filters], &generator)
        unit.norm.weight.value = randomTensor([filters], &generator)
        unit.norm.bias.value = randomTensor([filters], &generator)
        unit.norm.runningMean.value = randomTensor([filters], &generator)
        unit.norm.runningVariance.value = Tensor(shape: [filters], scalars: (0 ..< filters).map { _ in 0.5 + generator.unit() * generator.unit() })
        return unit
    }

    /// The plain layers' output for the unit, then `pool`.
    func plain(_ unit: NormalisedUnit, _ pool: any Layer, _ input: Tensor) throws -> Tensor {
        try Sequential([unit.weighted, try ReLU(), unit.norm, pool]).forward(input, training: false)
    }

    func expectClose(_ fused: Tensor, _ plain: Tensor, within bound: Float = 2e-5) {
        #expect(fused.count == plain.count)
        let scale = plain.scalars.map(abs).max() ?? 1
        let worst = zip(fused.scalars, plain.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= bound * max(1, scale), "worst difference \(worst) for values up to \(scale)")
    }

    @Test(arguments: [[2, 3, 5, 7], [3, 4, 6]])
    func batchNormInferenceIsItsDefinition(shape: [Int]) throws {
        var generator = TestGenerator(seed: 5)
        let norm = try BatchNorm(channels: shape[1], epsilon: 1e-3)
        norm.weight.value = randomTensor([shape[1]], &generator)
        norm.bias.value = randomTensor([shape[1]], &generator)
        norm.runningMean.value = randomTensor([shape[1]], &generator)
        norm.runningVariance.value = Tensor(shape: [shape[1]], scalars: (0 ..< shape[1]).map { _ in 1 + generator.unit() })
        let input = randomTensor(shape, &generator)
        let output = try norm.forward(input, training: false)
        let positions = input.count / (shape[0] * shape[1])
        for (index, x) in input.scalars.enumerated() {
            let c = index / positions % shape[1]
            let expected = (x - norm.runningMean.value[c]) / (norm.runningVariance.value[c] + 1e-3).squareRoot()
                * norm.weight.value[c] + norm.bias.value[c]
            #expect(abs(output[index] - expected) <= 1e-5)
        }
    }

    /// musicnn's front-end units: one input channel, unpadded along the rows, 'same' along the columns
    /// (the odd one after), then the maximum over all rows, [N, filters, W].
    @Test(arguments: [(9, 7), (16, 1), (1, 8)])
    func maximaOverRowsAreThePlainLayers(kernelRows: Int, kernelColumns: Int) throws {
        var generator = TestGenerator(seed: 11)
        let convolution = try Conv2D(channels: 1, filters: 6, kernel: (kernelRows, kernelColumns),
                                     padding: (0, 0, (kernelColumns - 1) / 2, kernelColumns / 2), generator: &generator)
        let unit = unit(convolution, seed: 12)
        let input = randomTensor([2, 1, 24, 30], &generator)
        let expected = try plain(unit, try MaxPool2D(kernel: (.wholeAxis, 1)), input)
        expectClose(try unit.maxOverRows(input), expected)
        if kernelRows > 1 { expectClose(try unit.spectralMaxOverRows(input), expected) }
    }

    /// More filters than the spectral path computes together, and a height whose transform is odd.
    @Test func spectralMaximaSpanSeveralFilterGroups() throws {
        var generator = TestGenerator(seed: 13)
        let convolution = try Conv2D(channels: 1, filters: 70, kernel: (5, 3), padding: (0, 0, 1, 1), generator: &generator)
        let unit = unit(convolution, seed: 14)
        let input = randomTensor([1, 1, 13, 70], &generator)
        expectClose(try unit.spectralMaxOverRows(input), try plain(unit, try MaxPool2D(kernel: (.wholeAxis, 1)), input))
    }

    /// VGG's 3 x 3 'same' convolutions by Winograd, pooled in square windows of 1, 2 or 4; sizes that
    /// are not whole blocks.
    @Test(arguments: [1, 2, 4])
    func winogradIsThePlainLayers(pool: Int) throws {
        var generator = TestGenerator(seed: 21)
        let convolution = try Conv2D(channels: 5, filters: 9, kernel: (3, 3), padding: (1, 1, 1, 1), generator: &generator)
        let unit = unit(convolution, seed: 22)
        let input = randomTensor([2, 5, 14, 21], &generator)
        let pooling = try MaxPool2D(kernel: (.size(pool), .size(pool)), stride: (pool, pool))
        expectClose(try unit.winogradMaxPooled(input, pool: pool), try plain(unit, pooling, input))
    }

    /// VGG's first unit: one input channel, 3 x 3 'same', pooled in 1 x 4 windows 2 apart or 2 x 2 ones.
    @Test(arguments: [(1, 4, 2), (2, 2, 2), (3, 3, 3)])
    func singleChannelIsThePlainLayers(rows: Int, columns: Int, stride: Int) throws {
        var generator = TestGenerator(seed: 31)
        let convolution = try Conv2D(channels: 1, filters: 7, kernel: (3, 3), padding: (1, 1, 1, 1), generator: &generator)
        let unit = unit(convolution, seed: 32)
        let input = randomTensor([3, 1, 12, 37], &generator)
        let pooling = try MaxPool2D(kernel: (.size(rows), .size(columns)), stride: (stride, stride))
        expectClose(try unit.singleChannelMaxPooled(input, window: (rows, columns), stride: stride),
                    try plain(unit, pooling, input))
    }

    /// A kernel's transform is kept between calls, and made again when the weights change.
    @Test func changedWeightsAreFollowed() throws {
        var generator = TestGenerator(seed: 41)
        let convolution = try Conv2D(channels: 3, filters: 4, kernel: (3, 3), padding: (1, 1, 1, 1), generator: &generator)
        let unit = unit(convolution, seed: 42)
        let input = randomTensor([1, 3, 8, 8], &generator)
        _ = try unit.winogradMaxPooled(input, pool: 2)
        convolution.weight.value = randomTensor(convolution.weight.value.shape, &generator)
        expectClose(try unit.winogradMaxPooled(input, pool: 2),
                    try plain(unit, try MaxPool2D(kernel: (.size(2), .size(2)), stride: (2, 2)), input))
    }
}
