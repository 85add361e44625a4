import Foundation

/// The layout of a table of features, as GTZAN's published tables have it (`filename`, the
/// feature set's columns, `label`), and its rows as CSV lines or JSON objects, so that rows can be
/// written as each file is done.
public struct FeatureTable: Sendable {
    public let columns: [String]

    public struct Row: Sendable {
        public let filename: String
        public let values: [Double]
        public let label: String?
        /// The audio file as it was named to the run; JSON rows carry it (a table's CSV does not).
        public var path: String? = nil
    }

    public init(featureSet: any FeatureSet) {
        columns = ["filename"] + featureSet.columns + ["label"]
    }

    /// The CSV header line.
    public var csvHeader: String { columns.joined(separator: ",") + "\n" }

    /// A row as a CSV line (RFC 4180 quoting); numbers in their shortest exact decimal form, whole
    /// numbers (a length in samples) without a fraction.
    public func csvLine(_ row: Row) -> String {
        ([CSV.escape(row.filename)] + row.values.map(CSV.number) + [CSV.escape(row.label ?? "")]).joined(separator: ",") + "\n"
    }

    /// A row as a JSON object keyed by the table's columns (`label` null when unknown), and `path`.
    public func json(_ row: Row) -> JSONRow { JSONRow(columns: columns, row: row) }

    public struct JSONRow: Encodable {
        let columns: [String]
        let row: Row

        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(row.path, forKey: Key(stringValue: "path"))
            try container.encode(row.filename, forKey: Key(stringValue: columns[0]))
            for (column, value) in zip(columns.dropFirst(), row.values) { try container.encode(value, forKey: Key(stringValue: column)) }
            try container.encode(row.label, forKey: Key(stringValue: columns[columns.count - 1]))
        }
    }
}

/// Fields of comma-separated values (RFC 4180).
public enum CSV {
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Computes the feature rows of one audio file: decode, optionally cut into segments, extract.
public struct FeatureExtractor: Sendable {
    public let featureSet: any FeatureSet
    public let segmenter: Segmenter?
    let decoder: AudioDecoder

    public init(featureSet: any FeatureSet, segmenter: Segmenter? = nil,
                maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) {
        self.featureSet = featureSet
        self.segmenter = segmenter
        self.decoder = AudioDecoder(sampleRate: featureSet.sampleRate, maxDurationSeconds: maxDurationSeconds)
    }

    public struct Result: Sendable {
        public let rows: [FeatureTable.Row]
        /// Something worth saying that did not stop the file (it is silent, say).
        public let warning: String?
    }

    public func rows(for path: String) throws -> Result {
        let features = try WindowFeatures(path: path, decoder: decoder, featureSet: featureSet, segmenter: segmenter)
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let label = GTZANNames.label(forPath: path)
        let rows = features.rows.enumerated().map { index, values in
            FeatureTable.Row(filename: segmenter == nil ? fileName : GTZANNames.segmentName(fileName: fileName, index: index),
                             values: values, label: label, path: path)
        }
        return Result(rows: rows, warning: features.warning)
    }
}
