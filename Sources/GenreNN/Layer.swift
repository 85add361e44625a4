/// A trainable tensor and the gradient of the loss with respect to it, shared between the layer
/// that owns it and the optimizer that updates it.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var gradient: Tensor

    public init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
        gradient = Tensor(zeros: value.shape)
    }
}

/// One step of a network, in the manner of a Keras layer.
public protocol Layer: AnyObject {
    /// The output for `input`; with `training` it keeps what `backward` needs.
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// Given dLoss/dOutput for the last training `forward`, sets the parameters' gradients and returns dLoss/dInput.
    func backward(_ outputGradient: Tensor) throws -> Tensor
    /// The trainable tensors, in a fixed order.
    var parameters: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
}

/// A layer that can set its parameters' gradients without computing dLoss/dInput, which the first layer
/// of a network does not need and which costs a convolution as much as its forward pass.
protocol ParameterGradientsLayer: Layer {
    func backwardParameters(_ outputGradient: Tensor) throws
}

/// A layer used wrongly: a shape it cannot take, a bad setting, `backward` before `forward`.
public enum LayerError: Error, CustomStringConvertible, Equatable {
    case badInput(layer: String, shape: [Int], expected: String)
    case badSetting(layer: String, reason: String)
    case backwardBeforeForward(layer: String)
    case gradientShape(layer: String, shape: [Int], expected: [Int])

    public var description: String {
        switch self {
        case .badInput(let layer, let shape, let expected): "\(layer) cannot take an input of shape \(shape): expected \(expected)"
        case .badSetting(let layer, let reason): "\(layer): \(reason)"
        case .backwardBeforeForward(let layer): "\(layer).backward called before a training forward pass"
        case .gradientShape(let layer, let shape, let expected):
            "\(layer).backward got a gradient of shape \(shape), but its output has shape \(expected)"
        }
    }
}

/// What a layer keeps from its training forward pass for `backward`.
struct ForwardRecord<Extra> {
    let input: Tensor
    let outputShape: [Int]
    let extra: Extra

    /// The record, after checking that `gradient` matches the output it belongs to.
    static func checked(_ record: ForwardRecord?, gradient: Tensor, layer: String) throws -> ForwardRecord {
        guard let record else { throw LayerError.backwardBeforeForward(layer: layer) }
        guard gradient.shape == record.outputShape else {
            throw LayerError.gradientShape(layer: layer, shape: gradient.shape, expected: record.outputShape)
        }
        return record
    }
}
