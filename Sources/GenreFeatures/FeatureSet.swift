/// A named list of per-clip feature values: one row of a feature table.
public protocol FeatureSet: Sendable {
    /// The name the command line knows it by (`gtzan57`).
    var name: String { get }
    /// The sample rate in Hz the features are defined at; audio is decoded to it.
    var sampleRate: Int { get }
    /// Column names of the values `extract` returns, in order.
    var columns: [String] { get }
    /// The fewest samples a clip needs for the features to be defined.
    var minimumSamples: Int { get }
    /// One value per column for a mono clip at `sampleRate`. Never NaN or infinite.
    func extract(_ samples: [Float]) throws -> [Double]
    /// `extract` of each clip, in order; a set that runs a network runs them through it together.
    func extract(clips: [[Float]]) throws -> [[Double]]
}

extension FeatureSet {
    public func extract(clips: [[Float]]) throws -> [[Double]] { try clips.map(extract) }
}

/// A feature set whose values for a whole clip can be computed as its samples come, so that a
/// clip of any length needs little memory.
public protocol StreamingFeatureSet: FeatureSet {
    func accumulator() -> any FeatureAccumulator
}

/// The values of one clip, fed its samples in order.
public protocol FeatureAccumulator {
    mutating func append(_ samples: [Float]) throws
    /// `extract` of all the samples appended.
    mutating func finish() throws -> [Double]
}

/// The feature sets GenreKit knows, by name.
public enum FeatureSets {
    public static let all: [any FeatureSet] = [GTZAN57(), LogMelPatch.logmel128, LogMelPatch.logmel96]

    public static func named(_ name: String) -> (any FeatureSet)? {
        all.first { $0.name == name.lowercased() }
    }
}

/// A clip the feature set cannot describe.
public enum FeatureError: Error, CustomStringConvertible, Equatable {
    case tooShort(samples: Int, minimum: Int, sampleRate: Int)
    /// A value came out NaN or infinite: a defect, reported instead of written.
    case notFinite(column: String)

    public var description: String {
        switch self {
        case let .tooShort(samples, minimum, sampleRate):
            let seconds = Double(samples) / Double(sampleRate)
            return "too short: \(samples) samples (\(String(format: "%.3f", seconds)) s at \(sampleRate) Hz); "
                + "at least \(minimum) samples (one analysis frame) are needed"
        case let .notFinite(column):
            return "the feature \(column) came out NaN or infinite; please report this file as a GenreKit bug"
        }
    }
}
