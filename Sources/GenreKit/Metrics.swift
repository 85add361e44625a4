import Foundation

/// Accuracy, per-class precision/recall/F1/support, their macro and weighted means and the
/// confusion matrix of one set of predictions, read like scikit-learn's `classification_report`.
public struct ClassificationReport: Sendable, Codable, Equatable {
    public struct ClassScores: Sendable, Codable, Equatable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        public let support: Int
    }

    public let classes: [String]
    public let accuracy: Double
    public let perClass: [ClassScores]
    public let macro: ClassScores
    public let weighted: ClassScores
    /// `confusion[truth][predicted]` counts.
    public let confusion: [[Int]]

    /// Scores `predicted` against `truth` (class numbers into `classes`). A class never predicted
    /// has precision 0, one never present recall 0, as scikit-learn's `zero_division=0`.
    public init(truth: [Int], predicted: [Int], classes: [String]) {
        precondition(truth.count == predicted.count && !truth.isEmpty)
        let k = classes.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
        let perClass = (0 ..< k).map { c -> ClassScores in
            let hits = Double(confusion[c][c])
            let predictedCount = Double((0 ..< k).map { confusion[$0][c] }.reduce(0, +))
            let support = confusion[c].reduce(0, +)
            let precision = predictedCount > 0 ? hits / predictedCount : 0
            let recall = support > 0 ? hits / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScores(precision: precision, recall: recall, f1: f1, support: support)
        }
        let total = truth.count
        func mean(_ weights: [Double]) -> ClassScores {
            let sum = weights.reduce(0, +)
            func average(_ value: KeyPath<ClassScores, Double>) -> Double {
                sum > 0 ? zip(perClass, weights).map { $0[keyPath: value] * $1 }.reduce(0, +) / sum : 0
            }
            return ClassScores(precision: average(\.precision), recall: average(\.recall), f1: average(\.f1), support: total)
        }
        self.classes = classes
        self.accuracy = Double((0 ..< k).map { confusion[$0][$0] }.reduce(0, +)) / Double(total)
        self.perClass = perClass
        // Over every class of the model, as scikit-learn's with `labels` naming them all.
        self.macro = mean([Double](repeating: 1, count: k))
        self.weighted = mean(perClass.map { Double($0.support) })
        self.confusion = confusion
    }

    /// A saved report (a bundle's) has one score and one confusion row and column per class.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        classes = try container.decode([String].self, forKey: .classes)
        accuracy = try container.decode(Double.self, forKey: .accuracy)
        perClass = try container.decode([ClassScores].self, forKey: .perClass)
        macro = try container.decode(ClassScores.self, forKey: .macro)
        weighted = try container.decode(ClassScores.self, forKey: .weighted)
        confusion = try container.decode([[Int]].self, forKey: .confusion)
        let k = classes.count
        guard perClass.count == k, confusion.count == k, confusion.allSatisfy({ $0.count == k && $0.allSatisfy { $0 >= 0 } }) else {
            throw DecodingError.dataCorruptedError(forKey: .confusion, in: container,
                                                   debugDescription: "the scores and confusion matrix are not those of \(k) classes")
        }
    }

    /// The report as text, laid out exactly as scikit-learn's `classification_report` prints it.
    public func text(digits: Int = 3) -> String {
        let width = max(classes.map(\.count).max() ?? 0, "weighted avg".count)
        let number = { (value: Double) in String(format: "%10.\(digits)f", value) }
        let count = { (value: Int) in String(format: "%10d", value) }
        func line(_ name: String, _ s: ClassScores) -> String {
            pad(name, width, right: true) + " " + number(s.precision) + number(s.recall) + number(s.f1) + count(s.support)
        }
        var lines = [pad("", width) + " " + ["precision", "recall", "f1-score", "support"].map { pad($0, 10, right: true) }.joined(), ""]
        lines += zip(classes, perClass).map { line($0, $1) }
        lines.append("")
        lines.append(pad("accuracy", width, right: true) + " " + String(repeating: " ", count: 20) + number(accuracy)
            + count(macro.support))
        lines.append(line("macro avg", macro))
        lines.append(line("weighted avg", weighted))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The confusion matrix as text: rows are the true classes, columns the predicted ones.
    public func confusionText() -> String {
        let width = max(5, classes.map(\.count).max() ?? 0)
        let cell = max(4, classes.map { min($0.count, 5) }.max() ?? 0) + 1
        var lines = [pad("true \\ predicted", width) + classes.map { pad(String($0.prefix(cell - 1)), cell, right: true) }.joined()]
        for (name, row) in zip(classes, confusion) {
            lines.append(pad(name, width) + row.map { pad(String($0), cell, right: true) }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Means and standard deviations of fold scores (population deviation, as numpy's `std`).
public struct CrossValidationSummary: Sendable, Codable, Equatable {
    public let folds: Int
    public let accuracyMean: Double
    public let accuracyStd: Double
    public let macroF1Mean: Double
    public let macroF1Std: Double

    public init(_ reports: [ClassificationReport]) {
        func stats(_ values: [Double]) -> (Double, Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            return (mean, (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot())
        }
        folds = reports.count
        (accuracyMean, accuracyStd) = stats(reports.map(\.accuracy))
        (macroF1Mean, macroF1Std) = stats(reports.map(\.macro.f1))
    }
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}
