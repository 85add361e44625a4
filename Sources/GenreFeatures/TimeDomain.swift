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
        // crossingsBefore[i]: crossings between consecutive samples up to sample i.
        let crossingsBefore = [Int32](unsafeUninitializedCapacity: padded.count) { crossings, initialized in
            padded.withUnsafeBufferPointer { padded in
                var previous = Self.sign(padded[0], threshold: threshold, zeroPos: zeroPos), count: Int32 = 0
                crossings[0] = 0
                for i in 1 ..< padded.count {
                    let current = Self.sign(padded[i], threshold: threshold, zeroPos: zeroPos)
                    // Counted without a branch: signs of audio change too often to predict.
                    count += current != previous ? 1 : 0
                    crossings[i] = count
                    previous = current
                }
            }
            initialized = padded.count
        }
        return frameStarts(padded.count, frameLength, hopLength).map { start in
            Float(Double(crossingsBefore[start + frameLength - 1] - crossingsBefore[start]) / Double(frameLength))
        }
    }

    /// The sign librosa compares: values within ±threshold are zero, which counts as positive when
    /// `zeroPos`.
    @inline(__always)
    private static func sign(_ value: Float, threshold: Double, zeroPos: Bool) -> Int8 {
        let zero: Int8 = zeroPos ? 1 : 0, nonzero: Int8 = value.sign == .minus ? -1 : 1
        return abs(Double(value)) <= threshold ? zero : nonzero
    }

    /// Root mean square per frame, (1, t), from the signal padded by `padMode` when `center`.
    public static func rms(signal: [Float], frameLength: Int = 2048, hopLength: Int = 512, center: Bool = true,
                           padMode: PadMode = .constant) throws(SpectralError) -> [Float] {
        let padded = try framed(signal, frameLength: frameLength, hopLength: hopLength, center: center, padMode: padMode)
        // Frames are whole numbers of blocks of gcd(frameLength, hopLength) samples: sum each
        // block's squares once (float32 squares as librosa's, summed in double).
        var block = frameLength, other = hopLength
        while other != 0 { (block, other) = (other, block % other) }
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
