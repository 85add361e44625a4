import Foundation

/// A bad parameter or input of a spectral computation; the message names the valid range.
public enum SpectralError: Error, CustomStringConvertible, Equatable {
    /// `name` was `value`, outside `valid` (e.g. "in (0, 1)", "at least 1").
    case parameterOutOfRange(name: String, value: String, valid: String)
    /// The input has `length` samples or frames where the analysis needs at least `minimum`.
    case inputTooShort(name: String, length: Int, minimum: Int)
    /// An input's shape does not fit the others or the settings.
    case shapeMismatch(String)
    /// A spectrogram with negative values was given to a feature defined for energies.
    case negativeEnergy(feature: String)

    public var description: String {
        switch self {
        case .parameterOutOfRange(let name, let value, let valid):
            "\(name) is \(value) but must be \(valid)"
        case .inputTooShort(let name, let length, let minimum):
            "\(name) has length \(length) but needs at least \(minimum)"
        case .shapeMismatch(let why):
            why
        case .negativeEnergy(let feature):
            "\(feature) is only defined for non-negative energies: pass a magnitude spectrogram"
        }
    }
}

/// Spectral features of librosa (`librosa.feature.spectral_*`). Each takes a magnitude spectrogram
/// (1 + nFFT/2, t) so that one STFT serves every feature of a clip, and has a form that takes the
/// signal and STFT settings. `nFFT` defaults to 2 (bins - 1), as librosa infers it.
public enum Spectral {
    /// Spectral centroid per frame, (1, t): the mean frequency of each frame's normalised spectrum.
    public static func centroid(_ magnitude: Matrix, sampleRate: Int = 22050, nFFT: Int? = nil) throws(SpectralError) -> [Float] {
        let bins = try Bins(magnitude, sampleRate: sampleRate, nFFT: nFFT, feature: "spectral centroid")
        return bins.centroids(Bins.normalisers(bins.totals().double)).map(Float.init)
    }

    /// Spectral bandwidth per frame, (1, t): (Σ_k S[k] |f_k - centroid|^p)^(1/p), with S normalised
    /// to sum 1 per frame when `normalize` (librosa's `norm=True`).
    public static func bandwidth(_ magnitude: Matrix, sampleRate: Int = 22050, nFFT: Int? = nil, p: Double = 2,
                                 normalize: Bool = true) throws(SpectralError) -> [Float] {
        guard p > 0 else { throw .parameterOutOfRange(name: "p", value: "\(p)", valid: "positive") }
        let bins = try Bins(magnitude, sampleRate: sampleRate, nFFT: nFFT, feature: "spectral bandwidth")
        let normalisers = Bins.normalisers(bins.totals().double)
        return bins.bandwidths(normalisers, bins.centroids(normalisers), p: p, normalize: normalize)
    }

    /// Roll-off frequency per frame, (1, t): the lowest bin frequency at which the cumulative
    /// energy reaches `rollPercent` of the frame's total. Cumulative sums are float32 like librosa's,
    /// so the chosen bin matches its choice.
    public static func rolloff(_ magnitude: Matrix, sampleRate: Int = 22050, nFFT: Int? = nil,
                               rollPercent: Double = 0.85) throws(SpectralError) -> [Float] {
        guard rollPercent > 0, rollPercent < 1 else {
            throw .parameterOutOfRange(name: "rollPercent", value: "\(rollPercent)", valid: "in (0, 1)")
        }
        let bins = try Bins(magnitude, sampleRate: sampleRate, nFFT: nFFT, feature: "spectral roll-off")
        return bins.centroidsAndRolloffs(normalisers: nil, thresholds: Bins.thresholds(bins.totals().single, rollPercent)).rolloffs
    }

    /// `centroid`, `bandwidth` and `rolloff` with their defaults, sharing the work they have in
    /// common (checking the spectrogram, normalising frames, the centroids).
    static func centroidBandwidthRolloff(_ magnitude: Matrix, sampleRate: Int = 22050) throws(SpectralError)
        -> (centroid: [Float], bandwidth: [Float], rolloff: [Float]) {
        let bins = try Bins(magnitude, sampleRate: sampleRate, nFFT: nil, feature: "spectral centroid, bandwidth and roll-off")
        let totals = bins.totals()
        let normalisers = Bins.normalisers(totals.double)
        let found = bins.centroidsAndRolloffs(normalisers: normalisers, thresholds: Bins.thresholds(totals.single, 0.85))
        return (found.centroids.map(Float.init), bins.bandwidths(normalisers, found.centroids, p: 2, normalize: true),
                found.rolloffs)
    }

    /// Spectral flatness per frame, (1, t): geometric over arithmetic mean of max(amin, S^power).
    public static func flatness(_ magnitude: Matrix, amin: Double = 1e-10, power: Float = 2) throws(SpectralError) -> [Float] {
        guard amin > 0 else { throw .parameterOutOfRange(name: "amin", value: "\(amin)", valid: "strictly positive") }
        guard magnitude.rows >= 1 else { throw .inputTooShort(name: "spectrogram bins", length: 0, minimum: 1) }
        try requireNonNegative(magnitude, feature: "spectral flatness")
        // Σ log x as log of a product: x = m 2^e, Π m in double (renormalised before it can
        // overflow) and Σ e as an integer; exact to double rounding, and no logarithm per bin.
        // Every float32 is a normal double, so m and e are bit fields; a floor of at least the
        // smallest float32 keeps x above 0.
        let frames = magnitude.columns
        var products = [Double](repeating: 1, count: frames), sums = [Double](repeating: 0, count: frames)
        var exponents = [Int](repeating: 0, count: frames)
        let floor = max(Float(amin), .leastNonzeroMagnitude)
        products.withUnsafeMutableBufferPointer { products in
        sums.withUnsafeMutableBufferPointer { sums in
        exponents.withUnsafeMutableBufferPointer { exponents in
        magnitude.values.withUnsafeBufferPointer { values in
            for k in 0..<magnitude.rows {
                let row = values.baseAddress! + k * frames
                for t in 0..<frames {
                    let value = row[t]
                    let thresholded = Double(max(floor, power == 2 ? value * value : pow(value, power)))
                    let bits = thresholded.bitPattern
                    products[t] *= Double(bitPattern: bits & 0x000F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)
                    exponents[t] += Int(bits >> 52) - 1023
                    sums[t] += thresholded
                }
                if k % 512 == 511 {
                    for t in 0..<frames {
                        exponents[t] += Int(products[t].exponent)
                        products[t] = products[t].significand
                    }
                }
            }
        }}}}
        let count = Double(magnitude.rows)
        return (0..<frames).map { t in
            let meanLog = (Double(exponents[t]) * M_LN2 + log(products[t])) / count
            return Float(exp(Double(Float(meanLog)))) / Float(sums[t] / count)
        }
    }

    /// Spectral contrast, (nBands + 1, t): per octave band (below `fmin`, then doubling from it),
    /// the dB difference between the mean of the top and the bottom `quantile` of the band's
    /// magnitudes (their plain difference when `linear`).
    public static func contrast(_ magnitude: Matrix, sampleRate: Int = 22050, nFFT: Int? = nil, nBands: Int = 6,
                                fmin: Double = 200, quantile: Double = 0.02, linear: Bool = false) throws(SpectralError) -> Matrix {
        let bins = try Bins(magnitude, sampleRate: sampleRate, nFFT: nFFT, feature: "spectral contrast")
        guard nBands >= 1 else { throw .parameterOutOfRange(name: "nBands", value: "\(nBands)", valid: "at least 1") }
        guard quantile > 0, quantile < 1 else {
            throw .parameterOutOfRange(name: "quantile", value: "\(quantile)", valid: "in (0, 1)")
        }
        guard fmin > 0 else { throw .parameterOutOfRange(name: "fmin", value: "\(fmin)", valid: "positive") }
        let nyquist = 0.5 * Double(sampleRate)
        guard fmin * pow(2, Double(nBands - 1)) < nyquist else {
            throw .parameterOutOfRange(name: "fmin × 2^(nBands - 1)", value: "\(fmin * pow(2, Double(nBands - 1)))",
                                       valid: "below the Nyquist frequency \(nyquist): reduce fmin or nBands")
        }
        let edges = [0] + (0...nBands).map { fmin * pow(2, Double($0)) }
        let frames = magnitude.columns
        var peaks = [Double](), valleys = [Double]()
        for band in 0...nBands {
            // librosa's band: the bins within [low, high], plus the bin just below (above the first
            // band), plus everything above (last band); all but the last band then drop their top bin.
            let inside = bins.frequencies.indices.filter { (edges[band]...edges[band + 1]).contains(bins.frequencies[$0]) }
            guard let first = inside.first, let last = inside.last else {
                throw .shapeMismatch("contrast band \(band) (\(edges[band])...\(edges[band + 1]) Hz) holds no bin: use a larger nFFT")
            }
            let start = band > 0 ? first - 1 : first
            let end = band == nBands ? magnitude.rows : last + 1
            let members = end - start
            let rows = start ..< (band < nBands ? end - 1 : end)
            guard !rows.isEmpty else {
                throw .shapeMismatch("contrast band \(band) holds a single bin: use a larger nFFT")
            }
            let extreme = min(max(Int((quantile * Double(members)).rounded(.toNearestOrEven)), 1), rows.count)
            let (lows, highs) = Self.extremeSums(magnitude, rows: rows, count: extreme)
            valleys += lows.map { Double(Float($0 / Double(extreme))) }
            peaks += highs.map { Double(Float($0 / Double(extreme))) }
        }
        // Bands were appended band-major, frames within: already (nBands + 1, t) row-major.
        let values: [Double]
        if linear {
            values = zip(peaks, valleys).map { $0 - $1 }
        } else {
            let peakDB = Decibels.convert(peaks, reference: .double(1), amin: 1e-10, topDB: 80)
            let valleyDB = Decibels.convert(valleys, reference: .double(1), amin: 1e-10, topDB: 80)
            values = zip(peakDB, valleyDB).map { $0 - $1 }
        }
        return Matrix(rows: nBands + 1, columns: frames, values: values.map(Float.init))
    }

    // MARK: Forms that take the signal

    public static func centroid(signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings()) throws(SpectralError) -> [Float] {
        try centroid(try STFT(stft).magnitude(signal), sampleRate: sampleRate, nFFT: stft.nFFT)
    }

    public static func bandwidth(signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings(),
                                 p: Double = 2, normalize: Bool = true) throws(SpectralError) -> [Float] {
        try bandwidth(try STFT(stft).magnitude(signal), sampleRate: sampleRate, nFFT: stft.nFFT, p: p, normalize: normalize)
    }

    public static func rolloff(signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings(),
                               rollPercent: Double = 0.85) throws(SpectralError) -> [Float] {
        try rolloff(try STFT(stft).magnitude(signal), sampleRate: sampleRate, nFFT: stft.nFFT, rollPercent: rollPercent)
    }

    public static func flatness(signal: [Float], stft: STFTSettings = STFTSettings(), amin: Double = 1e-10,
                                power: Float = 2) throws(SpectralError) -> [Float] {
        try flatness(try STFT(stft).magnitude(signal), amin: amin, power: power)
    }

    public static func contrast(signal: [Float], sampleRate: Int = 22050, stft: STFTSettings = STFTSettings(),
                                nBands: Int = 6, fmin: Double = 200, quantile: Double = 0.02,
                                linear: Bool = false) throws(SpectralError) -> Matrix {
        try contrast(try STFT(stft).magnitude(signal), sampleRate: sampleRate, nFFT: stft.nFFT, nBands: nBands,
                     fmin: fmin, quantile: quantile, linear: linear)
    }

    // MARK: Helpers

    /// Per frame, the sums of the `count` smallest and the `count` largest values in `rows`. One
    /// pass over the rows, four frames per vector, each value passed through a compare-exchange
    /// chain that keeps the extremes sorted (count is small: a quantile of a band). Branch-free, so
    /// spectra that fall steadily with frequency (every value a new low) cost no more than others.
    private static func extremeSums(_ magnitude: Matrix, rows: Range<Int>, count: Int) -> (lows: [Double], highs: [Double]) {
        typealias Lanes = SIMD4<Float>
        let frames = magnitude.columns, groups = (frames + 3) / 4
        // Group g's extremes at [g * count, (g + 1) * count): lows ascending, highs descending.
        var lows = [Lanes](repeating: Lanes(repeating: .infinity), count: groups * count)
        var highs = [Lanes](repeating: Lanes(repeating: -.infinity), count: groups * count)
        magnitude.values.withUnsafeBufferPointer { values in
        lows.withUnsafeMutableBufferPointer { lows in
        highs.withUnsafeMutableBufferPointer { highs in
            for k in rows {
                let row = values.baseAddress! + k * frames
                for g in 0..<groups {
                    var low = g * 4 + 4 <= frames
                        ? UnsafeRawPointer(row + g * 4).loadUnaligned(as: Lanes.self)
                        : Lanes((0..<4).map { g * 4 + $0 < frames ? row[g * 4 + $0] : 0 })
                    var high = low
                    for i in g * count ..< (g + 1) * count {
                        let kept = lows[i], smaller = low .< kept
                        lows[i] = kept.replacing(with: low, where: smaller)
                        low = low.replacing(with: kept, where: smaller)
                        let top = highs[i], larger = high .> top
                        highs[i] = top.replacing(with: high, where: larger)
                        high = high.replacing(with: top, where: larger)
                    }
                }
            }
        }}}
        func sums(_ extremes: [Lanes]) -> [Double] {
            (0..<frames).map { t in
                extremes[t / 4 * count ..< (t / 4 + 1) * count].reduce(0.0) { $0 + Double($1[t % 4]) }
            }
        }
        return (sums(lows), sums(highs))
    }

    fileprivate static func requireNonNegative(_ magnitude: Matrix, feature: String) throws(SpectralError) {
        // 8 lanes at a time, as `np.any(S < 0)`.
        let negative = magnitude.values.withUnsafeBufferPointer { values in
            var lanes = SIMDMask<SIMD8<Int32>>(repeating: false), i = 0
            while i + 8 <= values.count {
                lanes .|= UnsafeRawPointer(values.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self) .< 0
                i += 8
            }
            return any(lanes) || values[i...].contains { $0 < 0 }
        }
        if negative { throw .negativeEnergy(feature: feature) }
    }
}

/// A validated magnitude spectrogram with the frequencies of its bins. The helpers walk it bin by
/// bin (rows are contiguous) and accumulate per frame, so their loops vectorise.
private struct Bins {
    let magnitude: Matrix
    let frequencies: [Double]
    var frames: Int { magnitude.columns }

    init(_ magnitude: Matrix, sampleRate: Int, nFFT: Int?, feature: String) throws(SpectralError) {
        guard magnitude.rows >= 2 else { throw .inputTooShort(name: "spectrogram bins", length: magnitude.rows, minimum: 2) }
        guard sampleRate >= 1 else { throw .parameterOutOfRange(name: "sampleRate", value: "\(sampleRate)", valid: "at least 1") }
        if let nFFT, nFFT / 2 + 1 != magnitude.rows {
            throw .shapeMismatch("nFFT \(nFFT) gives \(nFFT / 2 + 1) bins but the spectrogram has \(magnitude.rows)")
        }
        try Spectral.requireNonNegative(magnitude, feature: feature)
        self.magnitude = magnitude
        frequencies = Frequencies.fft(sampleRate: sampleRate, nFFT: nFFT ?? 2 * (magnitude.rows - 1))
    }

    /// Calls `body` with each bin index and a pointer to its values over the frames.
    func forEachRow(_ body: (Int, UnsafePointer<Float>) -> Void) {
        magnitude.values.withUnsafeBufferPointer { values in
            for k in 0..<magnitude.rows { body(k, values.baseAddress! + k * frames) }
        }
    }

    /// Per frame, Σ_k term(k, S[k, t], t) in double.
    @inline(__always)
    func sum(_ term: (Int, Float, Int) -> Double) -> [Double] {
        var sums = [Double](repeating: 0, count: frames)
        sums.withUnsafeMutableBufferPointer { sums in
            forEachRow { k, row in for t in 0..<frames { sums[t] += term(k, row[t], t) } }
        }
        return sums
    }

    /// Per frame, Σ_k S[k, t] in double (as `normalize` sums) and in float32 (the last row of
    /// librosa's float32 `cumsum` for the roll-off), in one pass.
    func totals() -> (double: [Double], single: [Float]) {
        var double = [Double](repeating: 0, count: frames), single = [Float](repeating: 0, count: frames)
        double.withUnsafeMutableBufferPointer { double in
            single.withUnsafeMutableBufferPointer { single in
                forEachRow { _, row in
                    for t in 0..<frames {
                        double[t] += Double(row[t])
                        single[t] += row[t]
                    }
                }
            }
        }
        return (double, single)
    }

    /// What librosa divides each frame by in `normalize(norm=1)`: the frame's sum in double, or 1
    /// when that is below float32's smallest normal number.
    static func normalisers(_ totals: [Double]) -> [Double] {
        totals.map { $0 < Double(Float.leastNormalMagnitude) ? 1 : $0 }
    }

    /// The cumulative energy each frame's roll-off must reach, in float32 as librosa's.
    static func thresholds(_ totals: [Float], _ rollPercent: Double) -> [Float] {
        totals.map { Float(rollPercent) * $0 }
    }

    /// Centroids in double (librosa's result is float64) from S / normaliser rounded to float32,
    /// as librosa stores the normalised spectrogram.
    func centroids(_ normalisers: [Double]) -> [Double] {
        centroidsAndRolloffs(normalisers: normalisers, thresholds: nil).centroids
    }

    /// The centroids (with `normalisers`) and the roll-off frequencies (with `thresholds`, see
    /// `Spectral.rolloff`) from one pass over the bins; what is not asked for comes back empty.
    ///
    /// The float32 cumulative sums never fall, as the values are non-negative: a frame's roll-off
    /// bin is the count of bins whose cumulative sum is still below the threshold, counted without
    /// a branch. A frame that never reaches it (NaN) gets NaN.
    func centroidsAndRolloffs(normalisers: [Double]?, thresholds: [Float]?) -> (centroids: [Double], rolloffs: [Float]) {
        let reciprocals = normalisers?.map { 1 / $0 } ?? []
        var centroids = [Double](repeating: 0, count: normalisers == nil ? 0 : frames)
        var cumulative = [Float](repeating: 0, count: thresholds == nil ? 0 : frames)
        var below = [Int32](repeating: 0, count: cumulative.count)
        reciprocals.withUnsafeBufferPointer { reciprocals in
        (thresholds ?? []).withUnsafeBufferPointer { thresholds in
        centroids.withUnsafeMutableBufferPointer { centroids in
        cumulative.withUnsafeMutableBufferPointer { cumulative in
        below.withUnsafeMutableBufferPointer { below in
            forEachRow { k, row in
                if !centroids.isEmpty {
                    let frequency = frequencies[k]
                    for t in 0..<frames { centroids[t] += frequency * Self.normalised(row[t], reciprocals[t]) }
                }
                if !cumulative.isEmpty {
                    for t in 0..<frames {
                        cumulative[t] += row[t]
                        below[t] &+= cumulative[t] >= thresholds[t] ? 0 : 1
                    }
                }
            }
        }}}}}
        let rolloffs = below.map { Int($0) < magnitude.rows ? Float(frequencies[Int($0)]) : .nan }
        return (centroids, rolloffs)
    }

    /// S / normaliser rounded to float32, as librosa stores the normalised spectrogram; as a product
    /// with the reciprocal (within a double rounding of the quotient, and several times faster).
    @inline(__always)
    private static func normalised(_ value: Float, _ reciprocal: Double) -> Double {
        Double(Float(Double(value) * reciprocal))
    }

    /// Bandwidths (see `Spectral.bandwidth`) around the given centroids.
    func bandwidths(_ normalisers: [Double], _ centroids: [Double], p: Double, normalize: Bool) -> [Float] {
        // Without normalisation the weight is the value itself: normalised(value, 1) is exactly that.
        let reciprocals = normalisers.map { normalize ? 1 / $0 : 1 }
        /// The sums for one power, so that the loop over frames has no branch and vectorises.
        @inline(__always)
        func sums(_ raise: (Double) -> Double) -> [Double] {
            reciprocals.withUnsafeBufferPointer { reciprocals in
                centroids.withUnsafeBufferPointer { centroids in
                    sum { k, value, t in Self.normalised(value, reciprocals[t]) * raise(abs(frequencies[k] - centroids[t])) }
                }
            }
        }
        return (p == 2 ? sums { $0 * $0 } : sums { pow($0, p) }).map { Float(pow($0, 1 / p)) }
    }

}
