import Foundation

/// A bad pitch tracking parameter or input.
public enum PitchError: Error, CustomStringConvertible, Equatable {
    case sampleRate(Int)
    case tooFewBins(Int)
    case resolution(Double)
    case binsPerOctave(Int)

    public var description: String {
        switch self {
        case .sampleRate(let rate): "sample rate \(rate) must be a positive number of Hz"
        case .tooFewBins(let rows): "a spectrogram of \(rows) bins is too small: it needs at least 2 (n_fft >= 2)"
        case .resolution(let resolution): "resolution \(resolution) must lie in the range (0, 1]"
        case .binsPerOctave(let bins): "bins_per_octave \(bins) must be a positive integer"
        }
    }
}

/// Pitch tracking and tuning estimation, as `librosa.piptrack`, `librosa.estimate_tuning` and
/// `librosa.pitch_tuning`.
public enum Pitch {
    /// `librosa.piptrack(S=spectrogram, sr=, fmin=, fmax=, threshold=)`: (pitches, magnitudes), both
    /// (bins, frames) and 0 except at the peaks found.
    ///
    /// A peak is a bin in [fmin, fmax) that is a local maximum over frequency of the frame's values
    /// above `threshold` times its largest value; its frequency and magnitude are refined by parabolic
    /// interpolation. The spectrogram (1 + nFFT/2 bins) is taken in absolute value and used as given:
    /// chroma_stft hands it a power spectrogram.
    public static func piptrack(spectrogram: Matrix, sampleRate: Int = 22050, fmin: Double = 150,
                                fmax: Double = 4000, threshold: Float = 0.1) throws(PitchError) -> (pitches: Matrix, magnitudes: Matrix) {
        var pitches = Matrix(rows: spectrogram.rows, columns: spectrogram.columns)
        var magnitudes = pitches
        for peak in try peaks(spectrogram, sampleRate: sampleRate, fmin: fmin, fmax: fmax, threshold: threshold) {
            pitches.values[peak.index] = peak.pitch
            magnitudes.values[peak.index] = peak.magnitude
        }
        return (pitches, magnitudes)
    }

    /// `librosa.estimate_tuning(S=spectrogram, sr=, resolution=, bins_per_octave=)`: the tuning
    /// deviation from A440 in fractions of a bin, in [-0.5, 0.5).
    ///
    /// `piptrack`'s pitches whose magnitude is at least the median magnitude of all its pitches are
    /// handed to `tuning(frequencies:)`.
    public static func estimateTuning(spectrogram: Matrix, sampleRate: Int = 22050, resolution: Double = 0.01,
                                      binsPerOctave: Int = 12) throws(PitchError) -> Double {
        let found = try peaks(spectrogram, sampleRate: sampleRate).filter { $0.pitch > 0 }
        var magnitudes = found.map(\.magnitude)
        let threshold = magnitudes.isEmpty ? 0 : numpyMedian(&magnitudes)
        let strong = found.filter { $0.magnitude >= threshold }.map(\.pitch)
        return try tuning(frequencies: strong, resolution: resolution, binsPerOctave: binsPerOctave)
    }

    /// `librosa.pitch_tuning(frequencies, resolution=, bins_per_octave=)`: the most common deviation of
    /// the (positive) frequencies from the equal-tempered grid on A440, in fractions of a bin, as the
    /// left edge of the fullest of the 1/resolution histogram bins over [-0.5, 0.5]; 0 without any.
    ///
    /// The deviations are computed in Float as librosa does for float32 frequencies.
    public static func tuning(frequencies: [Float], resolution: Double = 0.01,
                              binsPerOctave: Int = 12) throws(PitchError) -> Double {
        guard resolution > 0, resolution <= 1 else { throw .resolution(resolution) }
        guard binsPerOctave >= 1 else { throw .binsPerOctave(binsPerOctave) }
        let positive = frequencies.filter { $0 > 0 }
        guard !positive.isEmpty else { return 0 }
        // np.linspace(-0.5, 0.5, ceil(1 / resolution) + 1), then np.histogram's counts: [edge, next edge),
        // the last bin closed.
        let edgeCount = Int((1 / resolution).rounded(.up)) + 1
        let step = 1.0 / Double(edgeCount - 1)
        let edges = (0 ..< edgeCount).map { $0 == edgeCount - 1 ? 0.5 : Double($0) * step + -0.5 }
        var counts = [Int](repeating: 0, count: edgeCount - 1)
        for frequency in positive {
            var residual = pythonRemainder(Float(binsPerOctave) * log2(frequency / 27.5), 1)
            if residual >= 0.5 { residual -= 1 }
            let value = Double(residual)
            guard value >= edges[0], value <= edges[edgeCount - 1] else { continue }
            // The bin whose left edge is the last one not above the value: guessed, then checked.
            var bin = min(Int((value + 0.5) / step), counts.count - 1)
            while bin > 0, edges[bin] > value { bin -= 1 }
            while bin + 1 < counts.count, edges[bin + 1] <= value { bin += 1 }
            counts[bin] += 1
        }
        // np.argmax: the first fullest bin.
        return edges[counts.firstIndex(of: counts.max()!)!]
    }

    /// A piptrack peak: its flat index in the (bins, frames) spectrogram, interpolated frequency and magnitude.
    private struct Peak {
        let index: Int
        let pitch: Float
        let magnitude: Float
    }

    /// piptrack's peaks, found bin row after bin row (rows are contiguous): a bin is a local maximum
    /// over frequency (librosa.util.localmax: above the bin below and not below the one above; the top
    /// bin only above the one below; never bin 0) of the values above the frame's floor.
    private static func peaks(_ spectrogram: Matrix, sampleRate: Int, fmin: Double = 150, fmax: Double = 4000,
                              threshold: Float = 0.1) throws(PitchError) -> [Peak] {
        guard sampleRate > 0 else { throw .sampleRate(sampleRate) }
        guard spectrogram.rows >= 2 else { throw .tooFewBins(spectrogram.rows) }
        let bins = spectrogram.rows, frames = spectrogram.columns
        let nFFT = 2 * (bins - 1)
        // A power spectrogram has no sign bit set (not even -0): then it is its own absolute value.
        let signs = spectrogram.values.reduce(UInt32(0)) { $0 | $1.bitPattern }
        let magnitude = signs & 0x8000_0000 == 0 ? spectrogram.values : spectrogram.values.map { abs($0) }
        let lowest = max(fmin, 0), highest = min(fmax, Double(sampleRate) / 2)
        let frequencies = Frequencies.fft(sampleRate: sampleRate, nFFT: nFFT)
        var floors = [Float](repeating: 0, count: frames)
        var found: [Peak] = []
        magnitude.withUnsafeBufferPointer { magnitude in
        floors.withUnsafeMutableBufferPointer { floors in
            // Rows' maxima taken pairwise with a comparison, which vectorises (Swift's max also
            // orders NaNs, which a spectrogram does not hold).
            for bin in 0 ..< bins {
                let row = magnitude.baseAddress! + bin * frames
                for frame in 0 ..< frames { floors[frame] = row[frame] > floors[frame] ? row[frame] : floors[frame] }
            }
            for frame in 0 ..< frames { floors[frame] *= threshold }
            /// S * (S > floor), librosa's thresholded spectrogram, at four frames from `frame` (the
            /// last frame repeated past the end, when there are fewer than four).
            @inline(__always)
            func kept(_ bin: Int, _ frame: Int) -> SIMD4<Float> {
                func load(_ values: UnsafePointer<Float>) -> SIMD4<Float> {
                    frame + 4 <= frames ? UnsafeRawPointer(values + frame).loadUnaligned(as: SIMD4<Float>.self)
                        : SIMD4((0 ..< 4).map { values[min(frame + $0, frames - 1)] })
                }
                let values = load(magnitude.baseAddress! + bin * frames), floor = load(floors.baseAddress!)
                return values.replacing(with: 0, where: .!(values .> floor))
            }
            /// The peak at (bin, frame), refined by parabolic interpolation.
            func peak(_ bin: Int, _ frame: Int) -> Peak {
                let below = magnitude[(bin - 1) * frames + frame], here = magnitude[bin * frames + frame]
                let above = bin + 1 < bins ? magnitude[(bin + 1) * frames + frame] : 0
                let shift = bin + 1 < bins ? parabolicShift(below, here, above) : 0
                // np.gradient: central differences inside, one-sided at the top.
                let slope = bin + 1 < bins ? (above - below) / 2 : here - below
                return Peak(index: bin * frames + frame,
                            pitch: Float((Double(bin) + Double(shift)) * Double(sampleRate) / Double(nFFT)),
                            magnitude: here + 0.5 * slope * shift)
            }
            // Peaks are sparse: frames are tested four at a time, and only a group with a peak is
            // looked at frame by frame. The last few frames go as a group that overlaps the one before.
            for bin in 1 ..< bins where lowest <= frequencies[bin] && frequencies[bin] < highest {
                var frame = 0
                while frame < frames {
                    let start = max(min(frame, frames - 4), 0)
                    let here = kept(bin, start)
                    var peaks = here .> kept(bin - 1, start)
                    if bin + 1 < bins { peaks .&= here .>= kept(bin + 1, start) }
                    if any(peaks) {
                        for lane in frame - start ..< min(4, frames - start) where peaks[lane] {
                            found.append(peak(bin, start + lane))
                        }
                    }
                    frame = start + 4
                }
            }
        }}
        return found
    }

    /// Offset in bins of the vertex of the parabola through three neighbouring values, 0 when it would
    /// leave them; as librosa's numba stencil, where the integer 2 promotes the arithmetic to Double.
    private static func parabolicShift(_ below: Float, _ here: Float, _ above: Float) -> Float {
        let curvature = Double(above + below) - 2 * Double(here)
        let slope = Double(above - below) / 2
        return abs(slope) >= abs(curvature) ? 0 : Float(-slope / curvature)
    }
}
