import Foundation

/// A bad chroma parameter or input.
public enum ChromaError: Error, CustomStringConvertible, Equatable {
    case sampleRate(Int)
    case nFFT(Int)
    case nChroma(Int)
    case octaveWidth(Double)
    case norm(Double)
    case tooFewBins(Int)

    public var description: String {
        switch self {
        case .sampleRate(let rate): "sample rate \(rate) must be a positive number of Hz"
        case .nFFT(let nFFT): "n_fft \(nFFT) must be at least 2"
        case .nChroma(let count): "n_chroma \(count) must be a positive integer"
        case .octaveWidth(let width): "octwidth \(width) must be strictly positive (or nil for a flat weighting)"
        case .norm(let norm): "norm \(norm) must be infinity, strictly positive, or nil for none"
        case .tooFewBins(let rows): "a spectrogram of \(rows) bins is too small: it needs at least 2 (n_fft >= 2)"
        }
    }
}

/// Chroma features from a short-time Fourier spectrogram, as librosa's `filters.chroma` and
/// `feature.chroma_stft`.
public enum Chroma {
    /// `librosa.filters.chroma(sr=, n_fft=, n_chroma=, tuning=, ctroct=, octwidth=, norm=, base_c=)`:
    /// (nChroma, 1 + nFFT/2) weights that map FFT bins to pitch classes.
    ///
    /// Each bin contributes a Gaussian bump around its pitch class (narrower for bins narrower than a
    /// semitone), columns are normalised (`norm`, over pitch classes), then weighted by a Gaussian over
    /// octaves centred on `centerOctave` (`octaveWidth` octaves wide; nil for none). Row 0 is C with
    /// `baseC`, else A. `tuning` shifts A440 by fractions of a chroma bin.
    public static func filters(
        sampleRate: Int, nFFT: Int, nChroma: Int = 12, tuning: Double = 0, centerOctave: Double = 5,
        octaveWidth: Double? = 2, norm: Double? = 2, baseC: Bool = true
    ) throws(ChromaError) -> Matrix {
        guard sampleRate > 0 else { throw .sampleRate(sampleRate) }
        guard nFFT >= 2 else { throw .nFFT(nFFT) }
        guard nChroma >= 1 else { throw .nChroma(nChroma) }
        if let octaveWidth, !(octaveWidth > 0) { throw .octaveWidth(octaveWidth) }
        try validate(norm)

        let chroma = Double(nChroma)
        // Position of every FFT bin (all nFFT of them, folded later) in chroma bins above C0-ish;
        // 0 Hz gets 1.5 octaves below bin 1.
        let spacing = Double(sampleRate) / Double(nFFT)
        var positions = (1 ..< nFFT).map {
            chroma * Frequencies.octaves(hz: Double($0) * spacing, tuning: tuning, binsPerOctave: nChroma)
        }
        positions.insert(positions[0] - 1.5 * chroma, at: 0)
        let widths = (0 ..< nFFT).map { $0 + 1 < nFFT ? max(positions[$0 + 1] - positions[$0], 1) : 1 }
        let half = (chroma / 2).rounded(.toNearestOrEven)

        var weights = [Double](repeating: 0, count: nChroma * nFFT)
        for pitchClass in 0 ..< nChroma {
            for bin in 0 ..< nFFT {
                // Distance to the pitch class, wrapped into -half ..< half (np.remainder; the offset of
                // 10 * nChroma keeps the dividend positive).
                let distance = pythonRemainder(positions[bin] - Double(pitchClass) + half + 10 * chroma, chroma) - half
                let scaled = 2 * distance / widths[bin]
                weights[pitchClass * nFFT + bin] = exp(-0.5 * (scaled * scaled))
            }
        }
        if let norm {
            normalizeColumns(&weights, rows: nChroma, columns: nFFT, norm: norm, threshold: Double.leastNormalMagnitude)
        }
        if let octaveWidth {
            for bin in 0 ..< nFFT {
                let octaves = (positions[bin] / chroma - centerOctave) / octaveWidth
                let weight = exp(-0.5 * (octaves * octaves))
                for pitchClass in 0 ..< nChroma { weights[pitchClass * nFFT + bin] *= weight }
            }
        }
        // np.roll(-3 * (nChroma // 12)) puts C first; only the 1 + nFFT/2 non-negative frequencies are kept.
        let shift = baseC ? 3 * (nChroma / 12) : 0
        let bins = 1 + nFFT / 2
        var bank = Matrix(rows: nChroma, columns: bins)
        for pitchClass in 0 ..< nChroma {
            let source = (pitchClass + shift) % nChroma
            for bin in 0 ..< bins { bank[pitchClass, bin] = Float(weights[source * nFFT + bin]) }
        }
        return bank
    }

    /// `librosa.feature.chroma_stft(S=power, sr=, tuning=, n_chroma=, norm=)`: (nChroma, frames) energy
    /// per pitch class of a power spectrogram (1 + nFFT/2 bins, frames), each frame normalised by
    /// `norm` (its maximum by default; frames below the smallest normal Float are left as they are).
    ///
    /// With `tuning` nil the tuning is estimated from the spectrogram itself, as librosa does
    /// (`Pitch.estimateTuning` given the power spectrogram).
    public static func stft(power: Matrix, sampleRate: Int = 22050, tuning: Double? = nil, nChroma: Int = 12,
                            norm: Double? = .infinity) throws(ChromaError) -> Matrix {
        guard sampleRate > 0 else { throw .sampleRate(sampleRate) }
        guard power.rows >= 2 else { throw .tooFewBins(power.rows) }
        guard nChroma >= 1 else { throw .nChroma(nChroma) }
        try validate(norm)
        let nFFT = 2 * (power.rows - 1)
        // The estimation's parameters were all checked above, so it cannot throw.
        let resolvedTuning = tuning
            ?? (try! Pitch.estimateTuning(spectrogram: power, sampleRate: sampleRate, binsPerOctave: nChroma))
        let bank = try filters(sampleRate: sampleRate, nFFT: nFFT, nChroma: nChroma, tuning: resolvedTuning)
        var chroma = project(power, with: bank)
        if let norm {
            normalizeColumns(&chroma.values, rows: chroma.rows, columns: chroma.columns, norm: norm,
                             threshold: Double(Float.leastNormalMagnitude))
        }
        return chroma
    }

    /// bank × power, accumulated in Float over the bins as BLAS does for librosa's float32 einsum.
    /// 48 frames at a time (the last chunk overlapping the one before), each pitch class's sums over
    /// all bins are kept in registers (twelve SSE vectors), while the chunk's columns of the
    /// spectrogram stay in the cache for the next pitch class. Clips under 48 frames go frame by frame.
    private static func project(_ power: Matrix, with bank: Matrix) -> Matrix {
        typealias Lanes = SIMD16<Float>
        let frames = power.columns, bins = bank.columns, chunk = 3 * Lanes.scalarCount
        var product = Matrix(rows: bank.rows, columns: frames)
        product.values.withUnsafeMutableBufferPointer { result in
        power.values.withUnsafeBufferPointer { power in
        bank.values.withUnsafeBufferPointer { weights in
            guard frames >= chunk else {
                for pitchClass in 0 ..< bank.rows {
                    for bin in 0 ..< bins {
                        for frame in 0 ..< frames {
                            result[pitchClass * frames + frame] += weights[pitchClass * bins + bin] * power[bin * frames + frame]
                        }
                    }
                }
                return
            }
            @inline(__always)
            func load(_ bin: Int, _ frame: Int) -> Lanes {
                UnsafeRawPointer(power.baseAddress! + bin * frames + frame).loadUnaligned(as: Lanes.self)
            }
            for first in stride(from: 0, to: frames, by: chunk).map({ min($0, frames - chunk) }) {
                for pitchClass in 0 ..< bank.rows {
                    var a = Lanes.zero, b = a, c = a
                    for bin in 0 ..< bins {
                        let w = Lanes(repeating: weights[pitchClass * bins + bin])
                        a += w * load(bin, first)
                        b += w * load(bin, first + Lanes.scalarCount)
                        c += w * load(bin, first + 2 * Lanes.scalarCount)
                    }
                    let target = UnsafeMutableRawPointer(result.baseAddress! + pitchClass * frames + first)
                    target.storeBytes(of: a, as: Lanes.self)
                    target.storeBytes(of: b, toByteOffset: MemoryLayout<Lanes>.size, as: Lanes.self)
                    target.storeBytes(of: c, toByteOffset: 2 * MemoryLayout<Lanes>.size, as: Lanes.self)
                }
            }
        }}}
        return product
    }

    private static func validate(_ norm: Double?) throws(ChromaError) {
        if let norm, !(norm > 0) { throw .norm(norm) }
    }
}

/// `librosa.util.normalize(S, norm=, axis=0, threshold=)` with fill None, on a row-major
/// (rows, columns) array: each column divided by its norm, computed in Double (the infinity norm is
/// the largest magnitude, a finite p the p-norm); columns whose norm is below `threshold` are left
/// unchanged. Results are rounded to `T`, as numpy stores them in the input's type.
func normalizeColumns<T: BinaryFloatingPoint>(_ values: inout [T], rows: Int, columns: Int, norm: Double,
                                              threshold: Double) {
    for column in 0 ..< columns {
        var length = 0.0
        for row in 0 ..< rows {
            let magnitude = abs(Double(values[row * columns + column]))
            switch norm {
            case .infinity: length = max(length, magnitude)
            case 2: length += magnitude * magnitude
            default: length += pow(magnitude, norm)
            }
        }
        switch norm {
        case .infinity, 1: break
        case 2: length = length.squareRoot()
        default: length = pow(length, 1 / norm)
        }
        guard length >= threshold else { continue }
        for row in 0 ..< rows { values[row * columns + column] = T(Double(values[row * columns + column]) / length) }
    }
}

/// Python's `%` (np.remainder) for floats: the result has the sign of the divisor.
func pythonRemainder<T: FloatingPoint>(_ dividend: T, _ divisor: T) -> T {
    let remainder = dividend.truncatingRemainder(dividingBy: divisor)
    return remainder != 0 && (remainder < 0) != (divisor < 0) ? remainder + divisor : remainder
}
