import Foundation

extension Frequencies {
    // Slaney's Auditory Toolbox scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
    private static let slaneyHzPerMel = 200.0 / 3
    private static let slaneyLogHz = 1000.0
    private static let slaneyLogMel = (slaneyLogHz - 0) / slaneyHzPerMel
    private static let slaneyLogStep = log(6.4) / 27

    /// Hz to mels (`librosa.hz_to_mel`): Slaney's scale, or HTK's 2595 log10(1 + hz / 700).
    public static func mel(hz: Double, htk: Bool = false) -> Double {
        if htk { return 2595 * log10(1 + hz / 700) }
        return hz >= slaneyLogHz ? slaneyLogMel + log(hz / slaneyLogHz) / slaneyLogStep : (hz - 0) / slaneyHzPerMel
    }

    /// Mels to Hz (`librosa.mel_to_hz`).
    public static func hz(mel: Double, htk: Bool = false) -> Double {
        if htk { return 700 * (pow(10, mel / 2595) - 1) }
        return mel >= slaneyLogMel ? slaneyLogHz * exp(slaneyLogStep * (mel - slaneyLogMel)) : 0 + slaneyHzPerMel * mel
    }

    /// `count` frequencies in Hz evenly spaced in mels from `fmin` to `fmax` inclusive
    /// (`librosa.mel_frequencies`, with numpy's linspace arithmetic).
    public static func mel(count: Int, fmin: Double = 0, fmax: Double = 11025, htk: Bool = false) -> [Double] {
        let low = mel(hz: fmin, htk: htk), high = mel(hz: fmax, htk: htk)
        guard count > 1 else { return count == 1 ? [hz(mel: low, htk: htk)] : [] }
        let step = (high - low) / Double(count - 1)
        return (0..<count).map { hz(mel: $0 == count - 1 ? high : Double($0) * step + low, htk: htk) }
    }
}

/// How each triangular mel filter is scaled.
public enum MelNorm: Sendable, Equatable {
    /// Divided by its width in Hz / 2 so that each band has about the same energy (librosa's default "slaney").
    case slaney
    /// Triangles that peak at 1 (librosa's `norm=None`).
    case peak
}

/// Settings of a mel filter bank; the defaults are librosa's.
public struct MelSettings: Sendable, Equatable {
    public var nMels: Int
    public var fmin: Double
    /// Highest frequency in Hz; nil means half the sample rate.
    public var fmax: Double?
    /// Use the HTK mel formula instead of Slaney's.
    public var htk: Bool
    public var norm: MelNorm

    public init(nMels: Int = 128, fmin: Double = 0, fmax: Double? = nil, htk: Bool = false, norm: MelNorm = .slaney) {
        self.nMels = nMels
        self.fmin = fmin
        self.fmax = fmax
        self.htk = htk
        self.norm = norm
    }
}

/// A mel filter bank (`librosa.filters.mel`): triangular filters over the FFT bins, in float32 as
/// librosa makes them. Applying it is a sparse matrix product that skips each filter's zeros.
public struct MelFilterBank: Sendable {
    public let sampleRate: Int
    public let nFFT: Int
    public let settings: MelSettings
    /// (nMels, 1 + nFFT/2).
    public let weights: Matrix
    /// The bins where each filter is not zero.
    private let supports: [Range<Int>]

    public init(sampleRate: Int = 22050, nFFT: Int = 2048, settings: MelSettings = MelSettings()) throws(SpectralError) {
        let fmax = settings.fmax ?? Double(sampleRate) / 2
        guard sampleRate >= 1 else {
            throw .parameterOutOfRange(name: "sampleRate", value: "\(sampleRate)", valid: "at least 1")
        }
        guard nFFT >= 1 else { throw .parameterOutOfRange(name: "nFFT", value: "\(nFFT)", valid: "at least 1") }
        guard settings.nMels >= 1 else {
            throw .parameterOutOfRange(name: "nMels", value: "\(settings.nMels)", valid: "at least 1")
        }
        guard settings.fmin >= 0, settings.fmin < fmax else {
            throw .parameterOutOfRange(name: "fmin", value: "\(settings.fmin)", valid: "in [0, fmax) = [0, \(fmax))")
        }
        self.sampleRate = sampleRate
        self.nFFT = nFFT
        self.settings = settings

        let bins = nFFT / 2 + 1, bands = settings.nMels
        let fftFrequencies = Frequencies.fft(sampleRate: sampleRate, nFFT: nFFT)
        let edges = Frequencies.mel(count: bands + 2, fmin: settings.fmin, fmax: fmax, htk: settings.htk)
        var weights = Matrix(rows: bands, columns: bins)
        var supports: [Range<Int>] = []
        for band in 0..<bands {
            let lowerWidth = edges[band + 1] - edges[band], upperWidth = edges[band + 2] - edges[band + 1]
            // librosa rounds the triangle to float32 first, then scales it in float64.
            let scale = settings.norm == .slaney ? 2 / (edges[band + 2] - edges[band]) : 1
            for k in 0..<bins {
                let lower = -(edges[band] - fftFrequencies[k]) / lowerWidth
                let upper = (edges[band + 2] - fftFrequencies[k]) / upperWidth
                weights[band, k] = Float(Double(Float(max(0, min(lower, upper)))) * scale)
            }
            let row = weights.row(band)
            let first = row.firstIndex { $0 != 0 }.map { $0 - row.startIndex } ?? 0
            let end = row.lastIndex { $0 != 0 }.map { $0 - row.startIndex + 1 } ?? 0
            supports.append(first ..< max(first, end))
        }
        self.weights = weights
        self.supports = supports
    }

    /// The mel spectrogram (nMels, frames) of a power (or magnitude) spectrogram (1 + nFFT/2, frames).
    public func apply(_ spectrogram: Matrix) throws(SpectralError) -> Matrix {
        guard spectrogram.rows == weights.columns else {
            throw .shapeMismatch("a mel filter bank for nFFT \(nFFT) needs \(weights.columns) bins, not \(spectrogram.rows)")
        }
        let frames = spectrogram.columns
        var result = Matrix(rows: weights.rows, columns: frames)
        result.values.withUnsafeMutableBufferPointer { output in
            spectrogram.values.withUnsafeBufferPointer { input in
                for (band, support) in supports.enumerated() {
                    let target = output.baseAddress! + band * frames
                    for k in support {
                        let weight = weights.values[band * weights.columns + k]
                        let source = input.baseAddress! + k * frames
                        for t in 0..<frames { target[t] += weight * source[t] }
                    }
                }
            }
        }
        return result
    }

    /// `librosa.feature.melspectrogram` of a signal: |STFT| ** power through the filter bank.
    public static func spectrogram(
        of signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings(), power: Float = 2,
        settings: MelSettings = MelSettings()
    ) throws(SpectralError) -> Matrix {
        let bank = try MelFilterBank(sampleRate: sampleRate, nFFT: stft.nFFT, settings: settings)
        return try bank.apply(try STFT(stft).magnitude(signal, power: power))
    }
}
