/// Its input, unchanged: a branch that skips (in `Concatenate`) or a placeholder.
public final class Identity: Layer {
    public init() {}
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor { input }
    public func backward(_ outputGradient: Tensor) throws -> Tensor { outputGradient }
}

/// x + block(x), a residual connection (as musicnn's mid-end); the block must keep the shape. Its
/// tensors keep the block's names.
public final class Residual: Layer {
    public let block: any Layer
    private let joins: Joins
    private var record: ForwardRecord<Void>?

    public init(_ block: any Layer) throws {
        self.block = block
        joins = try Joins()
    }

    public var parameters: [Parameter] { block.parameters }
    public var buffers: [Parameter] { block.buffers }
    public var namedParameters: [(name: String, parameter: Parameter)] { block.namedParameters }
    public var namedBuffers: [(name: String, parameter: Parameter)] { block.namedBuffers }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let output = try block.forward(input, training: training)
        guard output.shape == input.shape else {
            throw LayerError.badInput(layer: "Residual", shape: input.shape, expected: "a block that keeps the shape, not one that gives \(output.shape)")
        }
        record = training ? ForwardRecord(input: input, outputShape: input.shape, extra: ()) : nil
        return try joins.sum([input, output])
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        _ = try ForwardRecord.checked(record, gradient: outputGradient, layer: "Residual")
        return try joins.sum([outputGradient, try block.backward(outputGradient)])
    }
}

/// Every branch applied to the same input, the outputs joined along `axis` (musicnn's front end joins
/// its convolutions along the channels, axis 1). The input gradient is the sum of the branches'.
/// Branch i's tensors are named "i.weight", ..., as in a PyTorch `nn.ModuleList`.
public final class Concatenate: Layer {
    public let branches: [any Layer]
    /// Negative counts from the last axis; the batch axis cannot be joined along.
    public let axis: Int
    private let joins: Joins
    /// The axis counted from 0 and each branch's size along it, of the last training forward pass.
    private var record: ForwardRecord<(axis: Int, sizes: [Int])>?

    public init(_ branches: [any Layer], axis: Int) throws {
        guard !branches.isEmpty, axis != 0 else {
            throw LayerError.badSetting(layer: "Concatenate", reason: "needs at least one branch and an axis other than the batch axis 0, got \(branches.count) branches and axis \(axis)")
        }
        self.branches = branches
        self.axis = axis
        joins = try Joins()
    }

    public var parameters: [Parameter] { namedParameters.map(\.parameter) }
    public var buffers: [Parameter] { namedBuffers.map(\.parameter) }
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed(branches, \.namedParameters) }
    public var namedBuffers: [(name: String, parameter: Parameter)] { prefixed(branches, \.namedBuffers) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let outputs = try branches.map { try $0.forward(input, training: training) }
        let rank = outputs[0].shape.count, axis = self.axis < 0 ? self.axis + rank : self.axis
        let others = { (shape: [Int]) in shape.enumerated().filter { $0.offset != axis }.map(\.element) }
        guard (1 ..< rank).contains(axis), outputs.allSatisfy({ $0.shape.count == rank && others($0.shape) == others(outputs[0].shape) }) else {
            throw LayerError.badInput(layer: "Concatenate(axis \(self.axis))", shape: input.shape,
                                      expected: "branches whose outputs differ only along that axis, not \(outputs.map(\.shape))")
        }
        let output = try joins.concatenate(outputs, axis: axis)
        record = training ? ForwardRecord(input: input, outputShape: output.shape, extra: (axis, outputs.map { $0.shape[axis] })) : nil
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: "Concatenate(axis \(axis))")
        let parts = try joins.split(outputGradient, axis: record.extra.axis, sizes: record.extra.sizes)
        return try joins.sum(zip(branches, parts).map { try $0.backward($1) })
    }
}

/// Each layer's named tensors with its index in front: "0.weight", "1.0.bias", as PyTorch's `state_dict`.
func prefixed(_ layers: [any Layer], _ named: (any Layer) -> [(name: String, parameter: Parameter)])
    -> [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { index, layer in named(layer).map { ("\(index).\($0.name)", $0.parameter) } }
}
