import Foundation

/// A log-scaled mel spectrogram of fixed size, flattened band by band: the input of convolutional
/// networks, which see it as a one-channel image [1, bands, frames] (H = frequency, W = time).
///
/// A clip longer than `frames` frames is cut to its middle; a shorter one is padded with silence at
/// its end, so every clip gives the same shape.
public struct LogMelPatch: FeatureSet {
    /// How mel power becomes the network's input.
    public enum Compression: Sendable, Equatable {
        /// `librosa.power_to_db(S, ref=1.0, top_db=80)`.
        case decibels
        /// log10(1 + scale · S), as musicnn's front end.
        case log10(scale: Float)
    }

    public let name: String
    public let sampleRate: Int
    public let stft: STFTSettings
    public let bands: Int
    public let frames: Int
    public let compression: Compression
    public let columns: [String]
    private let plan: STFT
    private let bank: MelFilterBank

    public init(name: String, sampleRate: Int, stft: STFTSettings, bands: Int, frames: Int,
                compression: Compression) throws(SpectralError) {
        guard frames >= 1 else { throw .parameterOutOfRange(name: "frames", value: "\(frames)", valid: "at least 1") }
        self.name = name
        self.sampleRate = sampleRate
        self.stft = stft
        self.bands = bands
        self.frames = frames
        self.compression = compression
        columns = (0 ..< bands).flatMap { band in (0 ..< frames).map { "mel\(band)_t\($0)" } }
        plan = try STFT(stft)
        bank = try MelFilterBank(sampleRate: sampleRate, nFFT: stft.nFFT,
                                 settings: MelSettings(nMels: bands))
    }

    /// 3 s at librosa's defaults (22050 Hz, nFFT 2048, hop 512, 128 Slaney mels) in decibels: the
    /// 128 x 130 patches of the small CNNs trained on GTZAN.
    public static let logmel128 = fixed {
        try LogMelPatch(name: "logmel128", sampleRate: 22050, stft: STFTSettings(), bands: 128, frames: 130,
                        compression: .decibels)
    }

    /// Choi et al.'s input (12 kHz, nFFT 512, hop 256, 96 Slaney mels, decibels) over 3 s: the 96 x 141
    /// patches of `fcn5`, `crnn`, `temporal-cnn` and `cnn-lstm`. (Choi took 29.1 s, 1366 frames; 3 s
    /// windows combined per song keep training on a small CPU in minutes.)
    public static let logmel96 = fixed {
        try LogMelPatch(name: "logmel96", sampleRate: 12000, stft: STFTSettings(nFFT: 512, hopLength: 256), bands: 96,
                        frames: 141, compression: .decibels)
    }

    private static func fixed(_ make: () throws -> LogMelPatch) -> LogMelPatch {
        do { return try make() } catch { preconditionFailure("a built-in log-mel patch was rejected: \(error)") }
    }

    public var shape: [Int] { [1, bands, frames] }

    public var minimumSamples: Int { stft.nFFT }

    /// Samples that make exactly `frames` centred frames.
    var patchSamples: Int { (frames - 1) * stft.hopLength }

    public func extract(_ samples: [Float]) throws -> [Double] {
        try patch(samples).map(Double.init)
    }

    /// The patch as Float, band by band (`frames` values per band).
    public func patch(_ samples: [Float]) throws -> [Float] {
        guard samples.count >= minimumSamples else {
            throw FeatureError.tooShort(samples: samples.count, minimum: minimumSamples, sampleRate: sampleRate)
        }
        let needed = patchSamples
        let excess = samples.count - needed
        let fitted = excess >= 0
            ? Array(samples[excess / 2 ..< excess / 2 + needed])
            : samples + [Float](repeating: 0, count: -excess)
        let mel = try bank.apply(try plan.magnitude(fitted, power: 2))
        let values: [Float] = switch compression {
        case .decibels: try Decibels.power(mel).values
        case .log10(let scale): mel.values.map { log10(1 + scale * $0) }
        }
        if values.contains(where: { !$0.isFinite }) { throw FeatureError.notFinite(column: name) }
        return values
    }
}
