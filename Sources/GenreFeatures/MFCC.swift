import Foundation

/// The orthonormal DCT-II (`scipy.fft.dct(x, type=2, norm="ortho")`) along the rows of a matrix,
/// keeping the first `count` coefficients. Computed as a product with a double-precision basis.
public struct DCT: Sendable {
    public let size: Int
    public let count: Int
    /// basis[c * size + n] = f_c cos(π c (2n + 1) / 2size), f_0 = sqrt(1/size), f_c = sqrt(2/size).
    private let basis: [Double]

    public init(size: Int, count: Int) throws(SpectralError) {
        guard size >= 1 else { throw .parameterOutOfRange(name: "DCT size", value: "\(size)", valid: "at least 1") }
        guard (1...size).contains(count) else {
            throw .parameterOutOfRange(name: "coefficient count", value: "\(count)", valid: "in 1...\(size)")
        }
        self.size = size
        self.count = count
        basis = (0..<count).flatMap { c in
            let scale = (Double(c == 0 ? 1 : 2) / Double(size)).squareRoot()
            return (0..<size).map { n in scale * cos(Double.pi * Double(c * (2 * n + 1)) / Double(2 * size)) }
        }
    }

    /// (size, t) → (count, t).
    public func apply(_ matrix: Matrix) throws(SpectralError) -> Matrix {
        guard matrix.rows == size else {
            throw .shapeMismatch("a DCT of size \(size) needs \(size) rows, not \(matrix.rows)")
        }
        let frames = matrix.columns
        var result = Matrix(rows: count, columns: frames)
        var sums = [Double](repeating: 0, count: frames)
        matrix.values.withUnsafeBufferPointer { values in
            for c in 0..<count {
                for t in 0..<frames { sums[t] = 0 }
                for n in 0..<size {
                    let weight = basis[c * size + n], row = values.baseAddress! + n * frames
                    for t in 0..<frames { sums[t] += weight * Double(row[t]) }
                }
                for t in 0..<frames { result[c, t] = Float(sums[t]) }
            }
        }
        return result
    }
}

/// Mel-frequency cepstral coefficients (`librosa.feature.mfcc`, DCT type 2 with norm "ortho").
public enum MFCC {
    /// The first `count` coefficients of a dB-scaled mel spectrogram (nMels, t) → (count, t).
    /// `lifter` > 0 scales coefficient c by 1 + (lifter / 2) sin(π (c + 1) / lifter), in float32.
    public static func fromDecibels(_ melDecibels: Matrix, count: Int = 20, lifter: Double = 0) throws(SpectralError) -> Matrix {
        guard lifter >= 0 else {
            throw .parameterOutOfRange(name: "lifter", value: "\(lifter)", valid: "non-negative")
        }
        var coefficients = try DCT(size: melDecibels.rows, count: count).apply(melDecibels)
        guard lifter > 0 else { return coefficients }
        for c in 0..<count {
            let sine = Float(sin(Double(Float.pi * Float(c + 1) / Float(lifter))))
            let factor = 1 + Float(lifter / 2) * sine
            for t in 0..<coefficients.columns { coefficients[c, t] *= factor }
        }
        return coefficients
    }

    /// MFCCs of a signal: power mel spectrogram, `Decibels.power` with librosa's defaults (ref 1,
    /// amin 1e-10, top 80 dB), then `fromDecibels`.
    public static func compute(
        signal: [Float], sampleRate: Int = 22050, count: Int = 20, lifter: Double = 0,
        stft: STFTSettings = STFTSettings(), mel: MelSettings = MelSettings()
    ) throws(SpectralError) -> Matrix {
        let melPower = try MelFilterBank.spectrogram(of: signal, sampleRate: sampleRate, stft: stft, settings: mel)
        return try fromDecibels(try Decibels.power(melPower), count: count, lifter: lifter)
    }
}
