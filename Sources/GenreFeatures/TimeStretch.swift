import Foundation

/// Changing a signal's speed without changing its pitch, as librosa's `phase_vocoder` and
/// `effects.time_stretch` do it (Ellis's phase vocoder: no transient handling, so strong rates smear
/// attacks; training data only needs it to sound like the same music played faster or slower).
public enum TimeStretch {
    /// `librosa.phase_vocoder(D, rate=rate, hop_length=hopLength)`: the STFT `spectrum` (bins, frames)
    /// read at frames 0, rate, 2·rate, ...; each output frame has the magnitude interpolated between
    /// its two neighbouring input frames and a phase advanced by their measured phase difference.
    /// Rate > 1 is faster (fewer frames), < 1 slower.
    public static func phaseVocoder(_ spectrum: ComplexMatrix, rate: Double, hopLength: Int) throws(SpectralError) -> ComplexMatrix {
        try checkRate(rate)
        guard hopLength >= 1 else { throw .parameterOutOfRange(name: "hopLength", value: "\(hopLength)", valid: "at least 1") }
        let bins = spectrum.rows, frames = spectrum.columns
        guard frames > 0 else { return spectrum }
        let nFFT = 2 * (bins - 1)
        // np.arange(0, frames, rate): the count is ceil(frames / rate), each step start + i·rate.
        let steps = Int((Double(frames) / rate).rounded(.up))
        // The phase a bin's frequency turns through in one hop.
        let advance = (0 ..< bins).map { Double(hopLength) * 2 * Double.pi * Double($0) / Double(max(nFFT, 1)) }
        var output = ComplexMatrix(rows: bins, columns: steps)
        var phase = (0 ..< bins).map { Double(Float(atan2(spectrum.imaginary[$0 * frames], spectrum.real[$0 * frames]))) }
        // Frames past the end are zeros, as librosa pads two zero columns.
        func value(_ bin: Int, _ frame: Int) -> (re: Float, im: Float) {
            frame < frames ? (spectrum.real[bin * frames + frame], spectrum.imaginary[bin * frames + frame]) : (0, 0)
        }
        for t in 0 ..< steps {
            let step = Double(t) * rate
            let left = Int(step), alpha = step - Double(left)
            for bin in 0 ..< bins {
                let a = value(bin, left), b = value(bin, left + 1)
                let magnitude = (1 - alpha) * Double(hypot(a.re, a.im)) + alpha * Double(hypot(b.re, b.im))
                output.real[bin * steps + t] = Float(magnitude * cos(phase[bin]))
                output.imaginary[bin * steps + t] = Float(magnitude * sin(phase[bin]))
                var change = Double(atan2(b.im, b.re)) - Double(atan2(a.im, a.re)) - advance[bin]
                change -= 2 * Double.pi * (change / (2 * Double.pi)).rounded(.toNearestOrEven)
                // librosa's accumulator is float32 (the angle of a complex64 STFT), so is this one.
                phase[bin] = Double(Float(phase[bin] + advance[bin] + change))
            }
        }
        return output
    }

    /// `librosa.effects.time_stretch(y, rate=rate)` with `stft`'s settings (librosa's: n_fft 2048,
    /// hop 512): STFT, phase vocoder, inverse STFT of length round(count / rate).
    public static func stretch(_ signal: [Float], rate: Double, stft: STFT) throws(SpectralError) -> [Float] {
        try checkRate(rate)
        let stretched = try phaseVocoder(stft.transform(signal), rate: rate, hopLength: stft.settings.hopLength)
        return try stft.inverse(stretched, length: Int((Double(signal.count) / rate).rounded(.toNearestOrEven)))
    }

    static func checkRate(_ rate: Double) throws(SpectralError) {
        guard rate.isFinite, rate > 0 else { throw .parameterOutOfRange(name: "rate", value: "\(rate)", valid: "a positive number") }
    }
}
