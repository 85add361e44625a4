import GenreNN
import GenreSupport
import Testing

@Suite struct BatchAugmentationTests {
    /// 8 examples of one channel, 16 bands by 40 frames, every cell 1 + its example number.
    let inputs = Tensor(shape: [8, 1, 16, 40], scalars: (0 ..< 8).flatMap { [Float](repeating: Float($0 + 1), count: 16 * 40) })
    let labels = [0, 1, 2, 3, 0, 1, 2, 3]

    /// Every zeroed cell lies in a band or a frame zeroed whole; the zeroed bands (frames) form at
    /// most `count` runs, none wider than the widest mask; nothing else changes.
    @Test func masksStayWithinTheirCountsAndWidths() throws {
        let augmentation = try BatchAugmentation(timeMasks: .init(count: 2, maxWidth: 7), frequencyMasks: .init(count: 1, maxWidth: 3))
        var generator = SeededGenerator(seed: 11)
        var sawMasks = false
        for _ in 0 ..< 20 {
            let batch = try augmentation.apply(inputs, labels: labels, generator: &generator)
            #expect(batch.mix == nil && batch.labels == labels)
            for example in 0 ..< 8 {
                let cell = { (band: Int, frame: Int) in batch.inputs.scalars[((example * 16) + band) * 40 + frame] }
                let zeroBands = (0 ..< 16).filter { band in (0 ..< 40).allSatisfy { cell(band, $0) == 0 } }
                let zeroFrames = (0 ..< 40).filter { frame in (0 ..< 16).allSatisfy { cell($0, frame) == 0 } }
                for band in 0 ..< 16 {
                    for frame in 0 ..< 40 {
                        let value = cell(band, frame)
                        #expect(value == 0 ? zeroBands.contains(band) || zeroFrames.contains(frame) : value == Float(example + 1))
                    }
                }
                #expect(runs(zeroBands).count <= 1 && runs(zeroBands).allSatisfy { $0 <= 3 }, "bands \(zeroBands)")
                #expect(runs(zeroFrames).count <= 2 && runs(zeroFrames).allSatisfy { $0 <= 14 }, "frames \(zeroFrames)")
                #expect(zeroFrames.count <= 14)
                sawMasks = sawMasks || !zeroBands.isEmpty || !zeroFrames.isEmpty
            }
        }
        #expect(sawMasks)
    }

    /// Lengths of the runs of consecutive values.
    func runs(_ values: [Int]) -> [Int] {
        var lengths: [Int] = []
        for (index, value) in values.enumerated() {
            if index > 0, values[index - 1] == value - 1 { lengths[lengths.count - 1] += 1 } else { lengths.append(1) }
        }
        return lengths
    }

    /// Each mixed example is λ·itself + (1 - λ)·its partner, and its soft target sums to 1.
    @Test func mixupMixesInputsAndLabelsAlike() throws {
        let augmentation = try BatchAugmentation(mixupAlpha: 0.4)
        var generator = SeededGenerator(seed: 3)
        for _ in 0 ..< 10 {
            let batch = try augmentation.apply(inputs, labels: labels, generator: &generator)
            let mix = try #require(batch.mix)
            #expect((0 ... 1).contains(mix.weight))
            for (row, target) in batch.targets(classes: 4).enumerated() {
                #expect(abs(target.reduce(0, +) - 1) < 1e-12)
                // The partner's value (its example number + 1) recovered from the mix, where λ leaves enough of it.
                guard mix.weight < 0.99 else { continue }
                let value = Double(batch.inputs.scalars[row * 640])
                let partner = (value - mix.weight * Double(row + 1)) / (1 - mix.weight)
                #expect(abs(partner - partner.rounded()) < 1e-3)
                #expect(labels[Int(partner.rounded()) - 1] == mix.partnerLabels[row])
            }
        }
    }

    @Test func theSameSeedGivesTheSameBatches() throws {
        let augmentation = try BatchAugmentation(timeMasks: .init(count: 2, maxWidth: 10), frequencyMasks: .init(count: 2, maxWidth: 4),
                                                 mixupAlpha: 0.2)
        var first = SeededGenerator(seed: 9), second = SeededGenerator(seed: 9), other = SeededGenerator(seed: 10)
        let a = try augmentation.apply(inputs, labels: labels, generator: &first)
        let b = try augmentation.apply(inputs, labels: labels, generator: &second)
        let c = try augmentation.apply(inputs, labels: labels, generator: &other)
        #expect(a.inputs.scalars == b.inputs.scalars && a.mix?.partnerLabels == b.mix?.partnerLabels && a.mix?.weight == b.mix?.weight)
        #expect(a.inputs.scalars != c.inputs.scalars)
    }

    @Test func badSettingsAndFlatInputsAreRefused() throws {
        #expect(throws: (any Error).self) { try BatchAugmentation.Masks(count: 0, maxWidth: 5) }
        #expect(throws: (any Error).self) { try BatchAugmentation(mixupAlpha: 0) }
        var generator = SeededGenerator(seed: 1)
        let masks = try BatchAugmentation(timeMasks: .init(count: 1, maxWidth: 2))
        #expect(throws: (any Error).self) {
            try masks.apply(Tensor(shape: [2, 5], scalars: [Float](repeating: 1, count: 10)), labels: [0, 1], generator: &generator)
        }
    }

    /// The trainer's mixed loss learns the blobs, and the same seed trains the same weights.
    @Test func trainingWithMixupLearnsAndIsSeeded() throws {
        let data = try TrainingTests.blobs(seed: 1)
        func train() throws -> (accuracy: Double, outputs: [Float]) {
            let model = try TrainingTests.mlp()
            let trainer = Trainer(model: model, optimizer: try Adam(learningRate: 0.01), batchSize: 30, seed: 4,
                                  augmentation: try BatchAugmentation(mixupAlpha: 0.2))
            _ = try trainer.fit(data, epochs: 10)
            return (try TrainingTests.accuracy(model, on: data), try model.forward(data.inputs, training: false).scalars)
        }
        let first = try train(), second = try train()
        #expect(first.outputs == second.outputs)
        #expect(first.accuracy > 0.9)
    }

    /// Beta draws stay in [0, 1] with the mean 1/2 of a symmetric Beta.
    @Test func betaDrawsAreSymmetric() {
        var generator = SeededGenerator(seed: 5)
        let draws = (0 ..< 4000).map { _ in generator.beta(0.2, 0.2) }
        #expect(draws.allSatisfy { (0 ... 1).contains($0) })
        #expect(abs(draws.reduce(0, +) / 4000 - 0.5) < 0.03)
    }
}
