import GenreNN
import Testing
import TestSupport

/// bfloat16 needs AVX-512 BF16 or AMX; this suite's bfloat16 training test runs only on such CPUs and
/// the typed-error test only on the others.
@Suite struct PrecisionTests {
    static let native = Precision.bfloat16IsNative

    @Test func automaticIsBfloat16ExactlyWhereNative() {
        #expect(Precision.automatic.resolved == (Self.native ? .bfloat16 : .float32))
        #expect(Precision.float32.resolved == .float32)
        #expect(Precision.bfloat16.resolved == .bfloat16)
    }

    @Test(.enabled(if: !native, "this CPU runs bfloat16 natively, so forcing it is no error"))
    func forcedBfloat16WithoutNativeSupportIsATypedError() throws {
        var generator = TestGenerator(seed: 20)
        let expected = PrecisionError.bfloat16Unsupported(isa: Precision.instructionSet)
        #expect(throws: expected) { try Conv2D(channels: 1, filters: 2, kernel: (2, 2), precision: .bfloat16, generator: &generator) }
        #expect(throws: expected) { try Dense(inputs: 3, outputs: 2, precision: .bfloat16, generator: &generator) }
        #expect(expected.description.contains("AVX-512 BF16"))
        // `automatic` falls back to float32 here and computes exactly what float32 does.
        var twin = TestGenerator(seed: 21), same = TestGenerator(seed: 21)
        let automatic = try Conv2D(channels: 1, filters: 2, kernel: (2, 2), precision: .automatic, generator: &twin)
        let float32 = try Conv2D(channels: 1, filters: 2, kernel: (2, 2), generator: &same)
        let input = randomTensor([2, 1, 5, 5], &generator)
        #expect(try automatic.forward(input, training: false) == float32.forward(input, training: false))
    }

    @Test func convolutionalNetworkLearnsBarsInFloat32() throws {
        #expect(try Self.trainBars(.float32) > 0.95)
        // Guards against a task too easy to mean anything.
        #expect(try Self.trainBars(.float32, epochs: 0) < 0.6)
    }

    @Test(.enabled(if: native, "this CPU has no native bfloat16 (AVX-512 BF16 or AMX); oneDNN cannot run it here"))
    func bfloat16TrainsAsWellAsFloat32() throws {
        let float32 = try Self.trainBars(.float32), bfloat16 = try Self.trainBars(.bfloat16)
        #expect(bfloat16 > 0.95)
        #expect(abs(bfloat16 - float32) <= 0.03)
    }

    /// 1 x 8 x 8 images of a horizontal bar, a vertical bar or a diagonal, at random places in noise.
    static func bars(count: Int, seed: UInt64) -> (x: Tensor, labels: [Int]) {
        var generator = TestGenerator(seed: seed)
        var scalars: [Float] = [], labels: [Int] = []
        for i in 0 ..< count {
            let label = i % 3, place = Int(generator.next() % 6) + 1
            var image = (0 ..< 64).map { _ in 0.4 * generator.unit() }
            for t in 0 ..< 8 {
                let (row, column) = [(place, t), (t, place), (t, t)][label]
                image[row * 8 + column] += 1
            }
            scalars += image
            labels.append(label)
        }
        return (Tensor(shape: [count, 1, 8, 8], scalars: scalars), labels)
    }

    /// Test accuracy of conv 3x3 (4 filters) -> relu -> maxpool 2x2 -> dense 3, trained by Adam in
    /// batches of 30 in `precision`.
    static func trainBars(_ precision: Precision, epochs: Int = 15) throws -> Double {
        var generator = TestGenerator(seed: 30)
        let model = Sequential([
            try Conv2D(channels: 1, filters: 4, kernel: (3, 3), precision: precision, generator: &generator), try ReLU(),
            try MaxPool2D(kernel: (2, 2)), Flatten(), try Dense(inputs: 36, outputs: 3, precision: precision, generator: &generator),
        ])
        let data = bars(count: 300, seed: 31)
        let optimizer = try Adam(learningRate: 0.01), loss = SoftmaxCrossEntropy()
        for _ in 0 ..< epochs {
            for start in stride(from: 0, to: 300, by: 30) {
                let batch = Tensor(shape: [30, 1, 8, 8], scalars: Array(data.x.scalars[start * 64 ..< (start + 30) * 64]))
                let output = try model.forward(batch, training: true)
                try model.backward(try loss(output, labels: Array(data.labels[start ..< start + 30])).gradient)
                optimizer.step(model.parameters)
            }
        }
        let test = bars(count: 300, seed: 32)
        let correct = zip(try model.predictClasses(test.x), test.labels).filter { $0 == $1 }.count
        return Double(correct) / 300
    }
}
