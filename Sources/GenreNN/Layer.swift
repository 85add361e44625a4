/// A trainable tensor and the gradient of the loss with respect to it, shared between the layer
/// that owns it and the optimizer that updates it.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var gradient: Tensor
    /// An L1/L2 penalty on the value, added to the loss and the gradient by the trainer; none by default.
    public var penalty: Penalty?
    /// The fraction of the optimizer's learning rate this parameter moves by, as a PyTorch parameter
    /// group's own lr: below 1 for the pre-trained layers of a fine-tuned network, 0 to hold it still.
    public var learningRateScale: Float = 1

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
    /// State that is saved with the weights but not trained, as PyTorch's buffers (`BatchNorm`'s running
    /// statistics): the layer updates it itself, optimizers never see it, its gradient stays zero.
    var buffers: [Parameter] { get }
    /// The parameters by their names in PyTorch's `state_dict`: "weight", or "0.weight" inside a `Sequential`.
    var namedParameters: [(name: String, parameter: Parameter)] { get }
    /// The buffers named likewise ("running_mean", "1.running_var").
    var namedBuffers: [(name: String, parameter: Parameter)] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
    public var namedParameters: [(name: String, parameter: Parameter)] { parameters.map { ($0.name, $0) } }
    public var namedBuffers: [(name: String, parameter: Parameter)] { buffers.map { ($0.name, $0) } }
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
