import Foundation

/// Frame-wise features of the waveform (`librosa.feature.zero_crossing_rate`, `librosa.feature.rms`).
public enum TimeDomain {
    /// Fraction of zero crossings per frame, (1, t). Samples within ±`threshold` count as zero,
    /// and zero counts as positive when `zeroPos` (else as a sign of its own). With `center`, the
    /// signal is padded by repeating its edge samples, as librosa does for this feature.
    public static func zeroCrossingRate(_ signal: [Float], frameLength: Int = 2048, hopLength: Int = 512,
                                        center: Bool = true, threshold: Double = 1e-10,
                                        zeroPos: Bool = true) throws(SpectralError) -> [Float] {
        let padded = try framed(signal, frameLength: frameLength, hopLength: hopLength, center: center, padMode: .edge)
        // librosa compares |x| <= threshold in double: for a float32 x that is |x| <= the largest
        // float32 not above the threshold.
        var bound = Float(threshold)
        if Double(bound) > threshold { bound = bound.nextDown }
        let zero = SIMD4<Int32>(repeating: zeroPos ? 1 : 0)
        /// Each value's sign as librosa compares them: -1, 1, or `zero` within the threshold.
        @inline(__always)
        func signs(_ values: SIMD4<Float>) -> SIMD4<Int32> {
            let nonzero = (unsafeBitCast(values, to: SIMD4<Int32>.self) &>> 31) | 1
            return nonzero.replacing(with: zero, where: (values .<= bound) .& (values .>= -bound))
        }
        // Crossings between samples i - 1 and i (none into sample 0), counted per block of
        // gcd(frameLength, hopLength) samples; a frame from `start` sums its blocks, less the
        // crossing into `start`, which comes from before the frame.
        let block = greatestCommonDivisor(frameLength, hopLength), blocksPerFrame = frameLength / block
        return padded.withUnsafeBufferPointer { padded in
            let samples = padded.baseAddress!
            @inline(__always)
            func load(_ i: Int) -> SIMD4<Float> { UnsafeRawPointer(samples + i).loadUnaligned(as: SIMD4<Float>.self) }
            /// Crossings into samples `range`, four at a time and without a branch: signs of audio
            /// change too often to predict.
            func crossings(_ range: Range<Int>) -> Int32 {
                var counts = SIMD4<Int32>.zero, i = range.lowerBound
                while i + 4 <= range.upperBound {
                    counts &+= SIMD4(repeating: 0).replacing(with: 1, where: signs(load(i)) .!= signs(load(i - 1)))
                    i += 4
                }
                var count = counts.wrappedSum()
                for i in i ..< range.upperBound {
                    let pair = signs(SIMD4(padded[i], padded[i - 1], 0, 0))
                    count &+= pair[0] != pair[1] ? 1 : 0
                }
                return count
            }
            let blockCounts = stride(from: 0, to: padded.count - block + 1, by: block).map { crossings(max($0, 1) ..< $0 + block) }
            return frameStarts(padded.count, frameLength, hopLength).map { start in
                let count = blockCounts[start / block ..< start / block + blocksPerFrame].reduce(0, +)
                    - (start > 0 ? crossings(start ..< start + 1) : 0)
                return Float(Double(count) / Double(frameLength))
            }
        }
    }

    /// Root mean square per frame, (1, t), from the signal padded by `padMode` when `center`.
    public static func rms(signal: [Float], frameLength: Int = 2048, hopLength: Int = 512, center: Bool = true,
                           padMode: PadMode = .constant) throws(SpectralError) -> [Float] {
        let padded = try framed(signal, frameLength: frameLength, hopLength: hopLength, center: center, padMode: padMode)
        // Frames are whole numbers of blocks of gcd(frameLength, hopLength) samples: sum each
        // block's squares once (float32 squares as librosa's, summed in double).
        let block = greatestCommonDivisor(frameLength, hopLength)
        let blockSums = stride(from: 0, to: padded.count - block + 1, by: block).map { start in
            padded[start ..< start + block].reduce(0.0) { $0 + Double($1 * $1) }
        }
        let blocksPerFrame = frameLength / block
        return frameStarts(padded.count, frameLength, hopLength).map { start in
            let sum = blockSums[start / block ..< start / block + blocksPerFrame].reduce(0, +)
            return Float(sum / Double(frameLength)).squareRoot()
        }
    }

    /// Root mean square per frame, (1, t), from a magnitude spectrogram (1 + frameLength/2, t) by
    /// Parseval's theorem, as librosa's `S=` form: the DC bin and (for even frame lengths) the
    /// Nyquist bin count half. Exact for an STFT with a rectangular window.
    public static func rms(magnitude: Matrix, frameLength: Int = 2048) throws(SpectralError) -> [Float] {
        guard magnitude.rows == frameLength / 2 + 1 else {
            throw .parameterOutOfRange(name: "frameLength", value: "\(frameLength)",
                                       valid: "\(2 * magnitude.rows - 2) or \(2 * magnitude.rows - 1) for \(magnitude.rows) bins")
        }
        var sums = [Double](repeating: 0, count: magnitude.columns)
        for k in 0..<magnitude.rows {
            let halved = k == 0 || (k == magnitude.rows - 1 && frameLength % 2 == 0)
            for (t, value) in zip(sums.indices, magnitude.row(k)) {
                let power = value * value
                sums[t] += Double(halved ? power * 0.5 : power)
            }
        }
        let scale = Float(frameLength * frameLength)
        return sums.map { (2 * Float($0) / scale).squareRoot() }
    }

    /// The signal, padded by frameLength/2 at each end when `center`, checked to hold a frame.
    private static func framed(_ signal: [Float], frameLength: Int, hopLength: Int, center: Bool,
                               padMode: PadMode) throws(SpectralError) -> [Float] {
        guard frameLength >= 1 else {
            throw .parameterOutOfRange(name: "frameLength", value: "\(frameLength)", valid: "at least 1")
        }
        guard hopLength >= 1 else {
            throw .parameterOutOfRange(name: "hopLength", value: "\(hopLength)", valid: "at least 1")
        }
        guard !signal.isEmpty else { throw .inputTooShort(name: "signal", length: 0, minimum: 1) }
        let padded = center ? padMode.pad(signal, left: frameLength / 2, right: frameLength / 2) : signal
        guard padded.count >= frameLength else {
            throw .inputTooShort(name: "signal (uncentred frames)", length: signal.count, minimum: frameLength)
        }
        return padded
    }

    private static func frameStarts(_ length: Int, _ frameLength: Int, _ hopLength: Int) -> StrideTo<Int> {
        stride(from: 0, to: (length - frameLength) / hopLength * hopLength + 1, by: hopLength)
    }
}

func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
