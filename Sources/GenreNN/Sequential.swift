import Foundation

/// Layers run one after another, as Keras' `Sequential`; itself a layer, so that it nests.
public final class Sequential: Layer, ParameterGradientsLayer {
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

    /// Sets every parameter's gradient from dLoss/dOutput like `backward`, but computes no gradient a
    /// training step does not need: none through the layers before the first with parameters, and that
    /// layer's dLoss/dInput not where it can skip it.
    public func backpropagate(_ outputGradient: Tensor) throws {
        guard let first = layers.firstIndex(where: { !$0.parameters.isEmpty }) else { return }
        let gradient = try layers[(first + 1)...].reversed().reduce(outputGradient) { try $1.backward($0) }
        if let layer = layers[first] as? any ParameterGradientsLayer {
            try layer.backwardParameters(gradient)
        } else {
            _ = try layers[first].backward(gradient)
        }
    }

    func backwardParameters(_ outputGradient: Tensor) throws { try backpropagate(outputGradient) }

    /// Every parameter named as PyTorch's `nn.Sequential.state_dict()` names it: "0.weight", "0.bias",
    /// "2.1.weight" inside a nested `Sequential`, ...
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed(layers, \.namedParameters) }
    /// Every buffer named likewise: "1.running_mean", ...
    public var namedBuffers: [(name: String, parameter: Parameter)] { prefixed(layers, \.namedBuffers) }

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }
    public var buffers: [Parameter] { namedBuffers.map(\.parameter) }

    /// What the weights file holds: the parameters, then the buffers.
    private var savedTensors: [(name: String, parameter: Parameter)] { namedParameters + namedBuffers }

    /// The class with the highest output for each row of `input` ([N, features] or [N, C, H, W]).
    public func predictClasses(_ input: Tensor) throws -> [Int] {
        try forward(input, training: false).rowArgmax()
    }

    /// The parameters and buffers as a safetensors file in memory, named as `saveWeights` names them.
    public func weightsFile(metadata: [String: String] = [:]) -> SafetensorsFile {
        SafetensorsFile(tensors: Dictionary(uniqueKeysWithValues: savedTensors.map { ($0.name, $0.parameter.value) }),
                        metadata: metadata)
    }

    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        try weightsFile(metadata: metadata).write(to: url)
    }

    /// Replaces every parameter and buffer with the tensor of its name; nothing changes unless all are
    /// present with the right shapes. `source` names the file in errors.
    public func loadWeights(_ file: SafetensorsFile, source: String) throws {
        let named = savedTensors
        let values = try named.map { name, parameter in
            try file.tensor(name, shape: parameter.value.shape, source: source)
        }
        for ((_, parameter), value) in zip(named, values) { parameter.value = value }
    }

    public func loadWeights(from url: URL) throws {
        try loadWeights(SafetensorsFile(contentsOf: url), source: url.path)
    }
}
