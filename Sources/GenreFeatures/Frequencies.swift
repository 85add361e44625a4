import Foundation

/// Frequency conversions shared by the filter banks and pitch features (librosa's `convert` module).
public enum Frequencies {
    /// Centre frequency in Hz of each of the `1 + nFFT/2` bins of a real FFT (`librosa.fft_frequencies`).
    /// Computed as numpy's `rfftfreq` does, bin * (1 / (nFFT / sampleRate)), so that comparisons with
    /// limits (piptrack's fmin/fmax) agree with librosa to the last bit, also for odd `nFFT`.
    public static func fft(sampleRate: Int, nFFT: Int) -> [Double] {
        let spacing = 1.0 / (Double(nFFT) * (1.0 / Double(sampleRate)))
        return (0...nFFT / 2).map { Double($0) * spacing }
    }

    /// Fractional octaves above C0-ish as librosa counts them (`hz_to_octs`): log2(hz / (A440 / 16)),
    /// where A440 is shifted by `tuning` fractions of a bin.
    public static func octaves(hz: Double, tuning: Double = 0, binsPerOctave: Int = 12) -> Double {
        let a440 = 440.0 * pow(2.0, tuning / Double(binsPerOctave))
        return log2(hz / (a440 / 16))
    }
}
