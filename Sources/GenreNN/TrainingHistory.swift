import Foundation

/// What one epoch of `Trainer.fit` measured. Losses include the parameters' penalties, as Keras reports them.
public struct EpochRecord: Codable, Sendable, Equatable {
    /// 1 for the first epoch.
    public var epoch: Int
    public var trainLoss: Double
    /// Measured on the training batches as they were trained, in training mode (as Keras does).
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Float
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
                validationAccuracy: Double? = nil, learningRate: Float, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// One line for a progress log, e.g.
    /// `epoch 3/20  loss 1.2345  acc 0.5670  val_loss 1.3000  val_acc 0.5000  lr 1e-3  2.1 s`.
    public func progressLine(epochs: Int) -> String {
        var parts = ["epoch \(epoch)/\(epochs)", "loss \(fixed(trainLoss))", "acc \(fixed(trainAccuracy))"]
        if let validationLoss { parts.append("val_loss \(fixed(validationLoss))") }
        if let validationAccuracy { parts.append("val_acc \(fixed(validationAccuracy))") }
        parts += ["lr \(compact(learningRate))", String(format: "%.1f s", seconds)]
        return parts.joined(separator: "  ")
    }

    private func fixed(_ value: Double) -> String { String(format: "%.4f", value) }

    /// 1e-3, 2.5e-4, 0.1 → 1e-1: three significant digits at most, exponent form.
    private func compact(_ rate: Float) -> String {
        guard rate > 0 else { return "0" }
        var exponent = Int(log10(Double(rate)).rounded(.down))
        var mantissa = (Double(rate) / pow(10, Double(exponent)) * 100).rounded() / 100
        if mantissa >= 10 {  // 9.999 rounded up
            mantissa /= 10
            exponent += 1
        }
        let digits = String(format: "%.2f", mantissa).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
        return "\(digits)e\(exponent)"
    }
}

/// A quantity of `EpochRecord` that callbacks watch.
public enum TrainingMetric: String, Codable, Sendable, CaseIterable {
    case trainLoss, trainAccuracy, validationLoss, validationAccuracy

    public var needsValidation: Bool { self == .validationLoss || self == .validationAccuracy }
    public var higherIsBetter: Bool { self == .trainAccuracy || self == .validationAccuracy }

    public func value(in record: EpochRecord) -> Double? {
        switch self {
        case .trainLoss: record.trainLoss
        case .trainAccuracy: record.trainAccuracy
        case .validationLoss: record.validationLoss
        case .validationAccuracy: record.validationAccuracy
        }
    }
}

/// Every epoch `Trainer.fit` ran, and which epoch's weights the model holds at the end (the last
/// one, unless a callback restored earlier ones). JSON through `Codable`.
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var epochs: [EpochRecord]
    public var weightsEpoch: Int

    public init(epochs: [EpochRecord], weightsEpoch: Int) {
        self.epochs = epochs
        self.weightsEpoch = weightsEpoch
    }
}
