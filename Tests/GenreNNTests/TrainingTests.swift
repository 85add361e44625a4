import GenreNN
import Testing
import TestSupport

@Suite struct TrainingTests {
    /// f(p) = p², so the gradient is 2p; the expected values follow PyTorch's update rules by hand.
    private func descend(_ optimizer: some Optimizer, steps: Int) -> [Float] {
        let parameter = Parameter("p", Tensor(shape: [1], scalars: [1]))
        return (0 ..< steps).map { _ in
            parameter.gradient = Tensor(shape: [1], scalars: [2 * parameter.value[0]])
            optimizer.step([parameter])
            return parameter.value[0]
        }
    }

    @Test func sgdWithMomentum() {
        // v = 0.9 v + g, p -= 0.1 v: v1 = 2, p1 = 0.8; v2 = 1.8 + 1.6 = 3.4, p2 = 0.46.
        let values = descend(SGD(learningRate: 0.1, momentum: 0.9), steps: 2)
        #expect(Deviation.compare(values, [0.8, 0.46]).maxAbsolute < 1e-6)
    }

    @Test func adam() {
        // Step 1 moves by lr exactly; step 2 by lr · m̂ / (√v̂ + ε) with g = 1.8:
        // m̂ = 0.36 / 0.19, v̂ = 0.007236 / 0.001999, p2 = 0.9 - 0.0995878 = 0.8004122.
        let values = descend(Adam(learningRate: 0.1), steps: 2)
        #expect(Deviation.compare(values, [0.9, 0.8004122]).maxAbsolute < 2e-6)
    }

    /// Three Gaussian blobs in 4-D, 150 points each, well apart.
    static func blobs(seed: UInt64) -> (x: Tensor, labels: [Int]) {
        var generator = TestGenerator(seed: seed)
        let centres: [[Float]] = [[2, 0, 0, 1], [-2, 1, 0, -1], [0, -2, 2, 0]]
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0 ..< 450 {
            let label = i % 3
            scalars += centres[label].map { $0 + 0.6 * generator.unit() }
            labels.append(label)
        }
        return (Tensor(shape: [450, 4], scalars: scalars), labels)
    }

    /// A 4-16-3 MLP trained for 20 epochs of mini-batches of 30; returns its final parameters and accuracy.
    static func train(_ optimizer: some Optimizer) throws -> (weights: [Tensor], accuracy: Double) {
        var generator = TestGenerator(seed: 42)
        let model = Sequential([
            try Dense(inputs: 4, outputs: 16, generator: &generator), try ReLU(),
            try Dense(inputs: 16, outputs: 3, generator: &generator),
        ])
        let data = blobs(seed: 9)
        let loss = SoftmaxCrossEntropy()
        for _ in 0 ..< 20 {
            for start in stride(from: 0, to: 450, by: 30) {
                let batch = Tensor(shape: [30, 4], scalars: Array(data.x.scalars[start * 4 ..< (start + 30) * 4]))
                let output = try model.forward(batch, training: true)
                try model.backward(try loss(output, labels: Array(data.labels[start ..< start + 30])).gradient)
                optimizer.step(model.parameters)
            }
        }
        let test = blobs(seed: 10)
        let predicted = try model.predictClasses(test.x)
        let correct = zip(predicted, test.labels).filter { $0 == $1 }.count
        return (model.parameters.map(\.value), Double(correct) / Double(test.labels.count))
    }

    @Test func mlpLearnsSeparableBlobsReproducibly() throws {
        let adam = try Self.train(Adam(learningRate: 0.01))
        #expect(adam.accuracy > 0.95)
        #expect(try Self.train(Adam(learningRate: 0.01)).weights == adam.weights)
        #expect(try Self.train(SGD(learningRate: 0.05, momentum: 0.9)).accuracy > 0.95)
    }

    @Test func untrainedModelIsNotAlreadyAccurate() throws {
        // Guards the test above against a task too easy to mean anything.
        var generator = TestGenerator(seed: 42)
        let model = Sequential([try Dense(inputs: 4, outputs: 3, generator: &generator)])
        let test = Self.blobs(seed: 10)
        let correct = zip(try model.predictClasses(test.x), test.labels).filter { $0 == $1 }.count
        #expect(Double(correct) / 450 < 0.9)
    }

    @Test func backpropagateSetsTheGradientsBackwardSets() throws {
        var generator = TestGenerator(seed: 50)
        let model = Sequential([
            try Conv2D(channels: 2, filters: 3, kernel: (2, 2), generator: &generator), try ReLU(), Flatten(),
            try Dense(inputs: 3 * 4 * 4, outputs: 2, generator: &generator),
        ])
        let input = randomTensor([2, 2, 5, 5], &generator), probe = randomTensor([2, 2], &generator)
        _ = try model.forward(input, training: true)
        try model.backward(probe)
        let expected = model.parameters.map(\.gradient)
        model.parameters.forEach { $0.gradient = Tensor(zeros: $0.value.shape) }
        _ = try model.forward(input, training: true)
        try model.backpropagate(probe)
        #expect(model.parameters.map(\.gradient) == expected)
        #expect(expected.allSatisfy { $0.scalars.contains { $0 != 0 } })
    }
}
