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
}

/// Where an epoch of `Trainer.fit` stands: after a training step (`record` nil), or ended and
/// validated (`record` set). Its `line` is Keras' progress line.
public struct EpochProgress: Sendable, Equatable {
    public let epoch: Int, epochs: Int
    /// Training steps (batches) done, of `steps`.
    public let step: Int, steps: Int
    /// The training loss and accuracy of the steps so far.
    public let loss: Double, accuracy: Double
    /// Since the epoch began.
    public let seconds: Double
    public let record: EpochRecord?

    public init(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, seconds: Double,
                record: EpochRecord?) {
        (self.epoch, self.epochs, self.step, self.steps) = (epoch, epochs, step, steps)
        (self.loss, self.accuracy, self.seconds, self.record) = (loss, accuracy, seconds, record)
    }

    /// While the epoch runs, e.g.
    /// `epoch 3/20  12/54 [====>...............] - ETA 6.3 s - loss 1.3000 - acc 0.5500`;
    /// once it has ended,
    /// `epoch 3/20  54/54 [====================] - 8.1 s 150 ms/step - loss 1.2345 - acc 0.5670 - val_loss 1.3000 - val_acc 0.5000 - lr 1e-3`.
    public var line: String {
        let done = steps > 0 ? step * Self.barWidth / steps : Self.barWidth
        let bar = String(repeating: "=", count: done) + (done < Self.barWidth ? ">" + String(repeating: ".", count: Self.barWidth - done - 1) : "")
        var parts = ["epoch \(epoch)/\(epochs)  \(step)/\(steps) [\(bar)]"]
        if let record {
            parts.append(duration(record.seconds) + String(format: " %.0f ms/step", record.seconds * 1000 / Double(max(steps, 1))))
            parts += ["loss \(fixed(record.trainLoss))", "acc \(fixed(record.trainAccuracy))"]
            if let loss = record.validationLoss { parts.append("val_loss \(fixed(loss))") }
            if let accuracy = record.validationAccuracy { parts.append("val_acc \(fixed(accuracy))") }
            parts.append("lr \(compact(record.learningRate))")
        } else {
            parts += ["ETA " + duration(seconds / Double(max(step, 1)) * Double(steps - step)), "loss \(fixed(loss))", "acc \(fixed(accuracy))"]
        }
        return parts.joined(separator: " - ")
    }

    private static let barWidth = 20

    private func duration(_ value: Double) -> String { String(format: "%.1f s", value) }

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
