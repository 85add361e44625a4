import Foundation

/// The mean over a batch of -log softmax(logits)[label], and its gradient (softmax - one-hot) / N.
/// Computed here rather than in oneDNN: it is tiny next to the layers, and Double sums keep it exact.
public struct SoftmaxCrossEntropy: Sendable {
    public init() {}

    /// `logits` is [N, classes]; `labels` holds N class indices.
    public func callAsFunction(_ logits: Tensor, labels: [Int]) throws -> (loss: Double, gradient: Tensor) {
        guard logits.shape.count == 2, logits.shape[0] == labels.count, logits.shape[0] > 0 else {
            throw LayerError.badInput(layer: "SoftmaxCrossEntropy", shape: logits.shape,
                                      expected: "[\(labels.count) labels, classes]")
        }
        let classes = logits.shape[1]
        if let bad = labels.first(where: { !(0 ..< classes).contains($0) }) {
            throw LayerError.badSetting(layer: "SoftmaxCrossEntropy", reason: "label \(bad) is outside 0..<\(classes)")
        }
        var gradient = [Float](repeating: 0, count: logits.count)
        var total = 0.0
        let scale = 1 / Double(labels.count)
        for (row, label) in labels.enumerated() {
            let values = logits.scalars[row * classes ..< (row + 1) * classes].map(Double.init)
            let top = values.max()!  // subtracted so that exp cannot overflow
            let exps = values.map { Foundation.exp($0 - top) }
            let sum = exps.reduce(0, +)
            total += Foundation.log(sum) - (values[label] - top)
            for k in 0 ..< classes {
                gradient[row * classes + k] = Float((exps[k] / sum - (k == label ? 1 : 0)) * scale)
            }
        }
        return (total * scale, Tensor(shape: logits.shape, scalars: gradient))
    }
}
