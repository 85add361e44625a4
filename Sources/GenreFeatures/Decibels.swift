import Foundation

/// Decibel scaling (`librosa.power_to_db`, `librosa.amplitude_to_db`), in float32 arithmetic where
/// librosa's is float32.
public enum Decibels {
    /// What 0 dB means.
    public enum Reference: Sendable {
        /// A fixed value (librosa's `ref=1.0`); applied in double precision as librosa does.
        case value(Double)
        /// The largest input value (librosa's `ref=np.max`).
        case maximum
        /// A value computed from the inputs (magnitudes for `amplitude`), like a callable `ref`.
        case function(@Sendable ([Float]) -> Float)
    }

    /// 10 log10(max(amin, S) / max(amin, ref)), then floored at `topDB` below the peak when given.
    public static func power(_ spectrogram: Matrix, reference: Reference = .value(1), amin: Double = 1e-10,
                             topDB: Double? = 80) throws(SpectralError) -> Matrix {
        Matrix(rows: spectrogram.rows, columns: spectrogram.columns,
               values: try power(spectrogram.values, reference: reference, amin: amin, topDB: topDB))
    }

    /// `power` of a flat array.
    public static func power(_ values: [Float], reference: Reference = .value(1), amin: Double = 1e-10,
                             topDB: Double? = 80) throws(SpectralError) -> [Float] {
        try validate(amin: amin, topDB: topDB)
        let resolved: Resolved = switch reference {
        case .value(let value): .double(abs(value))
        case .maximum: .float(values.max() ?? 0)
        case .function(let function): .float(function(values))
        }
        return convert(values, reference: resolved, amin: amin, topDB: topDB)
    }

    /// 20 log10(max(amin, |S|) / max(amin, ref)), floored at `topDB` below the peak when given:
    /// librosa squares the magnitudes (in float32) and converts them as power.
    public static func amplitude(_ spectrogram: Matrix, reference: Reference = .value(1), amin: Double = 1e-5,
                                 topDB: Double? = 80) throws(SpectralError) -> Matrix {
        try validate(amin: amin, topDB: topDB)
        let magnitudes = spectrogram.values.map { abs($0) }
        let resolved: Resolved = switch reference {
        case .value(let value): .double(value * value)
        case .maximum: .float(squared(magnitudes.max() ?? 0))
        case .function(let function): .float(squared(function(magnitudes)))
        }
        let power = magnitudes.map { $0 * $0 }
        return Matrix(rows: spectrogram.rows, columns: spectrogram.columns,
                      values: convert(power, reference: resolved, amin: amin * amin, topDB: topDB))
    }

    /// The reference in the precision librosa applies it: a Python float stays float64, a value
    /// computed from float32 data is float32.
    enum Resolved {
        case double(Double)
        case float(Float)
    }

    /// power_to_db's arithmetic for float32 or float64 data.
    static func convert<T: BinaryFloatingPoint>(_ values: [T], reference: Resolved, amin: Double,
                                                topDB: Double?) -> [T] {
        let floor = T(amin)
        // log10 as the natural log times log10(e): within a double rounding of log10, which glibc
        // computes several times slower.
        @inline(__always) func decibels(_ value: T) -> T { T(10) * T(log(Double(max(value, floor))) * log10e) }
        // The reference is taken off in the same pass as the logarithm.
        var result: [T]
        switch reference {
        case .double(let value):
            let offset = 10 * log10(max(amin, value))
            result = offset == 0 ? values.map(decibels) : values.map { T(Double(decibels($0)) - offset) }
        case .float(let value):
            let offset = decibels(T(value))
            result = values.map { decibels($0) - offset }
        }
        if let topDB, let peak = result.max() {
            let threshold = peak - T(topDB)
            for i in result.indices { result[i] = max(result[i], threshold) }
        }
        return result
    }

    private static func squared(_ value: Float) -> Float { value * value }

    private static let log10e = 1 / M_LN10

    private static func validate(amin: Double, topDB: Double?) throws(SpectralError) {
        guard amin > 0 else { throw .parameterOutOfRange(name: "amin", value: "\(amin)", valid: "strictly positive") }
        if let topDB, !(topDB >= 0) {
            throw .parameterOutOfRange(name: "topDB", value: "\(topDB)", valid: "non-negative (or nil)")
        }
    }
}
