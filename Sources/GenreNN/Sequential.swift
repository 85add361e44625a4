import Foundation

/// Layers run one after another, as Keras' `Sequential`.
public final class Sequential {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try layers.reduce(input) { try $1.forward($0, training: training) }
    }

    /// Back-propagates dLoss/dOutput through every layer, setting their gradients; returns dLoss/dInput.
    @discardableResult
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try layers.reversed().reduce(outputGradient) { try $1.backward($0) }
    }

    /// Sets every parameter's gradient from dLoss/dOutput like `backward`, but skips the first layer's
    /// dLoss/dInput where it can: a training step needs no gradient of the data.
    public func backpropagate(_ outputGradient: Tensor) throws {
        guard let first = layers.first else { return }
        let gradient = try layers.dropFirst().reversed().reduce(outputGradient) { try $1.backward($0) }
        if let first = first as? any ParameterGradientsLayer {
            try first.backwardParameters(gradient)
        } else {
            _ = try first.backward(gradient)
        }
    }

    /// Every parameter named as PyTorch's `nn.Sequential.state_dict()` names it: "0.weight", "0.bias", ...
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.parameters.map { ("\(index).\($0.name)", $0) } }
    }

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }

    /// The class with the highest output for each row of `input` ([N, features] or [N, C, H, W]).
    public func predictClasses(_ input: Tensor) throws -> [Int] {
        let output = try forward(input, training: false)
        let classes = output.shape[1]
        return (0 ..< output.shape[0]).map { row in
            let values = output.scalars[row * classes ..< (row + 1) * classes]
            return values.indices.max { values[$0] < values[$1] }! - row * classes
        }
    }

    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        let tensors = Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.parameter.value) })
        try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// Replaces every parameter with the tensor of its name; nothing changes unless all are present
    /// with the right shapes.
    public func loadWeights(from url: URL) throws {
        let file = try SafetensorsFile(contentsOf: url)
        let named = namedParameters
        let values = try named.map { name, parameter in
            try file.tensor(name, shape: parameter.value.shape, source: url.path)
        }
        for ((_, parameter), value) in zip(named, values) { parameter.value = value }
    }
}
