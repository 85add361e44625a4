/// The 57 features of the widely used GTZAN tables (`features_30_sec.csv`, `features_3_sec.csv`),
/// preceded by `length`, in the tables' column order.
///
/// The tables were made with librosa before 0.10, so every centred analysis pads by reflection
/// (`PadMode.reflect`) where librosa 0.11 would pad with zeros; otherwise librosa's defaults: 22050 Hz,
/// nFFT 2048, hop 512, 128 Slaney mels, 20 MFCCs. Each `_var` is a population variance over frames
/// (over samples for `harmony`/`perceptr`, the harmonic and percussive signals of an HPSS); `tempo`
/// is what `librosa.beat.beat_track` reports. One STFT serves every spectral feature; it runs in
/// single precision (`STFTSettings.Precision.single`), which moves the features by about 1e-5 relative
/// at most, far inside the table's own agreement with librosa.
public struct GTZAN57: FeatureSet {
    public let name = "gtzan57"
    public let sampleRate = 22050
    public var minimumSamples: Int { Self.settings.nFFT }

    public let columns: [String] = ["length"]
        + ["chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
           "zero_crossing_rate", "harmony", "perceptr"].flatMap { ["\($0)_mean", "\($0)_var"] }
        + ["tempo"]
        + (1 ... 20).flatMap { ["mfcc\($0)_mean", "mfcc\($0)_var"] }

    public init() {}

    static let settings = STFTSettings(padMode: .reflect, precision: .single)
    // Plans made once: their settings are constants, so making them cannot fail.
    static let stft = planned { try STFT(settings) }
    static let melBank = planned { try MelFilterBank(sampleRate: 22050, nFFT: settings.nFFT) }

    private static func planned<T>(_ make: () throws -> T) -> T {
        do { return try make() } catch { preconditionFailure("gtzan57's fixed settings were rejected: \(error)") }
    }

    public func extract(_ samples: [Float]) throws -> [Double] {
        guard samples.count >= minimumSamples else {
            throw FeatureError.tooShort(samples: samples.count, minimum: minimumSamples, sampleRate: sampleRate)
        }
        let (spectrum, magnitude) = try Self.stft.transformAndMagnitude(samples)
        let power = Spectrogram.raise(magnitude, toPower: 2)
        let melDecibels = try Decibels.power(try Self.melBank.apply(power))
        let harmonicMask = try HPSS.harmonicMask(magnitude: magnitude)
        let onsets = try Onset.strength(melDB: melDecibels, aggregate: .median)
        let mfcc = try MFCC.fromDecibels(melDecibels, count: 20)

        var row = [Double(samples.count)]
        func statistics(_ moments: Moments) { row += [moments.mean, moments.variance] }
        func statistics<C: Collection>(_ values: C) where C.Element == Float { statistics(Moments(values)) }
        statistics(try Chroma.stft(power: power, sampleRate: sampleRate).values)
        statistics(try TimeDomain.rms(signal: samples, padMode: Self.settings.padMode))
        let shape = try Spectral.centroidBandwidthRolloff(magnitude, sampleRate: sampleRate)
        statistics(shape.centroid)
        statistics(shape.bandwidth)
        statistics(shape.rolloff)
        statistics(try TimeDomain.zeroCrossingRate(samples))
        let harmonic = try Self.stft.inverse(spectrum, scaledBy: harmonicMask, length: samples.count)
        statistics(harmonic)
        // The percussive signal is the rest: the inverse STFT is linear, it gives the signal back
        // from its own STFT, and the two masks sum to one wherever the spectrum is not ~0.
        statistics(Moments(differences: samples, harmonic))
        row.append(try Tempo.beatTrackTempo(onsetEnvelope: onsets, sampleRate: sampleRate))
        for coefficient in 0 ..< mfcc.rows { statistics(mfcc.row(coefficient)) }

        if let bad = row.firstIndex(where: { !$0.isFinite }) {
            throw FeatureError.notFinite(column: columns[bad])
        }
        return row
    }
}

/// Mean and population variance, accumulated in Double (two passes, for accuracy).
struct Moments {
    let mean: Double
    let variance: Double

    init<C: Collection>(_ values: C) where C.Element == Float {
        (mean, variance) = values.withContiguousStorageIfAvailable { values in
            Self.moments(values.count) { values[$0] }
        } ?? Self.moments(values.count, Array(values))
    }

    /// The moments of a[i] - b[i], without making the differences.
    init(differences a: [Float], _ b: [Float]) {
        precondition(a.count == b.count, "differences of \(a.count) and \(b.count) values")
        (mean, variance) = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in Self.moments(a.count) { a[$0] - b[$0] } }
        }
    }

    private static func moments(_ count: Int, _ values: [Float]) -> (mean: Double, variance: Double) {
        values.withUnsafeBufferPointer { values in moments(count) { values[$0] } }
    }

    @inline(__always)
    private static func moments(_ count: Int, _ value: (Int) -> Float) -> (mean: Double, variance: Double) {
        let divisor = Double(Swift.max(count, 1))
        let mean = sum(count) { Double(value($0)) } / divisor
        return (mean, sum(count) { (Double(value($0)) - mean) * (Double(value($0)) - mean) } / divisor)
    }

    /// The sum of `term` over 0 ..< count, in four interleaved partial sums: one running sum would make
    /// every addition wait for the one before.
    @inline(__always)
    private static func sum(_ count: Int, _ term: (Int) -> Double) -> Double {
        var partial = SIMD4<Double>.zero, i = 0
        while i + 4 <= count {
            partial += SIMD4(term(i), term(i + 1), term(i + 2), term(i + 3))
            i += 4
        }
        var total = (partial[0] + partial[1]) + (partial[2] + partial[3])
        while i < count {
            total += term(i)
            i += 1
        }
        return total
    }
}
