import Foundation

/// A bad tempo parameter or onset envelope.
public enum TempoError: Error, CustomStringConvertible, Equatable {
    case winLength(Int)
    case envelopeTooShort(frames: Int, winLength: Int)
    case sampleRate(Int)
    case hopLength(Int)
    case startBPM(Double)
    case stdBPM(Double)
    case acSize(Double, frames: Int)

    public var description: String {
        switch self {
        case .winLength(let length): "win_length \(length) must be a positive integer"
        case let .envelopeTooShort(frames, winLength):
            frames == 0 ? "the onset envelope is empty"
                : "an onset envelope of \(frames) frames is shorter than win_length \(winLength) (use center)"
        case .sampleRate(let rate): "sample rate \(rate) must be a positive number of Hz"
        case .hopLength(let hop): "hop length \(hop) must be a positive integer"
        case .startBPM(let bpm): "start_bpm \(bpm) must be strictly positive"
        case .stdBPM(let std): "std_bpm \(std) must be strictly positive"
        case let .acSize(seconds, frames):
            "ac_size \(seconds) s gives an autocorrelation window of \(frames) frames; it must be at least 1"
        }
    }
}

/// Tempo from an onset strength envelope, as `librosa.feature.tempogram`, `librosa.feature.tempo`
/// and the tempo of `librosa.beat.beat_track`.
public enum Tempo {
    /// `librosa.feature.tempogram(onset_envelope=, win_length=, center=)` with its Hann window and
    /// per-frame max-normalisation: (winLength lags, frames). Row `lag` is the autocorrelation of the
    /// envelope around each frame at that lag, 1 at lag 0 unless the frame is silent.
    ///
    /// With `center` the envelope is padded by `winLength / 2` frames on each side with linear ramps
    /// from 0 to its end values and there is one column per envelope frame; without, one column per
    /// full window.
    public static func tempogram(onsetEnvelope: [Float], winLength: Int = 384,
                                 center: Bool = true) throws(TempoError) -> Matrix {
        let frames = try AutocorrelationFrames(envelope: onsetEnvelope, winLength: winLength, center: center)
        var result = Matrix(rows: winLength, columns: frames.count)
        frames.forEach { frame, autocorrelation in
            for lag in 0 ..< winLength { result[lag, frame] = Float(autocorrelation[lag]) }
        }
        return result
    }

    /// `librosa.feature.tempo(onset_envelope=, sr=, hop_length=, start_bpm=, std_bpm=, ac_size=,
    /// max_tempo=)` with the mean over time: the global tempo in beats per minute.
    ///
    /// The tempogram (over `acSize` seconds, centred) is averaged over frames; each lag's weight is
    /// log(1 + 1e6 * mean) plus a log-normal prior around `startBPM` (`stdBPM` octaves wide); lags
    /// faster than `maxTempo` are excluded; the tempo of the best lag is returned.
    public static func estimate(
        onsetEnvelope: [Float], sampleRate: Int = 22050, hopLength: Int = 512, startBPM: Double = 120,
        stdBPM: Double = 1, acSize: Double = 8, maxTempo: Double? = 320
    ) throws(TempoError) -> Double {
        guard sampleRate > 0 else { throw .sampleRate(sampleRate) }
        guard hopLength > 0 else { throw .hopLength(hopLength) }
        guard startBPM > 0 else { throw .startBPM(startBPM) }
        guard stdBPM > 0 else { throw .stdBPM(stdBPM) }
        // librosa.time_to_frames: samples truncated to an integer, then floor-divided by the hop.
        guard acSize > 0, acSize * Double(sampleRate) < 1e12 else { throw .acSize(acSize, frames: 0) }
        let winLength = Int(acSize * Double(sampleRate)) / hopLength
        guard winLength >= 1 else { throw .acSize(acSize, frames: winLength) }

        let frames = try AutocorrelationFrames(envelope: onsetEnvelope, winLength: winLength, center: true)
        let sums = frames.sums()
        let bpms = frequencies(count: winLength, sampleRate: sampleRate, hopLength: hopLength)
        // librosa kills the lags before the first one slower than max_tempo (none if there is none).
        let firstAllowed = maxTempo.flatMap { limit in bpms.firstIndex { $0 < limit } } ?? 0
        var best = 0, bestScore = -Double.infinity
        for lag in 0 ..< winLength {
            let octaves = (log2(bpms[lag]) - log2(startBPM)) / stdBPM
            let prior = lag < firstAllowed ? -Double.infinity : -0.5 * (octaves * octaves)
            let score = log1p(1e6 * (sums[lag] / Double(frames.count))) + prior
            // The first maximum wins, as np.argmax.
            if score > bestScore {
                best = lag
                bestScore = score
            }
        }
        return bpms[best]
    }

    /// The tempo `librosa.beat.beat_track(y=y, sr=sr)` reports, from the envelope it computes:
    /// `Onset.strength(melDB:, aggregate: .median)`. It is 0 when the envelope is all zero
    /// (no onsets), else `estimate` with the default ac_size, std_bpm and max_tempo.
    public static func beatTrackTempo(onsetEnvelope: [Float], sampleRate: Int = 22050, hopLength: Int = 512,
                                      startBPM: Double = 120) throws(TempoError) -> Double {
        guard onsetEnvelope.contains(where: { $0 != 0 }) else { return 0 }
        return try estimate(onsetEnvelope: onsetEnvelope, sampleRate: sampleRate, hopLength: hopLength,
                            startBPM: startBPM)
    }

    /// `librosa.tempo_frequencies`: the tempo in BPM of each autocorrelation lag (infinity at lag 0).
    public static func frequencies(count: Int, sampleRate: Int = 22050, hopLength: Int = 512) -> [Double] {
        (0 ..< count).map { lag in
            lag == 0 ? .infinity : 60.0 * Double(sampleRate) / (Double(hopLength) * Double(lag))
        }
    }
}

/// The windowed frames of an onset envelope and their max-normalised autocorrelations, the columns of
/// librosa's tempogram, computed one at a time.
private struct AutocorrelationFrames {
    let count: Int
    private let padded: [Float]
    private let window: [Double]

    init(envelope: [Float], winLength: Int, center: Bool) throws(TempoError) {
        guard winLength >= 1 else { throw .winLength(winLength) }
        guard !envelope.isEmpty, center || envelope.count >= winLength else {
            throw .envelopeTooShort(frames: envelope.count, winLength: winLength)
        }
        // scipy's periodic Hann window, computed as scipy.signal.windows.general_cosine does.
        let step = 2 * Double.pi / Double(winLength)
        window = (0 ..< winLength).map { 0.5 + 0.5 * cos(Double($0) * step + -Double.pi) }
        if center {
            // np.pad(mode="linear_ramp", end_values=0): ramps from 0 up to the end values (float64
            // linspace, endpoint excluded, rounded to Float).
            let width = winLength / 2
            func ramp(to edge: Float) -> [Float] {
                (0 ..< width).map { Float(Double($0) * (Double(edge) / Double(width))) }
            }
            padded = ramp(to: envelope[0]) + envelope + ramp(to: envelope[envelope.count - 1]).reversed()
            count = envelope.count
        } else {
            padded = envelope
            count = envelope.count - winLength + 1
        }
    }

    /// Calls `body` with each frame's index and normalised autocorrelation (one value per lag).
    func forEach(_ body: (Int, [Double]) -> Void) {
        // Buffers reused from frame to frame.
        var frame = [Double](repeating: 0, count: window.count), autocorrelation = frame
        var autocorrelate = Autocorrelation(length: window.count)
        for start in 0 ..< count {
            fill(&frame, start)
            autocorrelate(frame, into: &autocorrelation)
            normalizeColumns(&autocorrelation, rows: window.count, columns: 1, norm: .infinity,
                             threshold: Double.leastNormalMagnitude)
            body(start, autocorrelation)
        }
    }

    /// The sum over frames of the normalised autocorrelations, lag by lag (the tempogram's row sums).
    ///
    /// A frame's largest autocorrelation is its value at lag 0, the frame's energy; and the inverse
    /// transform is linear: so the frames' power spectra, each divided by its energy, are added up
    /// and transformed back once, not once per frame. The frames are transformed eight at a time in
    /// single precision (one per SIMD lane); their spectra are summed, four frames at a time, and
    /// transformed back, in double. The sums move by about 1e-7 of a frame's energy, which only a near tie between two
    /// lags' scores could feel.
    func sums() -> [Double] {
        typealias Lanes = SIMD8<Float>
        let length = window.count, width = Lanes.width
        var autocorrelate = Autocorrelation(length: length)
        // A power of two is always a valid FFT size.
        let fft = try! RealFFT<Float>(count: autocorrelate.transformSize)
        let bins = fft.binCount
        // The frames, interleaved, then zeros that stay.
        var frames = [Float](repeating: 0, count: fft.count * width)
        var spectra = [Float](repeating: 0, count: 2 * bins * width)
        let scratch = FFTScratch<Float>(count: fft.interleavedScratchCount(Lanes.self))
        var spectrum = [Double](repeating: 0, count: bins), result = [Double](repeating: 0, count: length)
        frames.withUnsafeMutableBufferPointer { frames in
        spectra.withUnsafeMutableBufferPointer { spectra in
        padded.withUnsafeBufferPointer { padded in
            let re = spectra.baseAddress!, im = re + bins * width
            for first in stride(from: 0, to: count, by: width) {
                // Frame first + f starts one value after frame first + f - 1: value i of the eight
                // frames is eight neighbouring values of the envelope. Lanes past the last frame are 0.
                var energies = SIMD8<Double>.zero
                let lanes = min(width, count - first)
                for i in 0 ..< length {
                    let start = padded.baseAddress! + first + i
                    let samples = lanes == width ? UnsafeRawPointer(start).loadUnaligned(as: Lanes.self)
                        : Lanes((0 ..< width).map { $0 < lanes ? start[$0] : 0 })
                    let values = Lanes(SIMD8<Double>(samples) * window[i])
                    values.store(frames.baseAddress! + i * width)
                    energies += SIMD8<Double>(values) * SIMD8<Double>(values)
                }
                // Each lane's 1 / energy; 0 for lanes past the last frame.
                var factors = SIMD8<Double>.zero
                for f in 0 ..< lanes {
                    factors[f] = energies[f] < Double.leastNormalMagnitude ? 1 : 1 / energies[f]
                }
                fft.forward(interleaved: frames.baseAddress!, Lanes.self, real: re, imaginary: im, scratch: scratch)
                for k in 0 ..< bins {
                    let r = SIMD8<Double>(Lanes(re + k * width)), i = SIMD8<Double>(Lanes(im + k * width))
                    let powers = (r * r + i * i) * factors
                    spectrum[k] += powers.lowHalf.sum()
                    spectrum[k] += powers.highHalf.sum()
                }
            }
        }}}
        autocorrelate.lags(ofPowerSpectrum: spectrum, into: &result)
        return result
    }

    /// The windowed frame starting at `start` of the padded envelope.
    private func fill(_ frame: inout [Double], _ start: Int) {
        for i in 0 ..< window.count { frame[i] = Double(padded[start + i]) * window[i] }
    }
}

/// The autocorrelation r[lag] = sum over i of x[i] * x[i + lag] for lags 0 ..< `length`, through the
/// FFT as `librosa.autocorrelate` computes it: the power spectrum of x zero-padded to a power of two
/// of at least 2 x length - 1 samples (so no lag wraps around), transformed back.
struct Autocorrelation {
    let length: Int
    private let fft: RealFFT<Double>
    private let scratch: FFTScratch<Double>
    /// The transform's input: the values, then zeros that stay (the inverse writes to `lags`).
    private var signal: [Double]
    private var real: [Double], imaginary: [Double], lags: [Double]

    init(length: Int) {
        var size = 1
        while size < 2 * length - 1 { size *= 2 }
        self.length = length
        // A power of two is always a valid FFT size.
        fft = try! RealFFT(count: size)
        scratch = fft.makeScratch()
        signal = [Double](repeating: 0, count: size)
        lags = signal
        real = [Double](repeating: 0, count: fft.binCount)
        imaginary = real
    }

    mutating func callAsFunction(_ x: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: length)
        self(x, into: &result)
        return result
    }

    /// The autocorrelation of `x` written to `result`, both `length` long.
    mutating func callAsFunction(_ x: [Double], into result: inout [Double]) {
        var spectrum = [Double](repeating: 0, count: binCount)
        addPowerSpectrum(of: x, times: 1, to: &spectrum)
        lags(ofPowerSpectrum: spectrum, into: &result)
    }

    /// Bins of the power spectrum that `addPowerSpectrum` adds to.
    var binCount: Int { fft.binCount }

    /// The size of the zero-padded transforms.
    var transformSize: Int { fft.count }

    /// Adds `factor` times the power spectrum of `x` (`length` values, zero-padded) to `spectrum`.
    mutating func addPowerSpectrum(of x: [Double], times factor: Double, to spectrum: inout [Double]) {
        precondition(x.count == length && spectrum.count == binCount,
                     "power spectrum of \(x.count) values into \(spectrum.count) bins with a plan for \(length)")
        for i in 0 ..< length { signal[i] = x[i] }
        signal.withUnsafeBufferPointer { signal in
            real.withUnsafeMutableBufferPointer { real in
                imaginary.withUnsafeMutableBufferPointer { imaginary in
                    fft.forward(signal.baseAddress!, real: real.baseAddress!, imaginary: imaginary.baseAddress!,
                                scratch: scratch)
                }
            }
        }
        for k in 0 ..< binCount { spectrum[k] += factor * (real[k] * real[k] + imaginary[k] * imaginary[k]) }
    }

    /// The autocorrelation whose power spectrum is `spectrum`, written to `result` (`length` lags).
    mutating func lags(ofPowerSpectrum spectrum: [Double], into result: inout [Double]) {
        precondition(spectrum.count == binCount && result.count == length,
                     "\(result.count) lags from \(spectrum.count) bins with a plan for \(length)")
        for k in 0 ..< binCount { imaginary[k] = 0 }
        spectrum.withUnsafeBufferPointer { spectrum in
            imaginary.withUnsafeBufferPointer { imaginary in
                lags.withUnsafeMutableBufferPointer { lags in
                    fft.inverse(real: spectrum.baseAddress!, imaginary: imaginary.baseAddress!,
                                signal: lags.baseAddress!, scratch: scratch)
                }
            }
        }
        for i in 0 ..< length { result[i] = lags[i] }
    }
}
