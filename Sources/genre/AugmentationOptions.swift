import ArgumentParser
import Foundation
import GenreKit

/// Augmentation of the training data, shared by `train` and `evaluate`. Audio-level kinds add rows
/// made from a training track's audio; batch-level kinds change a network's training batches. Scored
/// rows are never augmented.
struct AugmentationOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case hop, stretch, pitch, gain, noise, masks, mixup

        static var allValueDescriptions: [String: String] {
            [
                "hop": "extra windows starting every --window-hop seconds, between the regular ones",
                "stretch": "a copy per --stretch-rates rate, as librosa.effects.time_stretch",
                "pitch": "a copy per --pitch-steps shift, as librosa.effects.pitch_shift",
                "gain": "a copy louder or quieter by a gain drawn in ±--gain-db",
                "noise": "a copy with white noise at an SNR drawn in --noise-snr",
                "masks": "networks on log-mel patches: SpecAugment time and frequency masks on each training batch",
                "mixup": "networks: mixup of each training batch with a shuffled copy of itself",
            ]
        }

        var isAudioLevel: Bool { ![.masks, .mixup].contains(self) }
    }

    @Option(name: .customLong("augment"), help: ArgumentHelp(
        "Augment the training data this way (repeat for several). Scored tracks are never augmented.", valueName: "kind"))
    var kinds: [Kind] = []

    @Option(help: ArgumentHelp("hop: seconds between the starts of training windows, less than the window (default: half of it).",
                               valueName: "seconds"))
    var windowHop: Double?

    @Option(help: ArgumentHelp("stretch: comma-separated rates in 0.5...2, > 1 faster (default: \(Self.defaultStretchRates)).",
                               valueName: "rates"))
    var stretchRates: String?

    @Option(help: ArgumentHelp("pitch: comma-separated shifts in semitones, in -12...12 (default: \(Self.defaultPitchSteps)).",
                               valueName: "steps"))
    var pitchSteps: String?

    @Option(help: ArgumentHelp("gain: the largest gain in dB either way, 0...24 (default: \(Self.defaultGain)).", valueName: "dB"))
    var gainDB: Double?

    @Option(help: ArgumentHelp("noise: the signal-to-noise ratios in dB drawn from, LOW,HIGH within 0...60 (default: \(Self.defaultSNR)).",
                               valueName: "low,high"))
    var noiseSNR: String?

    @Option(help: "masks: time masks per example, 1...10 (default: \(Self.defaultMasks)).")
    var timeMasks: Int?

    @Option(help: "masks: the widest time mask in frames, 1...100 (default: \(Self.defaultTimeWidth), about 0.5 s).")
    var timeMaskFrames: Int?

    @Option(help: "masks: frequency masks per example, 1...10 (default: \(Self.defaultMasks)).")
    var frequencyMasks: Int?

    @Option(help: "masks: the widest frequency mask in bands, 1...64 (default: \(Self.defaultFrequencyWidth)).")
    var frequencyMaskBands: Int?

    @Option(help: "mixup: α of the Beta(α, α) the mixing weight is drawn from, in (0, 10] (default: \(Self.defaultAlpha)).")
    var mixupAlpha: Double?

    static let defaultStretchRates = "0.9,1.1", defaultPitchSteps = "-2,2", defaultGain = 6.0, defaultSNR = "20,40"
    static let defaultMasks = 2, defaultTimeWidth = 20, defaultFrequencyWidth = 12, defaultAlpha = 0.2

    var isEmpty: Bool { kinds.isEmpty }
    var isAudioLevel: Bool { kinds.contains(where: \.isAudioLevel) }

    func validate() throws {
        if let twice = kinds.first(where: { kind in kinds.filter { $0 == kind }.count > 1 }) {
            throw ValidationError("--augment \(twice.rawValue) is given twice; name each kind once")
        }
        let settings: [(String, Bool, Kind)] = [
            ("--window-hop", windowHop != nil, .hop), ("--stretch-rates", stretchRates != nil, .stretch),
            ("--pitch-steps", pitchSteps != nil, .pitch), ("--gain-db", gainDB != nil, .gain), ("--noise-snr", noiseSNR != nil, .noise),
            ("--time-masks", timeMasks != nil, .masks), ("--time-mask-frames", timeMaskFrames != nil, .masks),
            ("--frequency-masks", frequencyMasks != nil, .masks), ("--frequency-mask-bands", frequencyMaskBands != nil, .masks),
            ("--mixup-alpha", mixupAlpha != nil, .mixup),
        ]
        if case let (option, _, kind)? = settings.first(where: { $0.1 && !kinds.contains($0.2) }) {
            throw ValidationError("\(option) sets --augment \(kind.rawValue), which is not asked for; add --augment \(kind.rawValue) or leave \(option) out")
        }
        for (option, value, range) in [("--time-masks", timeMasks, 1 ... 10), ("--time-mask-frames", timeMaskFrames, 1 ... 100),
                                       ("--frequency-masks", frequencyMasks, 1 ... 10), ("--frequency-mask-bands", frequencyMaskBands, 1 ... 64)] {
            if let value, !range.contains(value) { throw ValidationError("\(option) must lie in \(range), got \(value)") }
        }
        if let mixupAlpha, !(mixupAlpha > 0 && mixupAlpha <= 10) { throw ValidationError("--mixup-alpha must lie in (0, 10], got \(mixupAlpha)") }
        _ = try audio(seed: 0)
    }

    /// Refuses kinds that cannot apply: audio-level ones to a feature table or (hop) without
    /// windows, batch-level ones to models that are not networks (masks: on log-mel patches).
    func checkApplies(to models: [ModelKind], data: DataOptions) throws {
        if isAudioLevel, data.kind == .featureTable {
            let kind = kinds.first(where: \.isAudioLevel)!
            throw ValidationError("--augment \(kind.rawValue) makes rows from audio, and \(data.data) is a feature table")
        }
        if kinds.contains(.hop) {
            guard let seconds = data.features.segmentSeconds(for: models) else {
                throw ValidationError("--augment hop adds windows, and without --segment-seconds every track is one row")
            }
            if let windowHop, windowHop >= seconds {
                throw ValidationError("--window-hop must be less than the \(seconds) s window, got \(windowHop)")
            }
        }
        for kind in kinds where !kind.isAudioLevel {
            if let model = models.first(where: { $0.architecture == nil || (kind == .masks && $0.architecture?.inputSet == nil) }) {
                let networks = NetworkArchitecture.allCases.filter { kind == .mixup || $0.inputSet != nil }.map(\.rawValue)
                throw ValidationError("--augment \(kind.rawValue) applies to --model \(networks.joined(separator: ", ")), not \(model.rawValue)")
            }
        }
    }

    /// The audio-level augmentation asked for; nil when none is. `windowSeconds` sets the default hop.
    func audio(seed: UInt64, windowSeconds: Double? = nil) throws -> AudioAugmentation? {
        guard isAudioLevel else { return nil }
        do {
            return try AudioAugmentation(
                windowHopSeconds: kinds.contains(.hop) ? windowHop ?? windowSeconds.map { $0 / 2 } ?? 1 : nil,
                stretchRates: kinds.contains(.stretch) ? try Self.numbers(stretchRates ?? Self.defaultStretchRates, option: "--stretch-rates") : [],
                pitchSteps: kinds.contains(.pitch) ? try Self.numbers(pitchSteps ?? Self.defaultPitchSteps, option: "--pitch-steps") : [],
                gainDecibels: kinds.contains(.gain) ? gainDB ?? Self.defaultGain : nil,
                noiseSNR: kinds.contains(.noise) ? try snrRange() : nil, seed: seed)
        } catch let error as AugmentationError {
            throw ValidationError("\(error)")
        }
    }

    /// The batch-level augmentation asked for; nil when none is.
    func batch() throws -> BatchAugmentation? {
        guard kinds.contains(.masks) || kinds.contains(.mixup) else { return nil }
        let masks = kinds.contains(.masks)
        return try BatchAugmentation(
            timeMasks: masks ? .init(count: timeMasks ?? Self.defaultMasks, maxWidth: timeMaskFrames ?? Self.defaultTimeWidth) : nil,
            frequencyMasks: masks ? .init(count: frequencyMasks ?? Self.defaultMasks,
                                          maxWidth: frequencyMaskBands ?? Self.defaultFrequencyWidth) : nil,
            mixupAlpha: kinds.contains(.mixup) ? mixupAlpha ?? Self.defaultAlpha : nil)
    }

    private func snrRange() throws -> ClosedRange<Double> {
        let bounds = try Self.numbers(noiseSNR ?? Self.defaultSNR, option: "--noise-snr")
        guard bounds.count == 2, bounds[0] <= bounds[1] else {
            throw ValidationError("--noise-snr takes LOW,HIGH with LOW at most HIGH, got \(noiseSNR ?? "")")
        }
        return bounds[0] ... bounds[1]
    }

    private static func numbers(_ text: String, option: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap(Double.init)
        guard values.count == parts.count, !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw ValidationError("\(option) takes comma-separated numbers, got '\(text)'")
        }
        return values
    }
}
