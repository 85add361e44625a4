import Foundation

// Layers between convolutions and recurrent layers, and over a recurrent layer's steps: what the
// seed papers' CRNN and CNN-LSTM need beyond `LSTM`, `GRU` and `LastStep`.

/// [N, C, W] to [N, W, C]: a 1-D convolution's feature maps as a sequence of W steps of C features,
/// the input a recurrent layer takes.
public final class ChannelsLast: Layer {
    private var record: ForwardRecord<Void>?

    public init() {}

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count == 3 else {
            throw LayerError.badInput(layer: "ChannelsLast", shape: input.shape, expected: "[batch, channels, width]")
        }
        let output = swappingLastAxes(input)
        record = training ? ForwardRecord(input: input, outputShape: output.shape, extra: ()) : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        _ = try ForwardRecord.checked(record, gradient: outputGradient, layer: "ChannelsLast")
        return swappingLastAxes(outputGradient)
    }

    /// [N, A, B] to [N, B, A].
    private func swappingLastAxes(_ x: Tensor) -> Tensor {
        let (batch, rows, columns) = (x.shape[0], x.shape[1], x.shape[2])
        var scalars = [Float](repeating: 0, count: x.count)
        for n in 0 ..< batch {
            let base = n * rows * columns
            for row in 0 ..< rows {
                for column in 0 ..< columns { scalars[base + column * rows + row] = x.scalars[base + row * columns + column] }
            }
        }
        return Tensor(shape: [batch, columns, rows], scalars: scalars)
    }
}

/// A layer applied to each step of [N, T, ...] on its own, as Keras' `TimeDistributed`: the N × T
/// steps go through it as one batch. Its tensors keep the layer's names.
public final class TimeDistributed: Layer {
    public let layer: any Layer
    private var record: ForwardRecord<Void>?

    public init(_ layer: any Layer) { self.layer = layer }

    public var parameters: [Parameter] { layer.parameters }
    public var buffers: [Parameter] { layer.buffers }
    public var namedParameters: [(name: String, parameter: Parameter)] { layer.namedParameters }
    public var namedBuffers: [(name: String, parameter: Parameter)] { layer.namedBuffers }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count >= 3, input.shape[0] > 0, input.shape[1] > 0 else {
            throw LayerError.badInput(layer: "TimeDistributed", shape: input.shape, expected: "[batch, time, ...] with batch and time at least 1")
        }
        let steps = Array(input.shape.prefix(2))
        let output = try layer.forward(Self.merged(input), training: training)
        let shaped = output.reshaped(steps + output.shape.dropFirst())
        record = training ? ForwardRecord(input: input, outputShape: shaped.shape, extra: ()) : nil
        return shaped
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "TimeDistributed")
        return try layer.backward(Self.merged(outputGradient)).reshaped(record.input.shape)
    }

    /// [N, T, ...] as [N × T, ...].
    private static func merged(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0] * x.shape[1]] + x.shape.dropFirst(2)) }
}

/// [N, T, F] to [N, F]: the average of the steps weighted by their position, step t (from 0) by
/// (t + 1) / (1 + 2 + ... + T), so that later steps, which have heard more of the sequence, count
/// more. On per-step class distributions it is the "time-weighted probability average" of a CNN-LSTM
/// genre classifier; the weights sum to 1, so an average of distributions is one.
public final class TimeWeightedAverage: Layer {
    private var record: ForwardRecord<Void>?

    public init() {}

    /// The weight of each of `steps` steps.
    public static func weights(steps: Int) -> [Float] {
        let total = Double(steps * (steps + 1) / 2)
        return (0 ..< steps).map { Float(Double($0 + 1) / total) }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count == 3, input.shape[0] > 0, input.shape[1] > 0 else {
            throw LayerError.badInput(layer: "TimeWeightedAverage", shape: input.shape, expected: "[batch, time, features] with time at least 1")
        }
        let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
        let weights = Self.weights(steps: steps)
        var scalars = [Float](repeating: 0, count: batch * features)
        for n in 0 ..< batch {
            for (t, weight) in weights.enumerated() {
                let step = (n * steps + t) * features
                for f in 0 ..< features { scalars[n * features + f] += weight * input.scalars[step + f] }
            }
        }
        record = training ? ForwardRecord(input: input, outputShape: [batch, features], extra: ()) : nil
        return Tensor(shape: [batch, features], scalars: scalars)
    }

    /// dLoss/dInput[n, t, f] = weight(t) · dLoss/dOutput[n, f].
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "TimeWeightedAverage")
        let (batch, steps, features) = (record.input.shape[0], record.input.shape[1], record.input.shape[2])
        let weights = Self.weights(steps: steps)
        var scalars = [Float](repeating: 0, count: record.input.count)
        for n in 0 ..< batch {
            for (t, weight) in weights.enumerated() {
                let step = (n * steps + t) * features
                for f in 0 ..< features { scalars[step + f] = weight * outputGradient.scalars[n * features + f] }
            }
        }
        return Tensor(shape: record.input.shape, scalars: scalars)
    }
}

/// ln(x) element-wise: turns a network's class probabilities into logits, since softmax(ln p) = p
/// when p sums to 1, so that a network ending in an average of distributions trains under the
/// softmax cross-entropy (whose loss is then -ln p of the true class) and scores as it is.
/// Values below `floor` are taken as `floor` and pass no gradient: a probability of 0 stays finite.
public final class Logarithm: Layer {
    public static let floor: Float = 1e-12
    private var record: ForwardRecord<Void>?

    public init() {}

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        record = training ? ForwardRecord(input: input, outputShape: input.shape, extra: ()) : nil
        return Tensor(shape: input.shape, scalars: input.scalars.map { Foundation.log(max($0, Self.floor)) })
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "Logarithm")
        return Tensor(shape: record.input.shape, scalars: zip(record.input.scalars, outputGradient.scalars).map { x, gradient in
            x > Self.floor ? gradient / x : 0
        })
    }
}
