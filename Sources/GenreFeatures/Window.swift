import Foundation

/// Analysis windows, periodic as `scipy.signal.get_window(name, length, fftbins=True)` makes them
/// (librosa's `filters.get_window`). Values are `Double` because scipy's are float64 and librosa
/// multiplies the float32 frames by them in float64.
public enum Window: String, Sendable, Equatable, CaseIterable {
    case hann
    case hamming
    /// scipy's "boxcar": all ones.
    case rectangular

    /// The `length` window values.
    public func values(length: Int) -> [Double] {
        precondition(length >= 0, "a window cannot have a negative length")
        // scipy returns ones for lengths 0 and 1.
        guard length > 1, let (a0, a1) = cosineCoefficients else { return [Double](repeating: 1, count: length) }
        // A periodic window is the symmetric one of length + 1 without its last value; scipy
        // evaluates a0 + a1 cos(x) on linspace(-π, π, length + 1).
        let step = (Double.pi - -Double.pi) / Double(length)
        return (0..<length).map { a0 + a1 * cos(Double($0) * step - Double.pi) }
    }

    /// The window of `length` values centred in `size` zeros, as librosa pads a window shorter than
    /// the FFT (`util.pad_center`).
    public func padded(length: Int, to size: Int) -> [Double] {
        precondition(length <= size, "a window of \(length) values does not fit in \(size)")
        let left = (size - length) / 2
        return [Double](repeating: 0, count: left) + values(length: length)
            + [Double](repeating: 0, count: size - length - left)
    }

    /// a0 and a1 of the generalised Hamming window a0 + a1 cos(x), x in [-π, π).
    private var cosineCoefficients: (Double, Double)? {
        switch self {
        case .hann: (0.5, 0.5)
        case .hamming: (0.54, 1 - 0.54)
        case .rectangular: nil
        }
    }
}
