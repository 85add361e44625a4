import Foundation

/// PyTorch's `nn.CrossEntropyLoss` on logits: the mean over a batch of -Σ_c q_c w_c log softmax(logits)_c,
/// where q is the one-hot label smoothed towards uniform by `labelSmoothing` and w the class weights
/// (all 1 without them). As in PyTorch, the weighted mean divides by the sum of the weights of the
/// batch's labels, for the smoothing term too. Computed here rather than in oneDNN: it is tiny next
/// to the layers, and Double sums keep it exact.
public struct SoftmaxCrossEntropy: Sendable {
    /// ε: the target puts 1 - ε + ε / classes on the label and ε / classes on every other class.
    public let labelSmoothing: Float
    /// One weight per class, scaling its examples' share of the loss; nil weighs every class 1.
    public let classWeights: [Float]?

    public init() {
        labelSmoothing = 0
        classWeights = nil
    }

    public init(labelSmoothing: Float = 0, classWeights: [Float]? = nil) throws {
        try require((0 ... 1).contains(labelSmoothing), "SoftmaxCrossEntropy",
                    "labelSmoothing must lie in [0, 1], got \(labelSmoothing)")
        try require(classWeights.map { !$0.isEmpty && $0.allSatisfy { $0.isFinite && $0 >= 0 } } ?? true, "SoftmaxCrossEntropy",
                    "classWeights must be finite and non-negative, one per class, got \(classWeights ?? [])")
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
    }

    /// Weights inversely proportional to class frequencies, as scikit-learn's `class_weight="balanced"`:
    /// examples / (classes · count of the class); a class absent from `labels` gets 0.
    public static func balancedWeights(labels: [Int], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels where (0 ..< classes).contains(label) { counts[label] += 1 }
        return counts.map { $0 == 0 ? 0 : Float(labels.count) / Float(classes * $0) }
    }

    /// `logits` is [N, classes]; `labels` holds N class indices.
    public func callAsFunction(_ logits: Tensor, labels: [Int]) throws -> (loss: Double, gradient: Tensor) {
        let terms = try terms(logits, labels: labels)
        return (terms.sum / terms.weight, terms.gradient)
    }

    /// The loss as the weighted sum over the batch and the sum of weights it is divided by, so that
    /// batches can be pooled into one mean; `gradient` is that of the mean.
    func terms(_ logits: Tensor, labels: [Int]) throws -> (sum: Double, weight: Double, gradient: Tensor) {
        guard logits.shape.count == 2, logits.shape[0] == labels.count, logits.shape[0] > 0 else {
            throw LayerError.badInput(layer: "SoftmaxCrossEntropy", shape: logits.shape,
                                      expected: "[\(labels.count) labels, classes]")
        }
        let classes = logits.shape[1]
        if let bad = labels.first(where: { !(0 ..< classes).contains($0) }) {
            throw LayerError.badSetting(layer: "SoftmaxCrossEntropy", reason: "label \(bad) is outside 0..<\(classes)")
        }
        let weights = (classWeights ?? [Float](repeating: 1, count: classes)).map(Double.init)
        guard weights.count == classes else {
            throw LayerError.badSetting(layer: "SoftmaxCrossEntropy",
                                        reason: "\(weights.count) class weights for \(classes) classes; give one per class")
        }
        let totalWeight = labels.reduce(0.0) { $0 + weights[$1] }
        guard totalWeight > 0 else {
            throw LayerError.badSetting(layer: "SoftmaxCrossEntropy",
                                        reason: "every label of the batch has class weight 0, so its weighted mean is undefined")
        }
        // Row i's target mass on class c, already divided by the batch's total weight:
        // a_c = ((1 - ε) w_label [c = label] + (ε / C) w_c) / W. The loss is -Σ a_c log p_c and its
        // gradient (Σ_c a_c) p_k - a_k.
        let smoothing = Double(labelSmoothing)
        let spread = weights.map { smoothing / Double(classes) * $0 / totalWeight }
        let spreadSum = spread.reduce(0, +)
        var gradient = [Float](repeating: 0, count: logits.count)
        var sum = 0.0
        for (row, label) in labels.enumerated() {
            let values = logits.scalars[row * classes ..< (row + 1) * classes].map(Double.init)
            let top = values.max()!  // subtracted so that exp cannot overflow
            let exps = values.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +), logTotal = Foundation.log(total)
            let labelMass = (1 - smoothing) * weights[label] / totalWeight
            for k in 0 ..< classes {
                let mass = spread[k] + (k == label ? labelMass : 0)
                sum -= mass * (values[k] - top - logTotal)
                gradient[row * classes + k] = Float((spreadSum + labelMass) * exps[k] / total - mass)
            }
        }
        return (sum * totalWeight, totalWeight, Tensor(shape: logits.shape, scalars: gradient))
    }
}
