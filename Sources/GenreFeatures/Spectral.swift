/// A bad parameter or input of a spectral computation; the message names the valid range.
public enum SpectralError: Error, CustomStringConvertible, Equatable {
    /// `name` was `value`, outside `valid` (e.g. "(0, 1)", "at least 1").
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
