import Foundation
import GenreML

/// Feature rows ready for a model: one row per track, or one per segment (3 s window) of it.
/// Rows know their track, so a split of tracks carries every segment with its track.
public struct FeatureDataset: Sendable {
    public let tracks: [Track]
    /// The feature columns, without `filename` and `label`.
    public let columns: [String]
    public let x: RowMatrix
    /// The track (index into `tracks`) of each row.
    public let rowTrack: [Int]
    /// Class names, sorted: a label's class number is its index here.
    public let classes: [String]
    /// Where the rows came from, for a model's provenance.
    public let source: String
    /// Whether each row is an augmented copy (see `AudioAugmentation`): such rows are trained on
    /// with their track and never scored.
    public let isAugmented: [Bool]

    public init(tracks: [Track], columns: [String], x: RowMatrix, rowTrack: [Int], source: String, isAugmented: [Bool]? = nil) {
        precondition(x.rows == rowTrack.count && x.columns == columns.count && (isAugmented?.count ?? x.rows) == x.rows)
        self.tracks = tracks
        self.columns = columns
        self.x = x
        self.rowTrack = rowTrack
        self.classes = Set(tracks.map(\.label)).sorted()
        self.source = source
        self.isAugmented = isAugmented ?? [Bool](repeating: false, count: x.rows)
    }

    /// Columns a table may hold that are not features of the music: `length` (samples in the clip)
    /// would tell a model which clips are excerpts rather than what they sound like.
    public static let ignoredColumns: Set<String> = ["length"]

    /// Whether tracks have several rows (segments) or one each.
    public var isSegmented: Bool { isAugmented.filter { !$0 }.count > tracks.count }

    /// The class number of every row.
    public var labels: [Int] {
        let number = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return rowTrack.map { number[tracks[$0].label]! }
    }

    /// The group of every row, numbered: the group (artist, else the song) of its track, so that a
    /// song's windows, and an artist's songs, share one.
    public var rowGroups: [Int] {
        var number: [String: Int] = [:]
        let trackGroup = tracks.map { track in
            if let known = number[track.group] { return known }
            number[track.group] = number.count
            return number.count - 1
        }
        return rowTrack.map { trackGroup[$0] }
    }

    /// The rows of the tracks at `trackIndices`, in track order.
    public func rows(ofTracks trackIndices: some Sequence<Int>) -> [Int] {
        let wanted = Set(trackIndices)
        return rowTrack.indices.filter { wanted.contains(rowTrack[$0]) }
    }

    /// The dataset of the tracks at `trackIndices` only (in their order here), with their rows.
    public func restricted(toTracks trackIndices: [Int]) -> FeatureDataset {
        let kept = Set(trackIndices)
        let order = tracks.indices.filter { kept.contains($0) }
        let newIndex = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        let rows = rows(ofTracks: order)
        return FeatureDataset(tracks: order.map { tracks[$0] }, columns: columns, x: x.selecting(rows: rows),
                              rowTrack: rows.map { newIndex[rowTrack[$0]]! }, source: source, isAugmented: rows.map { isAugmented[$0] })
    }

    /// The table with split and group information taken from `dataset` where the ids match
    /// (feature tables carry neither).
    public func annotated(by dataset: AudioDataset) -> FeatureDataset {
        let known = Dictionary(dataset.tracks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let merged = tracks.map { track in
            known[track.id].map { Track(id: track.id, label: track.label, group: $0.group, split: $0.split, path: track.path) } ?? track
        }
        return FeatureDataset(tracks: merged, columns: columns, x: x, rowTrack: rowTrack, source: source, isAugmented: isAugmented)
    }
}

extension FeatureDataset {
    /// A table like `features_30_sec.csv` or `features_3_sec.csv` (or what `genre features` writes):
    /// `filename`, feature columns, `label`. Segment rows are named `<track>.<n>.<ext>` (`n` without
    /// leading zeros, so GTZAN's `blues.00012.wav` stays a track); rows without a label take it from
    /// a GTZAN-style name.
    public init(table path: String) throws(DatasetError) {
        let file = try CSVFile(path: path)
        let nameColumn = try file.column("filename")
        let labelColumn = try file.column("label")
        let featureColumns = file.header.indices.filter {
            $0 != nameColumn && $0 != labelColumn && !Self.ignoredColumns.contains(file.header[$0])
        }
        guard !featureColumns.isEmpty else { throw .missingColumn(path: path, column: "<features>") }

        var names: [(track: String, label: String)] = []
        var values: [Float] = []
        values.reserveCapacity(file.records.count * featureColumns.count)
        for record in file.records {
            let name = record[nameColumn], givenLabel = record[labelColumn]
            guard let label = givenLabel.isEmpty ? GTZANNames.label(forPath: name) : givenLabel else {
                throw .malformedRow(path: path, line: record.line, reason: "no label for '\(name)'")
            }
            for column in featureColumns {
                guard let value = record.float(column), value.isFinite else {
                    throw .malformedRow(path: path, line: record.line,
                                        reason: "'\(record[column])' in column \(file.header[column]) is not a finite number")
                }
                values.append(value)
            }
            names.append((name, label))
        }
        guard !names.isEmpty else { throw .empty(path: path, reason: "the table has no rows") }

        let trackNames = Self.trackNames(names.map(\.track))
        var tracks: [Track] = []
        var index: [String: Int] = [:]
        var rowTrack: [Int] = []
        for (row, name) in trackNames.enumerated() {
            if index[name] == nil {
                index[name] = tracks.count
                tracks.append(Track(id: name, label: names[row].label))
            } else if tracks[index[name]!].label != names[row].label {
                throw .malformedRow(path: path, line: file.records[row].line,
                                    reason: "track \(name) has segments labelled both \(tracks[index[name]!].label) and \(names[row].label)")
            }
            rowTrack.append(index[name]!)
        }
        self.init(tracks: tracks, columns: featureColumns.map { file.header[$0] },
                  x: RowMatrix(rows: names.count, columns: featureColumns.count, values: values),
                  rowTrack: rowTrack, source: path)
    }

    /// Track ids of row file names: `blues.00000.3.wav` -> `blues.00000` when several rows share
    /// that stem (a segment table), `blues.00000.wav` -> `blues.00000` otherwise.
    static func trackNames(_ fileNames: [String]) -> [String] {
        let stems = fileNames.map(Track.id(forPath:))
        let segmentStems = stems.map { stem -> String? in
            guard let dot = stem.lastIndex(of: "."), dot != stem.startIndex else { return nil }
            let index = stem[stem.index(after: dot)...]
            guard !index.isEmpty, index.allSatisfy(\.isASCIIDigit), index == "0" || index.first != "0" else { return nil }
            return String(stem[..<dot])
        }
        var counts: [String: Int] = [:]
        for case let stem? in segmentStems { counts[stem, default: 0] += 1 }
        let segmented = counts.values.contains { $0 > 1 }
        return zip(stems, segmentStems).map { stem, segmentStem in
            segmented ? segmentStem ?? stem : stem
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension FeatureDataset {
    /// Extracts the features of every track of `audio` on all cores. A track that cannot be
    /// analysed is left out and handed to `skipped` with the reason; the others go on.
    /// With `augmentation`, the tracks `augmenting` accepts also get augmented rows.
    public static func extracting(
        _ audio: AudioDataset, with extractor: FeatureExtractor, jobs: Int? = nil, quiet: Bool = false,
        augmentation: AudioAugmentation? = nil, augmenting: @escaping @Sendable (Track) -> Bool = { _ in true },
        skipped: (Track, any Error) -> Void
    ) async -> FeatureDataset {
        let featureIndices = extractor.featureSet.columns.indices.filter {
            !ignoredColumns.contains(extractor.featureSet.columns[$0])
        }
        var kept: [Track] = []
        var values: [Float] = []
        var rowTrack: [Int] = []
        var isAugmented: [Bool] = []
        await Batch(width: jobs, progress: quiet ? nil : "files").run(audio.tracks, work: { track in
            Result {
                let path = track.path ?? track.id
                let copies = try augmentation.flatMap { augmenting(track) ? try extractor.augmentedRows(for: path, by: $0, trackID: track.id) : nil }
                return (try extractor.rows(for: path).rows.map(\.values), copies ?? [])
            }
        }, deliver: { index, result in
            switch result {
            case .success(let (originals, copies)):
                for (row, augmented) in originals.map({ ($0, false) }) + copies.map({ ($0, true) }) {
                    values += featureIndices.map { Float(row[$0]) }
                    rowTrack.append(kept.count)
                    isAugmented.append(augmented)
                }
                kept.append(audio.tracks[index])
            case .failure(let error):
                skipped(audio.tracks[index], error)
            }
        })
        let columns = featureIndices.map { extractor.featureSet.columns[$0] }
        return FeatureDataset(tracks: kept, columns: columns,
                              x: RowMatrix(rows: rowTrack.count, columns: columns.count, values: values),
                              rowTrack: rowTrack, source: audio.source, isAugmented: isAugmented)
    }
}
