import Foundation
import GenreML

/// What `genre tune` tries for each searched hyper-parameter: listed values, or a range drawn from
/// at random (uniformly, or log-uniformly for rates and penalties) or cut into `steps` grid points.
public struct SearchSpace: Sendable {
    public enum Values: Sendable, Equatable {
        case list([ParameterValue])
        case range(ClosedRange<Double>, log: Bool, steps: Int)
    }

    public let kind: ModelKind
    /// Searched parameters in the kind's order.
    public let parameters: [(parameter: HyperParameter, values: Values)]

    /// The kind's own space: each parameter's `searched` values.
    public init(defaultFor kind: ModelKind) {
        self.kind = kind
        parameters = kind.hyperParameters.filter { $0.searched.count > 1 }.map { ($0, .list($0.searched)) }
    }

    /// A space file: a JSON object from parameter names to a list of values (`[0.1, 1, 10]`,
    /// `["scale", 0.01]`) or a range (`{"min": 1e-3, "max": 10, "log": true, "steps": 5}`).
    /// Unknown names and values the parameter cannot take are refused, naming them.
    public init(kind: ModelKind, file path: String) throws(TuningError) {
        let malformed = { (reason: String) in TuningError.malformedSpace(path: path, reason: reason) }
        let object: [String: Any]
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw malformed("it must be a JSON object from parameter names to values")
            }
            object = parsed
        } catch let error as TuningError { throw error } catch {
            throw malformed((error as NSError).localizedDescription)
        }
        guard !object.isEmpty else { throw malformed("it names no parameter") }
        for name in object.keys.sorted() where !kind.hyperParameters.contains(where: { $0.name == name }) {
            throw .unknownParameter(name, kind: kind.rawValue, known: kind.hyperParameters.map(\.name))
        }
        self.kind = kind
        var parameters: [(parameter: HyperParameter, values: Values)] = []
        for parameter in kind.hyperParameters {
            if let entry = object[parameter.name] { parameters.append((parameter, try Self.values(entry, of: parameter))) }
        }
        self.parameters = parameters
    }

    private static func values(_ entry: Any, of parameter: HyperParameter) throws(TuningError) -> Values {
        if let list = entry as? [Any] {
            guard !list.isEmpty else { throw .emptyValues(parameter.name) }
            var values: [ParameterValue] = []
            for item in list {
                let value: ParameterValue = if let name = item as? String { .name(name) }
                    else if let number = item as? NSNumber { .number(number.doubleValue) } else { .name("\(item)") }
                try parameter.check(value)
                values.append(value)
            }
            return .list(values)
        }
        guard let range = entry as? [String: Any], let low = (range["min"] as? NSNumber)?.doubleValue,
              let high = (range["max"] as? NSNumber)?.doubleValue else {
            throw .impossibleValue(parameter.name, "\(entry)", takes: "a list of values or {\"min\": ..., \"max\": ...}")
        }
        if let extra = range.keys.sorted().first(where: { !["min", "max", "log", "steps"].contains($0) }) {
            throw .impossibleValue(parameter.name, "a range with \"\(extra)\"", takes: "a range of min, max, log and steps")
        }
        try parameter.check(.number(low))
        try parameter.check(.number(high))
        guard low <= high else { throw .impossibleValue(parameter.name, "from \(low) to \(high)", takes: "a range whose min is at most its max") }
        let log = (range["log"] as? Bool) ?? parameter.logScale
        if log, low <= 0 { throw .impossibleValue(parameter.name, "a log range from \(low)", takes: "a log range above 0") }
        let steps = (range["steps"] as? NSNumber)?.intValue ?? 5
        guard steps >= 1, steps <= 1000 else { throw .impossibleValue(parameter.name, "\(steps) steps", takes: "1 to 1000 steps") }
        return .range(low ... high, log: log, steps: steps)
    }

    /// The grid's points for one parameter: listed values, or `steps` evenly spaced points.
    func gridValues(_ values: Values, of parameter: HyperParameter) -> [ParameterValue] {
        switch values {
        case .list(let list): return list
        case .range(let range, let log, let steps):
            let points = (0 ..< steps).map { step -> Double in
                let t = steps == 1 ? 0.5 : Double(step) / Double(steps - 1)
                return log ? exp(Foundation.log(range.lowerBound) + t * (Foundation.log(range.upperBound) - Foundation.log(range.lowerBound)))
                           : range.lowerBound + t * (range.upperBound - range.lowerBound)
            }
            return unique(points.map { .number(parameter.integer ? $0.rounded() : $0) })
        }
    }

    /// Every combination of the grid's points, the first parameter varying slowest.
    public var grid: [ModelSettings] {
        parameters.reduce([ModelSettings()]) { partial, entry in
            partial.flatMap { settings in
                gridValues(entry.values, of: entry.parameter).map { value in
                    var next = settings
                    next.values[entry.parameter.name] = value
                    return next
                }
            }
        }
    }

    /// One random point of the space.
    func draw(using generator: inout SeededGenerator) -> ModelSettings {
        var settings = ModelSettings()
        for (parameter, values) in parameters {
            switch values {
            case .list(let list): settings.values[parameter.name] = list[Int.random(in: 0 ..< list.count, using: &generator)]
            case .range(let range, let log, _):
                let unit = Double.random(in: 0 ... 1, using: &generator)
                let value = log ? exp(Foundation.log(range.lowerBound) + unit * (Foundation.log(range.upperBound) - Foundation.log(range.lowerBound)))
                                : range.lowerBound + unit * (range.upperBound - range.lowerBound)
                settings.values[parameter.name] = .number(parameter.integer ? value.rounded() : value)
            }
        }
        return settings
    }

    /// Whether every parameter takes listed values only, so the space has `grid.count` points.
    var isFinite: Bool { parameters.allSatisfy { if case .list = $0.values { true } else { false } } }
}

private func unique<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
}

/// How trials are chosen.
public enum SearchStrategy: String, Sendable, CaseIterable, Codable {
    /// Independent random points of the space (distinct ones).
    case random
    /// The grid's points; a seeded random `trials` of them when there are more.
    case grid
}

/// A hyper-parameter search: every trial is scored by cross-validation over the tracks it is given
/// (the caller gives it the training tracks only, so whatever is scored later stays unseen).
public struct Tuning: Sendable {
    public let model: ModelChoice
    public let space: SearchSpace
    public let strategy: SearchStrategy
    /// The most trials; nil runs the whole grid (random search needs it).
    public let trials: Int?
    public let pcaComponents: Int?
    public let aggregation: Aggregation
    public let seed: UInt64

    public init(model: ModelChoice, space: SearchSpace, strategy: SearchStrategy, trials: Int?,
                pcaComponents: Int? = nil, aggregation: Aggregation = .mean, seed: UInt64 = 0) {
        self.model = model
        self.space = space
        self.strategy = strategy
        self.trials = trials
        self.pcaComponents = pcaComponents
        self.aggregation = aggregation
        self.seed = seed
    }

    /// The settings each trial tries, distinct, in the order they run.
    public func candidates() -> [ModelSettings] {
        var generator = SeededGenerator(seed: seed)
        switch strategy {
        case .grid:
            var grid = space.grid
            guard let trials, trials < grid.count else { return grid }
            generator.shuffle(&grid)
            return Array(grid.prefix(trials))
        case .random:
            let wanted = min(trials ?? 20, space.isFinite ? space.grid.count : Int.max)
            var chosen: [ModelSettings] = []
            var seen = Set<ModelSettings>()
            // Bounded: a narrow integer range may hold fewer distinct points than asked for.
            for _ in 0 ..< wanted * 50 where chosen.count < wanted {
                let settings = space.draw(using: &generator)
                if seen.insert(settings).inserted { chosen.append(settings) }
            }
            return chosen
        }
    }

    /// Scores every candidate under `inner` (cross-validation of `data`'s tracks) and ranks them,
    /// best first; `trialEnded` hears of each as it ends.
    public func run(on data: FeatureDataset, inner: EvaluationProtocol, jobs: Int? = nil,
                    trialEnded: (TuningTrial, Int, Int) -> Void = { _, _, _ in }) async throws -> TuningResult {
        let candidates = candidates()
        var trials: [TuningTrial] = []
        for (index, settings) in candidates.enumerated() {
            let start = ContinuousClock.now
            let evaluation = Evaluation(model: model.with(settings), pcaComponents: pcaComponents, aggregation: aggregation, seed: seed)
            let result = try await evaluation.run(on: data, protocol: inner, jobs: jobs)
            let trial = TuningTrial(settings: settings, accuracy: result.crossValidation?.accuracyMean ?? result.report.accuracy,
                                    accuracyStd: result.crossValidation?.accuracyStd ?? 0,
                                    macroF1: result.crossValidation?.macroF1Mean ?? result.report.macro.f1,
                                    seconds: (ContinuousClock.now - start) / .seconds(1))
            trials.append(trial)
            trialEnded(trial, index + 1, candidates.count)
        }
        // Stable: among equal scores the earlier trial stays first.
        let ranked = trials.enumerated().sorted { ($0.element.accuracy, $0.element.macroF1, -$0.offset) > ($1.element.accuracy, $1.element.macroF1, -$1.offset) }
            .map(\.element)
        return TuningResult(model: model.kind, strategy: strategy, protocolSummary: inner.summary, caveat: inner.caveat(for: data), data: data.source,
                            tracks: data.tracks.count, parameters: space.parameters.map(\.parameter.name), trials: ranked)
    }
}

/// One trial's settings and cross-validated scores.
public struct TuningTrial: Sendable, Codable {
    public let settings: ModelSettings
    public let accuracy: Double
    public let accuracyStd: Double
    public let macroF1: Double
    public let seconds: Double

    enum CodingKeys: String, CodingKey {
        case settings, accuracy, accuracyStd = "accuracy_std", macroF1 = "macro_f1", seconds
    }
}

/// The ranked trials of a search, and what they were scored on.
public struct TuningResult: Sendable, Codable {
    public let model: ModelKind
    public let strategy: SearchStrategy
    public let protocolSummary: String
    /// Said under the title when the inner folds may split an artist's tracks: the scores then
    /// run high, and favour settings that memorise recordings.
    public let caveat: String?
    public let data: String
    public let tracks: Int
    public let parameters: [String]
    /// Best first.
    public let trials: [TuningTrial]

    public var best: TuningTrial? { trials.first }

    enum CodingKeys: String, CodingKey {
        case model, strategy, protocolSummary = "protocol", caveat, data, tracks, parameters, trials
    }

    /// Pretty JSON; parameter names stay as they are (`C`, `learning-rate`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The ranking as a table, markdown or aligned text, headed by what was searched and how it was scored.
    public func table(markdown: Bool) -> String {
        let header = ["rank"] + parameters + ["accuracy", "macro F1", "seconds"]
        let rows = trials.enumerated().map { rank, trial in
            ["\(rank + 1)"] + parameters.map { trial.settings.values[$0]?.description ?? "" }
                + [String(format: "%.1f%% ± %.1f", trial.accuracy * 100, trial.accuracyStd * 100),
                   String(format: "%.3f", trial.macroF1), String(format: "%.1f", trial.seconds)]
        }
        let title = "\(model.rawValue): \(trials.count) trials (\(strategy.rawValue) search) on \(tracks) tracks of \(data); \(protocolSummary)"
            + (caveat.map { "\n" + (markdown ? "*caution: \($0)*" : "  caution: \($0)") } ?? "")
        if markdown {
            return title + "\n\n| " + header.joined(separator: " | ") + " |\n|" + String(repeating: " ---: |", count: header.count) + "\n"
                + rows.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line = { (cells: [String]) in zip(cells, widths).map { pad($0, $1, right: true) }.joined(separator: "   ") }
        return ([title, line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
