import GenreNN
import TestSupport

/// SplitMix as a `RandomNumberGenerator`, for layer initialisers.
struct TestGenerator: RandomNumberGenerator {
    var mix: SplitMix
    init(seed: UInt64) { mix = SplitMix(seed: seed) }
    mutating func next() -> UInt64 { mix.next() }
    mutating func unit() -> Float { Float(mix.nextUnit()) }
}

func randomTensor(_ shape: [Int], _ generator: inout TestGenerator) -> Tensor {
    Tensor(shape: shape, scalars: (0 ..< shape.reduce(1, *)).map { _ in generator.unit() })
}

/// Central differences of L = Σ output · probe against the gradients `backward` gives, for the input
/// and every parameter. Returns the worst |analytic - numeric| / max(1, |numeric|). The perturbed
/// outputs come from `evaluate`, by default an inference pass; layers that differ in training (batch
/// statistics, dropout masks) pass one that reproduces the training pass the gradients belong to.
func gradientError(_ layer: some Layer, input: Tensor, step: Float = 1e-2, seed: UInt64 = 7,
                   evaluate: ((Tensor) throws -> Tensor)? = nil) throws -> Double {
    var generator = TestGenerator(seed: seed)
    let output = try layer.forward(input, training: true)
    let probe = randomTensor(output.shape, &generator)
    let inputGradient = try layer.backward(probe)
    let analytic = [inputGradient] + layer.parameters.map(\.gradient)

    func loss(_ x: Tensor) throws -> Double {
        let y = try evaluate?(x) ?? layer.forward(x, training: false)
        return zip(y.scalars, probe.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    var worst = 0.0
    func compare(_ expected: Float, _ plus: Double, _ minus: Double) {
        let numeric = (plus - minus) / (2 * Double(step))
        worst = max(worst, abs(Double(expected) - numeric) / max(1, abs(numeric)))
    }
    for i in 0 ..< input.count {
        var plus = input, minus = input
        plus[i] += step
        minus[i] -= step
        compare(analytic[0][i], try loss(plus), try loss(minus))
    }
    for (parameter, gradient) in zip(layer.parameters, analytic.dropFirst()) {
        for i in 0 ..< parameter.value.count {
            let saved = parameter.value[i]
            parameter.value[i] = saved + step
            let plus = try loss(input)
            parameter.value[i] = saved - step
            let minus = try loss(input)
            parameter.value[i] = saved
            compare(gradient[i], plus, minus)
        }
    }
    return worst
}
