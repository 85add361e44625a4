/// Signal-level forms of the harmony and rhythm features, as librosa's functions that take `y`:
/// each computes the spectrogram it needs with `stft` settings (librosa 0.11's defaults unless
/// given), then the spectrogram form.
extension HPSS {
    /// `librosa.effects.hpss(y)`: the harmonic and percussive signals, each as long as `signal`.
    public static func separate(
        signal: [Float], stft settings: STFTSettings = STFTSettings(), harmonicKernel: Int = 31,
        percussiveKernel: Int = 31, power: Float = 2, harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws -> (harmonic: [Float], percussive: [Float]) {
        let stft = try STFT(settings)
        let parts = try separate(
            stft: try stft.transform(signal), harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel,
            power: power, harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin)
        return (try stft.inverse(parts.harmonic, length: signal.count),
                try stft.inverse(parts.percussive, length: signal.count))
    }
}

extension Onset {
    /// `librosa.onset.onset_strength(y=signal, sr=sampleRate)`: from the dB mel spectrogram.
    public static func strength(
        signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings(),
        mel: MelSettings = MelSettings(), aggregate: Aggregate = .mean
    ) throws -> [Float] {
        let melPower = try MelFilterBank.spectrogram(of: signal, sampleRate: sampleRate, stft: stft, settings: mel)
        return try strength(melDB: try Decibels.power(melPower), center: stft.center, nFFT: stft.nFFT,
                            hopLength: stft.hopLength, aggregate: aggregate)
    }
}

extension Tempo {
    /// The tempo `librosa.beat.beat_track(y=signal, sr=sampleRate)` reports, in BPM (0 without onsets).
    public static func beatTrackTempo(
        signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings()
    ) throws -> Double {
        let envelope = try Onset.strength(signal: signal, sampleRate: sampleRate, stft: stft, aggregate: .median)
        return try beatTrackTempo(onsetEnvelope: envelope, sampleRate: sampleRate, hopLength: stft.hopLength)
    }
}

extension Chroma {
    /// `librosa.feature.chroma_stft(y=signal, sr=sampleRate)`, the tuning estimated when nil.
    public static func stft(
        signal: [Float], sampleRate: Int = 22050, stft settings: STFTSettings = STFTSettings(),
        tuning: Double? = nil, nChroma: Int = 12
    ) throws -> Matrix {
        try stft(power: try STFT(settings).magnitude(signal, power: 2), sampleRate: sampleRate,
                 tuning: tuning, nChroma: nChroma)
    }
}
