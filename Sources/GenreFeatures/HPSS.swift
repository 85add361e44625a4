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
        for kernel in [harmonicKernel, percussiveKernel] where kernel < 1 { throw .kernelSize(kernel) }
        for margin in [harmonicMargin, percussiveMargin] where !(margin >= 1) { throw .margin(margin) }
        guard power > 0 else { throw .power(power) }
        guard !containsNegative(magnitude.values) else { throw .negativeInput }
        // The sizes were checked above, so the filters cannot throw.
        let harmonic = try! magnitude.medianFiltered(size: harmonicKernel, along: .columns)
        let percussive = try! magnitude.medianFiltered(size: percussiveKernel, along: .rows)
        let splitZeros = harmonicMargin == 1 && percussiveMargin == 1
        return (checkedSoftmask(harmonic, reference: percussive, referenceScale: harmonicMargin, power: power,
                                splitZeros: splitZeros),
                checkedSoftmask(percussive, reference: harmonic, referenceScale: percussiveMargin, power: power,
                                splitZeros: splitZeros))
    }

    /// The harmonic and percussive magnitude spectrograms (`hpss(S)` for a real `S`): the input times each mask.
    public static func separate(
        magnitude: Matrix, harmonicKernel: Int = 31, percussiveKernel: Int = 31, power: Float = 2,
        harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> (harmonic: Matrix, percussive: Matrix) {
        let (harmonicMask, percussiveMask) = try masks(
            magnitude: magnitude, harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel, power: power,
            harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin)
        return (product(magnitude, harmonicMask), product(magnitude, percussiveMask))
    }

    /// The harmonic and percussive STFTs (`hpss(D)` for a complex `D`), ready for an inverse STFT:
    /// the magnitude is separated and each part keeps the phase of `stft`.
    public static func separate(
        stft: ComplexMatrix, harmonicKernel: Int = 31, percussiveKernel: Int = 31, power: Float = 2,
        harmonicMargin: Float = 1, percussiveMargin: Float = 1
    ) throws(HPSSError) -> (harmonic: ComplexMatrix, percussive: ComplexMatrix) {
        let polar = stft.magnitudeAndPhase()
        let (harmonicMask, percussiveMask) = try masks(
            magnitude: polar.magnitude, harmonicKernel: harmonicKernel, percussiveKernel: percussiveKernel,
            power: power, harmonicMargin: harmonicMargin, percussiveMargin: percussiveMargin)
        func part(_ mask: Matrix) -> ComplexMatrix {
            var result = polar.phase
            for i in mask.values.indices {
                let amplitude = polar.magnitude.values[i] * mask.values[i]
                result.real[i] *= amplitude
                result.imaginary[i] *= amplitude
            }
            return result
        }
        return (part(harmonicMask), part(percussiveMask))
    }

    /// `librosa.util.softmask(X, X_ref, power, split_zeros)`: (X / Z)^p / ((X / Z)^p + (X_ref / Z)^p)
    /// with Z = max(X, X_ref), computed in Float as librosa does for float32 input.
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
        return checkedSoftmask(x, reference: reference, power: power, splitZeros: splitZeros)
    }

    /// `softmask(x, reference * referenceScale)` for checked inputs. The loops have no branches, so that
    /// they vectorise: values of the (rare) positions below the threshold are computed, then replaced.
    private static func checkedSoftmask(_ x: Matrix, reference: Matrix, referenceScale: Float = 1, power: Float,
                                        splitZeros: Bool) -> Matrix {
        var mask = Matrix(rows: x.rows, columns: x.columns)
        let below: Float = splitZeros ? 0.5 : 0
        x.values.withUnsafeBufferPointer { own in
            reference.values.withUnsafeBufferPointer { other in
                mask.values.withUnsafeMutableBufferPointer { mask in
                    // Each case has its own loop so that the power is not looked at per value. numpy's
                    // `array ** p` does p = 1, 2, 0.5 exactly and others with powf.
                    switch power {
                    case .infinity:
                        for i in mask.indices { mask[i] = own[i] > other[i] * referenceScale ? 1 : 0 }
                    case 2: fill(mask, own, other, referenceScale, below) { $0 * $0 }
                    case 1: fill(mask, own, other, referenceScale, below) { $0 }
                    case 0.5: fill(mask, own, other, referenceScale, below) { $0.squareRoot() }
                    default: fill(mask, own, other, referenceScale, below) { pow($0, power) }
                    }
                }
            }
        }
        return mask
    }

    /// (x / z)^p / ((x / z)^p + (y / z)^p) with y = other * scale and z = max(x, y); `below` where z is
    /// below the smallest normal Float.
    @inline(__always)
    private static func fill(_ mask: UnsafeMutableBufferPointer<Float>, _ own: UnsafeBufferPointer<Float>,
                             _ other: UnsafeBufferPointer<Float>, _ scale: Float, _ below: Float,
                             _ raise: (Float) -> Float) {
        for i in mask.indices {
            let x = own[i], y = other[i] * scale
            let largest = x > y ? x : y
            let tiny = largest < Float.leastNormalMagnitude
            let z = tiny ? 1 : largest
            let a = raise(x / z), b = raise(y / z)
            let value = a / (a + b)
            mask[i] = tiny ? below : value
        }
    }

    /// Whether any value is below zero (-0 is not), checked on the sign bits first so that the common
    /// answer, no, costs one vectorised pass.
    private static func containsNegative(_ values: [Float]) -> Bool {
        let signs = values.reduce(UInt32(0)) { $0 | $1.bitPattern }
        return signs & 0x8000_0000 != 0 && values.contains { $0 < 0 }
    }

    private static func product(_ a: Matrix, _ b: Matrix) -> Matrix {
        var result = a
        for i in result.values.indices { result.values[i] *= b.values[i] }
        return result
    }
}

extension ComplexMatrix {
    /// `librosa.magphase`: the magnitude and the unit phase of each value, whose product is the value;
    /// a zero value gets phase 1 (as librosa, to avoid dividing by zero).
    public func magnitudeAndPhase() -> (magnitude: Matrix, phase: ComplexMatrix) {
        var magnitude = Matrix(rows: rows, columns: columns)
        var phase = ComplexMatrix(rows: rows, columns: columns)
        for i in real.indices {
            let length = hypotf(real[i], imaginary[i])
            magnitude.values[i] = length
            let divisor: Float = length == 0 ? 1 : length
            phase.real[i] = real[i] / divisor + (length == 0 ? 1 : 0)
            phase.imaginary[i] = imaginary[i] / divisor
        }
        return (magnitude, phase)
    }
}
