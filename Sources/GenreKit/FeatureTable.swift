import Foundation

/// Rows of features for a batch of audio files, in the layout of GTZAN's published tables:
/// `filename`, the feature set's columns, `label`.
public struct FeatureTable: Sendable {
    public let columns: [String]
    public private(set) var rows: [Row] = []

    public struct Row: Sendable {
        public let filename: String
        public let values: [Double]
        public let label: String?
    }

    public init(featureSet: any FeatureSet) {
        columns = ["filename"] + featureSet.columns + ["label"]
    }

    public mutating func append(contentsOf newRows: [Row]) { rows += newRows }

    /// The table as CSV (RFC 4180 quoting); numbers in their shortest exact decimal form, whole
    /// numbers (a length in samples) without a fraction.
    public func csv() -> String {
        var text = columns.joined(separator: ",") + "\n"
        for row in rows {
            let fields = [CSV.escape(row.filename)] + row.values.map(CSV.number) + [CSV.escape(row.label ?? "")]
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }
}

enum CSV {
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Computes the feature rows of one audio file: decode, optionally cut into segments, extract.
public struct FeatureExtractor: Sendable {
    public let featureSet: any FeatureSet
    public let segmenter: Segmenter?
    let decoder: AudioDecoder

    public init(featureSet: any FeatureSet, segmenter: Segmenter? = nil) {
        self.featureSet = featureSet
        self.segmenter = segmenter
        self.decoder = AudioDecoder(sampleRate: featureSet.sampleRate)
    }

    public struct Result: Sendable {
        public let rows: [FeatureTable.Row]
        /// Something worth saying that did not stop the file (it is silent, say).
        public let warning: String?
    }

    public func rows(for path: String) throws -> Result {
        let audio = try decoder.decode(path)
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let label = GTZANNames.label(forPath: path)
        let warning = DigitalSilence.warning(audio.samples)
        guard let segmenter else {
            let values = try featureSet.extract(audio.samples)
            return Result(rows: [.init(filename: fileName, values: values, label: label)], warning: warning)
        }
        let ranges = segmenter.ranges(sampleCount: audio.samples.count, sampleRate: audio.sampleRate)
        let rows = try featureSet.extract(clips: ranges.map { Array(audio.samples[$0]) }).enumerated().map { index, values in
            FeatureTable.Row(filename: GTZANNames.segmentName(fileName: fileName, index: index), values: values, label: label)
        }
        return Result(rows: rows, warning: warning)
    }
}
