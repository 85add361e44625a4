import Foundation
import GenreAudio
import GenreFeatures
import GenreSupport

/// Extra training rows made from a track's audio: windows between its regular ones, and copies of
/// it stretched in time, shifted in pitch, louder or quieter, or with noise added, each cut into the
/// regular windows. The rows belong to their track (`FeatureDataset.isAugmented`), so a protocol
/// trains on them with it and never scores them. Each track's draws come from its id and `seed`
/// alone, so a run gives the same rows whatever the order or parallelism.
public struct AudioAugmentation: Sendable, Hashable, Codable {
    /// Start of the extra windows, in seconds: the windows `Segmenter(hopSeconds:)` gives that are not
    /// regular ones. nil for none.
    public var windowHopSeconds: Double?
    /// One copy per rate, as `librosa.effects.time_stretch` (> 1 is faster).
    public var stretchRates: [Double]
    /// One copy per shift in semitones, as `librosa.effects.pitch_shift`.
    public var pitchSteps: [Double]
    /// One copy scaled by a gain drawn uniformly in ± this many dB; nil for none.
    public var gainDecibels: Double?
    /// One copy with white Gaussian noise at a signal-to-noise ratio drawn uniformly in this range
    /// (dB, against the track's RMS); nil for none.
    public var noiseSNR: ClosedRange<Double>?
    public var seed: UInt64

    public init(windowHopSeconds: Double? = nil, stretchRates: [Double] = [], pitchSteps: [Double] = [],
                gainDecibels: Double? = nil, noiseSNR: ClosedRange<Double>? = nil, seed: UInt64 = 0) throws(AugmentationError) {
        if let hop = windowHopSeconds, !(hop.isFinite && hop > 0) { throw .outOfRange("window hop", "\(hop) s", Self.hopRange) }
        if let rate = stretchRates.first(where: { !Self.stretchRange.contains($0) }) { throw .outOfRange("stretch rate", "\(rate)", "0.5...2") }
        if let steps = pitchSteps.first(where: { !Self.pitchRange.contains($0) || $0 == 0 }) {
            throw .outOfRange("pitch shift", "\(steps) semitones", "-12...12 without 0")
        }
        if let gain = gainDecibels, !Self.gainRange.contains(gain) { throw .outOfRange("gain", "±\(gain) dB", "0...24 dB") }
        if let snr = noiseSNR, !(Self.snrRange.contains(snr.lowerBound) && Self.snrRange.contains(snr.upperBound)) {
            throw .outOfRange("noise SNR", "\(snr.lowerBound)...\(snr.upperBound) dB", "within 0...60 dB")
        }
        self.windowHopSeconds = windowHopSeconds
        self.stretchRates = stretchRates
        self.pitchSteps = pitchSteps
        self.gainDecibels = gainDecibels
        self.noiseSNR = noiseSNR
        self.seed = seed
    }

    static let hopRange = "more than 0 and less than the window", stretchRange = 0.5 ... 2.0, pitchRange = -12.0 ... 12.0
    static let gainRange = 0.0 ... 24.0, snrRange = 0.0 ... 60.0

    /// Whether it changes the audio (rather than only adding windows).
    var makesCopies: Bool { !stretchRates.isEmpty || !pitchSteps.isEmpty || gainDecibels != nil || noiseSNR != nil }

    /// The augmented copies of `samples` (a track at `sampleRate`), in a fixed order: stretches,
    /// pitch shifts, gain, noise; `trackID` seeds the gain and noise draws.
    public func copies(of samples: [Float], sampleRate: Int, trackID: String) throws -> [[Float]] {
        var generator = SeededGenerator(seed: itemSeed(trackID, seed: seed))
        var copies: [[Float]] = []
        if !stretchRates.isEmpty || !pitchSteps.isEmpty {
            let stft = try STFT()
            copies += try stretchRates.map { try TimeStretch.stretch(samples, rate: $0, stft: stft) }
            copies += try pitchSteps.map { try Self.pitchShift(samples, sampleRate: sampleRate, semitones: $0, stft: stft) }
        }
        if let gainDecibels {
            let gain = Float(pow(10, generator.uniform(in: -gainDecibels ... gainDecibels) / 20))
            copies.append(samples.map { $0 * gain })
        }
        if let noiseSNR {
            let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
            let deviation = (power / pow(10, generator.uniform(in: noiseSNR) / 10)).squareRoot()
            copies.append(samples.map { $0 + Float(deviation * generator.normal()) })
        }
        return copies
    }

    /// `librosa.effects.pitch_shift(y, sr=sampleRate, n_steps=semitones)`: stretched by
    /// 2^(-semitones / 12), then resampled from sampleRate / rate to sampleRate with libsoxr HQ
    /// (librosa's `soxr_hq`) to ceil(count / rate) samples, then cut or padded to the input's length.
    public static func pitchShift(_ samples: [Float], sampleRate: Int, semitones: Double, stft: STFT) throws -> [Float] {
        let rate = pow(2, -semitones / 12)
        let stretched = try TimeStretch.stretch(samples, rate: rate, stft: stft)
        let resampled = try Resampling.resample(stretched, from: Double(sampleRate) / rate, to: Double(sampleRate))
        let expected = Int((Double(stretched.count) * rate).rounded(.up))
        return fixedLength(fixedLength(resampled, expected), samples.count)
    }

    private static func fixedLength(_ samples: [Float], _ count: Int) -> [Float] {
        samples.count >= count ? Array(samples.prefix(count)) : samples + [Float](repeating: 0, count: count - samples.count)
    }
}

/// An augmentation setting outside its range.
public enum AugmentationError: Error, CustomStringConvertible, Equatable {
    case outOfRange(String, String, String)

    public var description: String {
        switch self {
        case .outOfRange(let what, let value, let valid): "the \(what) is \(value) but must be \(valid)"
        }
    }
}

extension FeatureExtractor {
    /// The feature rows of the augmented copies of the file at `path` (in the extractor's windows, or
    /// one row per copy without them) and of the extra hop windows. Decodes the file whole.
    func augmentedRows(for path: String, by augmentation: AudioAugmentation, trackID: String) throws -> [[Double]] {
        guard augmentation.makesCopies || augmentation.windowHopSeconds != nil else { return [] }
        let audio = try decoder.decode(path)
        var rows: [[Double]] = []
        if let hop = augmentation.windowHopSeconds, let segmenter {
            let regular = Set(segmenter.ranges(sampleCount: audio.samples.count, sampleRate: audio.sampleRate))
            let extra = try Segmenter(segmentSeconds: segmenter.segmentSeconds, hopSeconds: hop)
                .ranges(sampleCount: audio.samples.count, sampleRate: audio.sampleRate).filter { !regular.contains($0) }
            rows += try featureSet.extract(clips: extra.map { Array(audio.samples[$0]) })
        }
        for copy in try augmentation.copies(of: audio.samples, sampleRate: audio.sampleRate, trackID: trackID) {
            guard let segmenter else {
                rows.append(try featureSet.extract(copy))
                continue
            }
            rows += try featureSet.extract(clips: segmenter.ranges(sampleCount: copy.count, sampleRate: audio.sampleRate).map { Array(copy[$0]) })
        }
        return rows
    }
}
