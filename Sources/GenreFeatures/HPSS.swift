import Foundation

/// A bad harmonic/percussive separation parameter or input.
public enum HPSSError: Error, CustomStringConvertible, Equatable {
    case kernelSize(Int)
    case margin(Float)
    case power(Float)
    case negativeInput
    case shapeMismatch(rows: Int, columns: Int, referenceRows: Int, referenceColumns: Int)

    public var description: String {
        switch self {
        case .kernelSize(let size): "median filter kernel size \(size) must be at least 1"
        case .margin(let margin): "margin \(margin) must be at least 1 (typically between 1 and 10)"
        case .power(let power): "mask power \(power) must be strictly positive (or infinity for a hard mask)"
        case .negativeInput: "the spectrograms given to a soft mask must be non-negative (magnitudes)"
        case let .shapeMismatch(rows, columns, referenceRows, referenceColumns):
            "shape mismatch: \(rows)x\(columns) against a reference of \(referenceRows)x\(referenceColumns)"
        }
    }
}

/// Median-filtering harmonic/percussive source separation, as `librosa.decompose.hpss` (Fitzgerald
/// 2010, with Driedger's margins). Spectrograms are (bins, frames).
public enum HPSS {
    /// The harmonic and percussive soft masks of a magnitude spectrogram (`hpss(S, mask=True)`).
    ///
    /// Harmonic sounds are smooth in time: a median across `harmonicKernel` frames keeps them; percussive
    /// ones are smooth in frequency: a median across `percussiveKernel` bins keeps them. Each mask is
    /// `softmask(own, other * margin, power)` (a hard 0/1 mask for an infinite power); with both margins
    /// 1, bins where both are ~0 split 0.5/0.5.
    public static func masks(
        magnitude: Matrix, harmonicKernel: Int = 31, percussiveKernel: Int = 31, power: Float = 2,
        harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> (harmonic: Matrix, percussive: Matrix) {
        try decompose(magnitude, harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel, power: power,
                      harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin, applyingMasks: false)
    }

    /// The harmonic soft mask alone (`hpss(S, mask=True)[0]`), the same as `masks(...).harmonic`
    /// with one spectrogram-sized array fewer written, for callers that need no other.
    public static func harmonicMask(
        magnitude: Matrix, harmonicKernel: Int = 31, percussiveKernel: Int = 31, power: Float = 2,
        harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> Matrix {
        try decompose(magnitude, harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel, power: power,
                      harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin, applyingMasks: false,
                      writingPercussive: false).harmonic
    }

    /// The harmonic and percussive magnitude spectrograms (`hpss(S)` for a real `S`): the input times each mask.
    public static func separate(
        magnitude: Matrix, harmonicKernel: Int = 31, percussiveKernel: Int = 31, power: Float = 2,
        harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> (harmonic: Matrix, percussive: Matrix) {
        try decompose(magnitude, harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel, power: power,
                      harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin, applyingMasks: true)
    }

    /// The harmonic and percussive STFTs (`hpss(D)` for a complex `D`), ready for an inverse STFT.
    ///
    /// librosa separates the magnitude and puts the phase back, (|D| * mask) * (D / |D|), which is
    /// D * mask up to rounding: that is what this computes. Pass `magnitude` (|D|) when it is at hand.
    public static func separate(
        stft: ComplexMatrix, magnitude: Matrix? = nil, harmonicKernel: Int = 31, percussiveKernel: Int = 31,
        power: Float = 2, harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> (harmonic: ComplexMatrix, percussive: ComplexMatrix) {
        let masks = try self.masks(
            magnitude: magnitude ?? stft.magnitude(), harmonicKernel: harmonicKernel,
            percussiveKernel: percussiveKernel, power: power, harmonicMargin: harmonicMargin,
            percussiveMargin: percussiveMargin)
        return (try stft.scaled(by: masks.harmonic), try stft.scaled(by: masks.percussive))
    }

    /// `librosa.util.softmask(X, X_ref, power, split_zeros)`: (X / Z)^p / ((X / Z)^p + (X_ref / Z)^p)
    /// with Z = max(X, X_ref), computed in Float as librosa does for float32 input (its divisions as
    /// products with reciprocals).
    ///
    /// Where Z is below the smallest normal Float (both ~0) the mask is 0.5 with `splitZeros`, else 0;
    /// an infinite `power` gives the hard mask X > X_ref.
    public static func softmask(_ x: Matrix, reference: Matrix, power: Float = 1,
                                splitZeros: Bool = false) throws(HPSSError) -> Matrix {
        guard x.rows == reference.rows, x.columns == reference.columns else {
            throw .shapeMismatch(rows: x.rows, columns: x.columns, referenceRows: reference.rows,
                                 referenceColumns: reference.columns)
        }
        guard !containsNegative(x.values), !containsNegative(reference.values) else { throw .negativeInput }
        guard power > 0 else { throw .power(power) }
        var mask = Matrix(rows: x.rows, columns: x.columns)
        withSoftmasks(power: power, splitZeros: splitZeros) { softmasks in
            for i in mask.values.indices { mask.values[i] = softmasks(x.values[i], reference.values[i]).x }
        }
        return mask
    }

    /// The two median filters, then both masks in one pass over them (the arrays are larger than the
    /// caches), multiplied by the magnitude when `applyingMasks`. Without `writingPercussive` the
    /// percussive result is left holding its median filter's output, for the caller to discard.
    private static func decompose(
        _ magnitude: Matrix, harmonicKernel: Int, percussiveKernel: Int, power: Float, harmonicMargin: Float,
        percussiveMargin: Float, applyingMasks: Bool, writingPercussive: Bool = true
    ) throws(HPSSError) -> (harmonic: Matrix, percussive: Matrix) {
        for kernel in [harmonicKernel, percussiveKernel] where kernel < 1 { throw .kernelSize(kernel) }
        for margin in [harmonicMargin, percussiveMargin] where !(margin >= 1) { throw .margin(margin) }
        guard power > 0 else { throw .power(power) }
        guard !containsNegative(magnitude.values) else { throw .negativeInput }
        // The sizes were checked above, so the filters cannot throw.
        var harmonic = try! magnitude.medianFiltered(size: harmonicKernel, along: .columns)
        var percussive = try! magnitude.medianFiltered(size: percussiveKernel, along: .rows)
        let splitZeros = harmonicMargin == 1 && percussiveMargin == 1
        withSoftmasks(power: power, splitZeros: splitZeros) { softmasks in
            harmonic.values.withUnsafeMutableBufferPointer { harmonic in
                percussive.values.withUnsafeMutableBufferPointer { percussive in
                    magnitude.values.withUnsafeBufferPointer { magnitude in
                        // Without margins each mask is the other's pair: one computation gives both.
                        if splitZeros {
                            for i in magnitude.indices {
                                let scale = applyingMasks ? magnitude[i] : 1
                                let masks = softmasks(harmonic[i], percussive[i])
                                harmonic[i] = scale * masks.x
                                if writingPercussive { percussive[i] = scale * masks.y }
                            }
                        } else {
                            for i in magnitude.indices {
                                let h = harmonic[i], p = percussive[i]
                                let scale = applyingMasks ? magnitude[i] : 1
                                harmonic[i] = scale * softmasks(h, p * harmonicMargin).x
                                if writingPercussive { percussive[i] = scale * softmasks(p, h * percussiveMargin).x }
                            }
                        }
                    }
                }
            }
        }
        return (harmonic, percussive)
    }

    /// Calls `body` with librosa's softmasks of two values against each other, (softmask(x, y),
    /// softmask(y, x)), for `power`; the pair shares Z and the sum. Each power gets its own copy of
    /// `body` so that loops never look at the power per value: numpy's `array ** p` does p = 1, 2 and
    /// 0.5 exactly and others with powf. The arithmetic has no branch, so that loops vectorise: where
    /// z = max(x, y) is below the smallest normal Float the value is computed with z = 1, then replaced.
    @inline(__always)
    private static func withSoftmasks(power: Float, splitZeros: Bool,
                                      _ body: ((Float, Float) -> (x: Float, y: Float)) -> Void) {
        let below: Float = splitZeros ? 0.5 : 0
        @inline(__always)
        func soft(_ x: Float, _ y: Float, _ raise: (Float) -> Float) -> (x: Float, y: Float) {
            let largest = x > y ? x : y
            let tiny = largest < Float.leastNormalMagnitude
            // Two reciprocals instead of four divisions (within a float rounding of librosa's quotients).
            let scale = 1 / (tiny ? 1 : largest)
            let a = raise(x * scale), b = raise(y * scale)
            let share = 1 / (a + b)
            return tiny ? (below, below) : (a * share, b * share)
        }
        switch power {
        case .infinity: body { x, y in (x > y ? 1 : 0, y > x ? 1 : 0) }
        case 2: body { x, y in soft(x, y) { $0 * $0 } }
        case 1: body { x, y in soft(x, y) { $0 } }
        case 0.5: body { x, y in soft(x, y) { $0.squareRoot() } }
        default: body { x, y in soft(x, y) { pow($0, power) } }
        }
    }

    /// Whether any value is below zero (-0 is not), checked on the sign bits first so that the common
    /// answer, no, costs one vectorised pass.
    private static func containsNegative(_ values: [Float]) -> Bool {
        let signs = values.reduce(UInt32(0)) { $0 | $1.bitPattern }
        return signs & 0x8000_0000 != 0 && values.contains { $0 < 0 }
    }
}

extension ComplexMatrix {
    /// Each value times the real value at the same place (a mask).
    public func scaled(by factors: Matrix) throws(HPSSError) -> ComplexMatrix {
        guard factors.rows == rows, factors.columns == columns else {
            throw .shapeMismatch(rows: factors.rows, columns: factors.columns, referenceRows: rows, referenceColumns: columns)
        }
        // One pass into uninitialised arrays: scaling a copy of self would copy both parts first.
        func scaled(_ part: [Float]) -> [Float] {
            [Float](unsafeUninitializedCapacity: part.count) { result, initialized in
                part.withUnsafeBufferPointer { part in
                    factors.values.withUnsafeBufferPointer { factors in
                        for i in 0..<part.count { result[i] = part[i] * factors[i] }
                    }
                }
                initialized = part.count
            }
        }
        return ComplexMatrix(rows: rows, columns: columns, real: scaled(real), imaginary: scaled(imaginary))
    }
}
