import CDNNL

/// A one-layer recurrent network over [batch, time, features] sequences (PyTorch's `batch_first=True`)
/// on oneDNN's RNN primitives, with zero initial state. Output [batch, time, hidden × directions]:
/// every step's hidden state, the forward direction's then, when bidirectional, the backward one's.
/// Parameters are PyTorch's, by name, shape and gate order (`weight_ih_l0` [gates × hidden, inputs],
/// `weight_hh_l0` [gates × hidden, hidden], `bias_ih_l0`, `bias_hh_l0`, then the `_reverse` ones), so
/// a PyTorch state dict loads as it is; the layer converts them to oneDNN's layouts on each pass.
public class RecurrentLayer: Layer {
    private struct Pass {
        let outputShape: [Int]
        let layouts: RecurrentLayouts
        let workspace: dnnl_memory_desc_t
        let forward, backward: Primitive
    }

    /// What `backward` needs beyond the input: the output and oneDNN's workspace.
    private struct Saved {
        let output, workspace: [Float]
    }

    private let cell: RecurrentCell
    public let inputSize: Int, hiddenSize: Int, directions: Int
    /// Per direction: weight_ih, weight_hh, bias_ih, bias_hh, as PyTorch orders its state dict.
    public let parameters: [Parameter]
    private let inputWeights: GateMatrices, hiddenWeights: GateMatrices
    private var passes: PassCache<Pass>
    private var record: ForwardRecord<Saved>?

    init(_ cell: RecurrentCell, inputSize: Int, hiddenSize: Int, bidirectional: Bool,
         generator: inout some RandomNumberGenerator) throws {
        guard inputSize > 0, hiddenSize > 0 else {
            throw LayerError.badSetting(layer: cell.kind.rawValue,
                                        reason: "inputSize and hiddenSize must be positive, got \(inputSize) and \(hiddenSize)")
        }
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        directions = bidirectional ? 2 : 1
        inputWeights = GateMatrices(cell: cell, directions: directions, columns: inputSize, hidden: hiddenSize)
        hiddenWeights = GateMatrices(cell: cell, directions: directions, columns: hiddenSize, hidden: hiddenSize)
        // PyTorch's initialisation: every weight and bias from U(-1/√hidden, 1/√hidden).
        let bound = 1 / Float(hiddenSize).squareRoot(), rows = cell.gates * hiddenSize
        var parameters: [Parameter] = []
        for suffix in ["", "_reverse"].prefix(directions) {
            for (name, shape) in [("weight_ih", [rows, inputSize]), ("weight_hh", [rows, hiddenSize]),
                                  ("bias_ih", [rows]), ("bias_hh", [rows])] {
                parameters.append(Parameter("\(name)_l0\(suffix)", uniform(shape, bound: bound, using: &generator)))
            }
        }
        self.parameters = parameters
        passes = try PassCache()
    }

    var name: String { "\(cell.kind.rawValue)(\(inputSize) -> \(hiddenSize)\(directions == 2 ? ", bidirectional" : ""))" }

    func outputShape(for input: [Int]) throws -> [Int] {
        guard input.count == 3, input[0] > 0, input[1] > 0, input[2] == inputSize else {
            throw LayerError.badInput(layer: name, shape: input, expected: "[batch, time, \(inputSize)] with batch and time at least 1")
        }
        return [input[0], input[1], hiddenSize * directions]
    }

    private func pass(for shape: [Int]) throws -> Pass {
        let outputShape = try outputShape(for: shape)
        return try passes.pass(for: shape) { engine in
            let layouts = try RecurrentLayouts(cell: cell, inputShape: shape, outputShape: outputShape, directions: directions)
            let forward = try cell.forward(layouts, engine: engine, name: name)
            return Pass(outputShape: outputShape, layouts: layouts, workspace: forward.workspace, forward: forward,
                        backward: try cell.backward(layouts, engine: engine, hint: forward, name: name))
        }
    }

    /// The parameter at `index` (0 weight_ih, 1 weight_hh, 2 bias_ih, 3 bias_hh) of each direction.
    private func perDirection(_ index: Int) -> [Parameter] {
        (0 ..< directions).map { parameters[4 * $0 + index] }
    }

    /// oneDNN's bias, [directions, bias gates, hidden], from PyTorch's two biases.
    private var dnnlBias: [Float] {
        zip(perDirection(2), perDirection(3)).flatMap { inputHidden, hiddenHidden in
            let biases = [inputHidden.value, hiddenHidden.value]
            return cell.biasTerms.flatMap { terms in
                (0 ..< hiddenSize).map { h in terms.reduce(0) { $0 + biases[$1.bias][$1.gate * hiddenSize + h] } }
            }
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let pass = try pass(for: input.shape)
        var arguments: [Argument] = [
            .input(DNNL_ARG_SRC_LAYER, pass.layouts.source, input.scalars),
            .input(DNNL_ARG_WEIGHTS_LAYER, pass.layouts.inputWeights, inputWeights.dnnl(perDirection(0), order: .igo)),
            .input(DNNL_ARG_WEIGHTS_ITER, pass.layouts.hiddenWeights, hiddenWeights.dnnl(perDirection(1), order: .igo)),
            .input(DNNL_ARG_BIAS, pass.layouts.bias, dnnlBias),
            .output(DNNL_ARG_DST_LAYER, pass.layouts.destination),
            .output(DNNL_ARG_WORKSPACE, pass.workspace),
        ]
        try passes.engine.execute(pass.forward, &arguments)
        record = training ? ForwardRecord(input: input, outputShape: pass.outputShape,
                                          extra: Saved(output: arguments[4].values, workspace: arguments[5].values)) : nil
        return Tensor(shape: pass.outputShape, scalars: arguments[4].values)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let record = try ForwardRecord.checked(record, gradient: outputGradient, layer: name)
        let pass = try pass(for: record.input.shape)
        let l = pass.layouts
        var arguments: [Argument] = [
            .input(DNNL_ARG_SRC_LAYER, l.source, record.input.scalars),
            .input(DNNL_ARG_WEIGHTS_LAYER, l.inputWeightsGOI, inputWeights.dnnl(perDirection(0), order: .goi)),
            .input(DNNL_ARG_WEIGHTS_ITER, l.hiddenWeightsGOI, hiddenWeights.dnnl(perDirection(1), order: .goi)),
            .input(DNNL_ARG_BIAS, l.bias, dnnlBias),
            .input(DNNL_ARG_DST_LAYER, l.destination, record.extra.output),
            .input(DNNL_ARG_DIFF_DST_LAYER, l.destination, outputGradient.scalars),
            .input(DNNL_ARG_WORKSPACE, pass.workspace, record.extra.workspace),
            .output(DNNL_ARG_DIFF_SRC_LAYER, l.source),
            // oneDNN adds the weight and bias gradients to what these hold.
            .zeroed(DNNL_ARG_DIFF_WEIGHTS_LAYER, l.inputWeights),
            .zeroed(DNNL_ARG_DIFF_WEIGHTS_ITER, l.hiddenWeights),
            .zeroed(DNNL_ARG_DIFF_BIAS, l.bias),
        ]
        try passes.engine.execute(pass.backward, &arguments)
        for (parameter, gradient) in zip(perDirection(0), inputWeights.pytorch(arguments[8].values)) { parameter.gradient = gradient }
        for (parameter, gradient) in zip(perDirection(1), hiddenWeights.pytorch(arguments[9].values)) {
            // One step meets only the zero initial state, so weight_hh has no gradient; oneDNN 2.6's
            // unidirectional LSTM returns a wrong one for a batch of one sequence of one step.
            parameter.gradient = record.input.shape[1] == 1 ? Tensor(zeros: parameter.value.shape) : gradient
        }
        setBiasGradients(arguments[10].values)
        return Tensor(shape: record.input.shape, scalars: arguments[7].values)
    }

    /// Each PyTorch bias row is in exactly one oneDNN bias gate and takes its gradient.
    private func setBiasGradients(_ diff: [Float]) {
        let rows = cell.gates * hiddenSize, biasGates = cell.biasTerms.count
        for (direction, biases) in zip(perDirection(2), perDirection(3)).enumerated() {
            var gradients = [Tensor(zeros: [rows]), Tensor(zeros: [rows])]
            for (gate, terms) in cell.biasTerms.enumerated() {
                for term in terms {
                    for h in 0 ..< hiddenSize {
                        gradients[term.bias][term.gate * hiddenSize + h] = diff[(direction * biasGates + gate) * hiddenSize + h]
                    }
                }
            }
            (biases.0.gradient, biases.1.gradient) = (gradients[0], gradients[1])
        }
    }
}

/// A long short-term memory layer, as PyTorch's `nn.LSTM(inputSize, hiddenSize, batch_first=True,
/// bidirectional:)`: gates i, f, g, o. oneDNN adds one bias per gate, so `bias_ih` and `bias_hh` get
/// the same gradient.
public final class LSTM: RecurrentLayer {
    public init(inputSize: Int, hiddenSize: Int, bidirectional: Bool = false,
                generator: inout some RandomNumberGenerator) throws {
        try super.init(.lstm, inputSize: inputSize, hiddenSize: hiddenSize, bidirectional: bidirectional, generator: &generator)
    }
}

/// A gated recurrent unit layer, as PyTorch's `nn.GRU(inputSize, hiddenSize, batch_first=True,
/// bidirectional:)`: gates r, z, n with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), which is
/// oneDNN's "linear before reset" GRU.
public final class GRU: RecurrentLayer {
    public init(inputSize: Int, hiddenSize: Int, bidirectional: Bool = false,
                generator: inout some RandomNumberGenerator) throws {
        try super.init(.gru, inputSize: inputSize, hiddenSize: hiddenSize, bidirectional: bidirectional, generator: &generator)
    }
}

/// What tells oneDNN's LSTM and linear-before-reset GRU apart, and how their gates and biases map to PyTorch's.
struct RecurrentCell {
    /// A PyTorch bias row: `bias` 0 is bias_ih, 1 is bias_hh; `gate` is in PyTorch's order.
    struct BiasTerm {
        let bias: Int, gate: Int
    }

    enum Kind: String { case lstm = "LSTM", gru = "GRU" }

    let kind: Kind
    /// oneDNN's gate j is PyTorch's gate `gateOrder[j]`.
    let gateOrder: [Int]
    /// oneDNN's bias gate j is the sum of the PyTorch bias rows `biasTerms[j]`.
    let biasTerms: [[BiasTerm]]

    var gates: Int { gateOrder.count }

    /// i, f, g, o in both; one bias per gate.
    static let lstm = RecurrentCell(kind: .lstm, gateOrder: [0, 1, 2, 3],
                                    biasTerms: (0 ..< 4).map { [BiasTerm(bias: 0, gate: $0), BiasTerm(bias: 1, gate: $0)] })
    /// oneDNN's u, r, o are PyTorch's z, r, n; its fourth bias is b_hn, which stays inside r ⊙ (...).
    static let gru = RecurrentCell(kind: .gru, gateOrder: [1, 0, 2], biasTerms: [
        [BiasTerm(bias: 0, gate: 1), BiasTerm(bias: 1, gate: 1)],
        [BiasTerm(bias: 0, gate: 0), BiasTerm(bias: 1, gate: 0)],
        [BiasTerm(bias: 0, gate: 2)],
        [BiasTerm(bias: 1, gate: 2)],
    ])

    func forward(_ l: RecurrentLayouts, engine: Engine, name: String) throws -> Primitive {
        var operation = dnnl_rnn_desc_t()
        let status = kind == .lstm
            ? dnnl_lstm_forward_desc_init(&operation, dnnl_forward_training, l.direction, [l.source], nil, nil, [l.inputWeights],
                                          [l.hiddenWeights], [l.bias], [l.destination], nil, nil, 0)
            : dnnl_lbr_gru_forward_desc_init(&operation, dnnl_forward_training, l.direction, [l.source], nil, [l.inputWeights],
                                             [l.hiddenWeights], [l.bias], [l.destination], nil, 0)
        try check(status, "\(kind.rawValue) forward (\(name))")
        return try Primitive(operation, name: "\(name) forward", engine: engine)
    }

    /// Reads the weights in ldgoi and writes their gradients in ldigo, the formats oneDNN 2.6's CPU backward pass takes.
    func backward(_ l: RecurrentLayouts, engine: Engine, hint: Primitive, name: String) throws -> Primitive {
        var operation = dnnl_rnn_desc_t()
        let status = kind == .lstm
            ? dnnl_lstm_backward_desc_init(&operation, dnnl_backward, l.direction, [l.source], nil, nil, [l.inputWeightsGOI],
                                           [l.hiddenWeightsGOI], [l.bias], [l.destination], nil, nil, [l.source], nil, nil,
                                           [l.inputWeights], [l.hiddenWeights], [l.bias], [l.destination], nil, nil, 0)
            : dnnl_lbr_gru_backward_desc_init(&operation, dnnl_backward, l.direction, [l.source], nil, [l.inputWeightsGOI],
                                              [l.hiddenWeightsGOI], [l.bias], [l.destination], nil, [l.source], nil,
                                              [l.inputWeights], [l.hiddenWeights], [l.bias], [l.destination], nil, 0)
        try check(status, "\(kind.rawValue) backward (\(name))")
        return try Primitive(operation, name: "\(name) backward", engine: engine, hint: hint)
    }
}

/// The memory layouts of one pass. oneDNN's dimensions are time-major (time, batch, channels), but
/// `ntc` stores them batch first, as the layer's tensors are. Weights are [layers, directions,
/// columns, gates, hidden] in ldigo order, or ldgoi for the backward pass to read.
struct RecurrentLayouts {
    let direction: dnnl_rnn_direction_t
    let source, destination, inputWeights, hiddenWeights, inputWeightsGOI, hiddenWeightsGOI, bias: dnnl_memory_desc_t

    init(cell: RecurrentCell, inputShape: [Int], outputShape: [Int], directions: Int) throws {
        direction = directions == 2 ? dnnl_bidirectional_concat : dnnl_unidirectional_left2right
        let (batch, time, hidden) = (inputShape[0], inputShape[1], outputShape[2] / directions)
        source = try taggedLayout([time, batch, inputShape[2]], dnnl_ntc)
        destination = try taggedLayout([time, batch, outputShape[2]], dnnl_ntc)
        let input = [1, directions, inputShape[2], cell.gates, hidden], recurrent = [1, directions, hidden, cell.gates, hidden]
        inputWeights = try taggedLayout(input, dnnl_ldigo)
        hiddenWeights = try taggedLayout(recurrent, dnnl_ldigo)
        inputWeightsGOI = try taggedLayout(input, dnnl_ldgoi)
        hiddenWeightsGOI = try taggedLayout(recurrent, dnnl_ldgoi)
        bias = try taggedLayout([1, directions, cell.biasTerms.count, hidden], dnnl_ldgo)
    }
}

private func taggedLayout(_ shape: [Int], _ tag: dnnl_format_tag_t) throws -> dnnl_memory_desc_t {
    var descriptor = dnnl_memory_desc_t()
    try check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(shape.count), shape.map(Int64.init), dnnl_f32, tag),
              "dnnl_memory_desc_init_by_tag \(shape)")
    return descriptor
}

/// Where each element of PyTorch's weight matrices ([gates × hidden, columns], one per direction) sits
/// in oneDNN's 5-D weights.
struct GateMatrices {
    enum Order { case igo, goi }

    let gateOrder: [Int]
    let directions: Int, columns: Int, hidden: Int

    init(cell: RecurrentCell, directions: Int, columns: Int, hidden: Int) {
        gateOrder = cell.gateOrder
        self.directions = directions
        self.columns = columns
        self.hidden = hidden
    }

    private var gates: Int { gateOrder.count }

    /// Calls `body(direction, PyTorch index, oneDNN index)` for every element.
    private func forEachElement(_ order: Order, _ body: (Int, Int, Int) -> Void) {
        for d in 0 ..< directions {
            for g in 0 ..< gates {
                for h in 0 ..< hidden {
                    for k in 0 ..< columns {
                        let dnnl = switch order {
                        case .igo: ((d * columns + k) * gates + g) * hidden + h
                        case .goi: ((d * gates + g) * hidden + h) * columns + k
                        }
                        body(d, (gateOrder[g] * hidden + h) * columns + k, dnnl)
                    }
                }
            }
        }
    }

    func dnnl(_ matrices: [Parameter], order: Order) -> [Float] {
        let tensors = matrices.map(\.value)
        var values = [Float](repeating: 0, count: directions * gates * hidden * columns)
        forEachElement(order) { d, pytorch, dnnl in values[dnnl] = tensors[d][pytorch] }
        return values
    }

    /// PyTorch's matrices, one per direction, from oneDNN's ldigo weights (or their gradients).
    func pytorch(_ values: [Float]) -> [Tensor] {
        var matrices = [Tensor](repeating: Tensor(zeros: [gates * hidden, columns]), count: directions)
        forEachElement(.igo) { d, pytorch, dnnl in matrices[d][pytorch] = values[dnnl] }
        return matrices
    }
}

/// The last time step of [batch, time, features] sequences, [batch, features]: the summary of a
/// recurrent layer's sequence for a classifier.
public final class LastStep: Layer {
    private var inputShape: [Int]?

    public init() {}

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.shape.count == 3, input.shape[1] > 0 else {
            throw LayerError.badInput(layer: "LastStep", shape: input.shape, expected: "[batch, time, features] with time at least 1")
        }
        inputShape = training ? input.shape : nil
        let scalars = (0 ..< input.shape[0]).flatMap { input.scalars[Self.lastStep(of: $0, in: input.shape)] }
        return Tensor(shape: [input.shape[0], input.shape[2]], scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw LayerError.backwardBeforeForward(layer: "LastStep") }
        let (batch, features) = (inputShape[0], inputShape[2])
        guard outputGradient.shape == [batch, features] else {
            throw LayerError.gradientShape(layer: "LastStep", shape: outputGradient.shape, expected: [batch, features])
        }
        var gradient = [Float](repeating: 0, count: inputShape.reduce(1, *))
        for b in 0 ..< batch {
            gradient[Self.lastStep(of: b, in: inputShape)] = outputGradient.scalars[b * features ..< (b + 1) * features]
        }
        return Tensor(shape: inputShape, scalars: gradient)
    }

    /// Where sequence `b`'s last step lies in the scalars of a [batch, time, features] tensor.
    private static func lastStep(of b: Int, in shape: [Int]) -> Range<Int> {
        let start = ((b + 1) * shape[1] - 1) * shape[2]
        return start ..< start + shape[2]
    }
}
