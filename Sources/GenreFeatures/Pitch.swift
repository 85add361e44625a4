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
        guard sampleRate > 0 else { throw .sampleRate(sampleRate) }
        guard spectrogram.rows >= 2 else { throw .tooFewBins(spectrogram.rows) }
        let bins = spectrogram.rows, frames = spectrogram.columns
        let nFFT = 2 * (bins - 1)
        let magnitude = spectrogram.values.map { abs($0) }
        let lowest = max(fmin, 0), highest = min(fmax, Double(sampleRate) / 2)
        let inRange = Frequencies.fft(sampleRate: sampleRate, nFFT: nFFT).map { lowest <= $0 && $0 < highest }

        var pitches = Matrix(rows: bins, columns: frames), magnitudes = Matrix(rows: bins, columns: frames)
        var column = [Float](repeating: 0, count: bins)
        for frame in 0 ..< frames {
            for bin in 0 ..< bins { column[bin] = magnitude[bin * frames + frame] }
            let floor = threshold * column.max()!
            let kept = column.map { $0 > floor ? $0 : 0 }
            for bin in 1 ..< bins where inRange[bin] && isLocalMaximum(kept, at: bin) {
                let shift = parabolicShift(column, at: bin)
                pitches[bin, frame] = Float((Double(bin) + Double(shift)) * Double(sampleRate) / Double(nFFT))
                magnitudes[bin, frame] = column[bin] + 0.5 * gradient(column, at: bin) * shift
            }
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
        let (pitches, magnitudes) = try piptrack(spectrogram: spectrogram, sampleRate: sampleRate)
        let found = pitches.values.indices.filter { pitches.values[$0] > 0 }
        var foundMagnitudes = found.map { magnitudes.values[$0] }
        let threshold = foundMagnitudes.isEmpty ? 0 : numpyMedian(&foundMagnitudes)
        let strong = found.filter { magnitudes.values[$0] >= threshold }.map { pitches.values[$0] }
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

    /// librosa.util.localmax over frequency: larger than the bin below and not smaller than the one
    /// above (the top bin: larger than the one below; never bin 0).
    private static func isLocalMaximum(_ values: [Float], at bin: Int) -> Bool {
        values[bin] > values[bin - 1] && (bin == values.count - 1 || values[bin] >= values[bin + 1])
    }

    /// Offset in bins of the vertex of the parabola through three neighbouring bins, 0 at the edges and
    /// when it would leave them; as librosa's numba stencil, with the integer 2 promoting to Double.
    private static func parabolicShift(_ values: [Float], at bin: Int) -> Float {
        guard bin > 0, bin < values.count - 1 else { return 0 }
        let curvature = Double(values[bin + 1] + values[bin - 1]) - 2 * Double(values[bin])
        let slope = Double(values[bin + 1] - values[bin - 1]) / 2
        return abs(slope) >= abs(curvature) ? 0 : Float(-slope / curvature)
    }

    /// np.gradient over frequency: central differences inside, one-sided at the edges.
    private static func gradient(_ values: [Float], at bin: Int) -> Float {
        if bin == 0 { return values[1] - values[0] }
        if bin == values.count - 1 { return values[bin] - values[bin - 1] }
        return (values[bin + 1] - values[bin - 1]) / 2
    }
}
