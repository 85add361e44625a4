/// Training set up or gone wrong: a bad setting of an optimizer, schedule, callback or the trainer,
/// unusable data, or a loss that stopped being a number.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// `owner` (e.g. "SGD") cannot take a setting; `reason` names the valid range.
    case badSetting(String, reason: String)
    case badData(String)
    /// A callback watches a validation metric but `fit` was given no validation data.
    case missingMetric(callback: String, metric: TrainingMetric)
    /// The loss of `epoch` (1-based) became NaN or infinite, in training batch `batch` or in validation (nil).
    case nonFiniteLoss(epoch: Int, batch: Int?, learningRate: Float)

    public var description: String {
        switch self {
        case .badSetting(let owner, let reason): "\(owner): \(reason)"
        case .badData(let reason): "training data: \(reason)"
        case .missingMetric(let callback, let metric):
            "\(callback) monitors \(metric.rawValue), but fit was given no validation data; pass validation data or monitor a training metric"
        case .nonFiniteLoss(let epoch, let batch, let learningRate):
            "the loss became NaN or infinite in epoch \(epoch) (\(batch.map { "batch \($0)" } ?? "validation")) "
                + "at learning rate \(learningRate); lower the learning rate, or check the inputs for NaN or huge values"
        }
    }
}

/// Throws `TrainingError.badSetting` for `owner` unless `condition` holds.
func require(_ condition: Bool, _ owner: String, _ reason: @autoclosure () -> String) throws {
    guard condition else { throw TrainingError.badSetting(owner, reason: reason()) }
}
