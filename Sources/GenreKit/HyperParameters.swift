import Foundation
import GenreML

/// A value of a hyper-parameter: a number, or one of its named settings (`scale`, `none`, `distance`).
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case number(Double)
    case name(String)

    public var description: String {
        switch self {
        case .number(let value): value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : String(format: "%g", value)
        case .name(let name): name
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .name(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .name(let name): try container.encode(name)
        }
    }
}

/// A hyper-parameter of a model kind that `genre tune` searches and `ModelChoice` sets, by the name
/// space files use.
public struct HyperParameter: Sendable {
    public let name: String
    /// The numbers it may take; nil when it takes named values only.
    public let range: ClosedRange<Double>?
    public let integer: Bool
    /// Whether its numbers are searched on a log scale (rates, penalties).
    public let logScale: Bool
    /// Named values it may take besides numbers.
    public let names: [String]
    /// The value the kind has when the parameter is not set (its library's default).
    public let defaultValue: ParameterValue
    /// What a search tries when no space file is given.
    public let searched: [ParameterValue]
    public let help: String

    static func real(_ name: String, _ range: ClosedRange<Double>, log: Bool = false, names: [String] = [],
                     default value: ParameterValue, searched: [ParameterValue], _ help: String) -> HyperParameter {
        HyperParameter(name: name, range: range, integer: false, logScale: log, names: names, defaultValue: value,
                       searched: searched, help: help)
    }

    static func integer(_ name: String, _ range: ClosedRange<Double>, names: [String] = [],
                        default value: ParameterValue, searched: [ParameterValue], _ help: String) -> HyperParameter {
        HyperParameter(name: name, range: range, integer: true, logScale: false, names: names, defaultValue: value,
                       searched: searched, help: help)
    }

    static func choice(_ name: String, _ names: [String], _ help: String) -> HyperParameter {
        HyperParameter(name: name, range: nil, integer: false, logScale: false, names: names,
                       defaultValue: .name(names[0]), searched: names.map { .name($0) }, help: help)
    }

    /// Refuses a value the parameter cannot take, saying what it takes.
    public func check(_ value: ParameterValue) throws(TuningError) {
        switch value {
        case .number(let number):
            guard let range, number.isFinite, range.contains(number), !integer || number == number.rounded() else {
                throw .impossibleValue(name, value.description, takes: takes)
            }
        case .name(let name):
            guard names.contains(name) else { throw .impossibleValue(self.name, name, takes: takes) }
        }
    }

    /// What the parameter takes, in words.
    public var takes: String {
        let numbers = range.map { range in
            "\(integer ? "a whole number" : "a number") from \(ParameterValue.number(range.lowerBound)) to \(ParameterValue.number(range.upperBound))"
        }
        return ([numbers].compactMap { $0 } + names.map { "\"\($0)\"" }).joined(separator: " or ")
    }
}

/// Values chosen for some of a kind's hyper-parameters; the others keep their defaults.
public struct ModelSettings: Sendable, Hashable, Codable {
    public var values: [String: ParameterValue]

    public init(_ values: [String: ParameterValue] = [:]) { self.values = values }

    /// Saved as the plain object of names to values.
    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ParameterValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// The settings as `name=value` pairs in name order, for tables and logs.
    public var description: String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }

    func value(_ name: String, of kind: ModelKind) -> ParameterValue {
        values[name] ?? kind.hyperParameters.first { $0.name == name }!.defaultValue
    }

    /// The parameter's number; nil when its value is a name (`scale`, `none`, `uniform`).
    func number(_ name: String, of kind: ModelKind) -> Double? {
        if case .number(let number) = value(name, of: kind) { number } else { nil }
    }
}

extension ModelKind {
    /// The hyper-parameters `ModelChoice` sets and `genre tune` searches, with scikit-learn's,
    /// xgboost's or the network's own defaults.
    public var hyperParameters: [HyperParameter] {
        switch self {
        case .naiveBayes:
            [.real("var-smoothing", 1e-15 ... 1, log: true, default: .number(1e-9), searched: [1e-11, 1e-9, 1e-7, 1e-5].map(ParameterValue.number),
                   "share of the largest variance added to every variance")]
        case .knn:
            [.integer("k", 1 ... 1000, default: .number(5), searched: [1, 3, 5, 9, 15, 25].map(ParameterValue.number), "neighbours that vote"),
             .choice("weights", ["uniform", "distance"], "how the neighbours' votes count")]
        case .logistic:
            [.real("C", 1e-6 ... 1e6, log: true, default: .number(1), searched: [0.01, 0.1, 1, 10, 100].map(ParameterValue.number),
                   "inverse of the L2 penalty's strength")]
        case .linearSVM:
            [.real("alpha", 1e-8 ... 1, log: true, default: .number(1e-4), searched: [1e-5, 1e-4, 1e-3, 1e-2].map(ParameterValue.number),
                   "the L2 penalty's strength")]
        case .rbfSVM:
            [.real("C", 1e-4 ... 1e6, log: true, default: .number(1), searched: [0.1, 1, 10, 100].map(ParameterValue.number),
                   "the penalty for rows on the wrong side of the margin"),
             .real("gamma", 1e-7 ... 100, log: true, names: ["scale"], default: .name("scale"),
                   searched: [.name("scale"), .number(1e-3), .number(1e-2), .number(1e-1)],
                   "the kernel's width, or \"scale\": 1 / (features x variance)")]
        case .tree:
            [.integer("max-depth", 1 ... 1000, names: ["none"], default: .name("none"),
                      searched: [.number(3), .number(5), .number(10), .number(20), .name("none")], "the deepest a tree grows"),
             .integer("min-samples-leaf", 1 ... 100_000, default: .number(1), searched: [1, 2, 5, 10].map(ParameterValue.number),
                      "the fewest rows a leaf keeps")]
        case .forest:
            [.integer("trees", 1 ... 5000, default: .number(100), searched: [50, 100, 300].map(ParameterValue.number), "trees in the forest"),
             .integer("max-depth", 1 ... 1000, names: ["none"], default: .name("none"),
                      searched: [.number(10), .number(20), .name("none")], "the deepest a tree grows"),
             .integer("min-samples-leaf", 1 ... 100_000, default: .number(1), searched: [1, 2, 5].map(ParameterValue.number),
                      "the fewest rows a leaf keeps")]
        case .xgboost:
            [.integer("rounds", 1 ... 10_000, default: .number(100), searched: [50, 100, 300].map(ParameterValue.number), "boosting rounds"),
             .integer("max-depth", 1 ... 30, default: .number(6), searched: [3, 6, 9].map(ParameterValue.number), "the deepest a tree grows"),
             .real("learning-rate", 1e-4 ... 1, log: true, default: .number(0.3), searched: [0.05, 0.1, 0.3].map(ParameterValue.number),
                   "shrinkage of each round"),
             .real("subsample", 0.05 ... 1, default: .number(1), searched: [0.7, 1].map(ParameterValue.number),
                   "share of rows each tree sees")]
        case .mlp, .edgeCNN, .fcn5, .crnn, .temporalCNN, .cnnLSTM, .mobileNetV2, .efficientNetB0:
            [.real("learning-rate", 1e-6 ... 1, log: true, default: .number(Double(architecture!.defaultTraining.learningRate)),
                   searched: [3e-4, 1e-3, 3e-3].map(ParameterValue.number), "the optimizer's starting learning rate"),
             .real("dropout", 0 ... 0.95, default: .number(Double(architecture!.defaultDropout)),
                   searched: [0, 0.2, 0.5].map(ParameterValue.number), "the rate of the network's dropout layers"),
             .integer("epochs", 1 ... 10_000, default: .number(Double(architecture!.defaultTraining.epochs)),
                      searched: [.number(Double(architecture!.defaultTraining.epochs))], "the most passes over the training rows"),
             .integer("batch-size", 1 ... 4096, default: .number(Double(architecture!.defaultTraining.batchSize)),
                      searched: [16, 32, 64].map(ParameterValue.number), "rows per training step"),
             .choice("optimizer", OptimizerKind.allCases.map(\.rawValue), "the optimizer (each with its own weight decay)")]
        case .musicnnFineTune:
            [.integer("frozen-blocks", 0 ... Double(FineTuning.blocks.count), default: .number(Double(FineTuning().frozenBlocks)),
                      searched: [0, 1, 2].map(ParameterValue.number), "musicnn's blocks kept as pre-trained, from the input"),
             .real("pretrained-rate", 0 ... 1, default: .number(Double(FineTuning().pretrainedRateScale)),
                   searched: [0.01, 0.1, 1].map(ParameterValue.number), "the pre-trained layers' learning rate, as a share of the new layer's"),
             .integer("epochs", 1 ... 1000, default: .number(Double(FineTuning().epochs)),
                      searched: [.number(Double(FineTuning().epochs))], "passes over the training rows")]
        }
    }

    /// Refuses settings naming a parameter the kind does not have, or a value it cannot take.
    public func check(_ settings: ModelSettings) throws(TuningError) {
        for name in settings.values.keys.sorted() {
            guard let parameter = hyperParameters.first(where: { $0.name == name }) else {
                throw .unknownParameter(name, kind: rawValue, known: hyperParameters.map(\.name))
            }
            try parameter.check(settings.values[name]!)
        }
    }
}

/// Why hyper-parameters or a search space cannot be used.
public enum TuningError: Error, Equatable, CustomStringConvertible {
    case unknownParameter(String, kind: String, known: [String])
    case impossibleValue(String, String, takes: String)
    case malformedSpace(path: String, reason: String)
    case emptyValues(String)

    public var description: String {
        switch self {
        case .unknownParameter(let name, let kind, let known):
            "\(kind) has no hyper-parameter \"\(name)\"; it has \(known.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .impossibleValue(let name, let value, let takes):
            "\"\(name)\" cannot be \(value): it takes \(takes)"
        case .malformedSpace(let path, let reason):
            "\(path) is not a search space: \(reason)"
        case .emptyValues(let name):
            "\"\(name)\" lists no values to try"
        }
    }
}
