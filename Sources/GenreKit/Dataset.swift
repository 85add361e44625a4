import Foundation

/// One labelled piece of music. Every protocol splits tracks, never their segments, and keeps a
/// group (an artist) on one side of a split.
public struct Track: Sendable, Hashable {
    /// Unique in its dataset: GTZAN's `blues.00000`, an FMA track number, a manifest's `id`.
    public let id: String
    public let label: String
    /// The artist where known, else the track itself.
    public let group: String
    /// `train`, `valid` or `test` where the source says.
    public let split: String?
    /// The audio file; nil for a row of a feature table.
    public let path: String?

    public init(id: String, label: String, group: String? = nil, split: String? = nil, path: String? = nil) {
        self.id = id
        self.label = label
        self.group = group.flatMap { $0.isEmpty ? nil : $0 } ?? id
        self.split = split.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        self.path = path
    }

    /// A track's id from its file name: the name without folder and audio extension
    /// (`blues/blues.00029.wav` and `blues.00029` are both `blues.00029`).
    public static func id(forPath path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex,
              AudioDecoder.supportedExtensions.contains(name[name.index(after: dot)...].lowercased())
        else { return name }
        return String(name[..<dot])
    }
}

/// Why a dataset could not be read.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case missingColumn(path: String, column: String)
    case malformedRow(path: String, line: Int, reason: String)
    case duplicateTrack(path: String, id: String)
    case empty(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the dataset: \(reason)"
        case .missingColumn(let path, let column): "\(path): the header has no '\(column)' column"
        case .malformedRow(let path, let line, let reason): "\(path), line \(line): \(reason)"
        case .duplicateTrack(let path, let id): "\(path): track '\(id)' appears twice"
        case .empty(let path, let reason): "\(path): \(reason)"
        }
    }
}

/// Labelled audio tracks: a `<genre>/<file>` folder, a manifest CSV or FMA's metadata.
public struct AudioDataset: Sendable {
    public let tracks: [Track]
    /// Where the tracks came from, for a model's provenance.
    public let source: String

    public init(tracks: [Track], source: String) {
        self.tracks = tracks
        self.source = source
    }

    /// GTZAN's layout: every audio file below `folder` is labelled by the first folder under it.
    public init(folder: String) throws(DatasetError) {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let found = AudioInputs.audioFiles(in: base, extensions: AudioDecoder.supportedExtensions)
        // A training set silently missing a folder would be scored as if it were whole.
        if let problem = found.unreadable.first { throw .unreadable(path: problem.path, reason: problem.reason) }
        var tracks: [Track] = []
        for file in found.files {
            let relative = file.dropFirst(base.count + 1).split(separator: "/")
            guard relative.count >= 2 else { continue }   // files beside the genre folders have no label
            tracks.append(Track(id: Track.id(forPath: file), label: String(relative[0]), path: file))
        }
        guard !tracks.isEmpty else {
            throw .empty(path: folder, reason: "no audio files in <genre>/ folders below it")
        }
        self.init(tracks: try Self.checkedUnique(tracks, source: folder), source: folder)
    }

    /// A CSV with a header naming `path` and `label` (or `genre`), optionally `group` (or `artist`),
    /// `split` and `id`. Relative paths are relative to the manifest's folder.
    public init(manifest path: String) throws(DatasetError) {
        let table = try CSVFile(path: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let pathColumn = try table.column("path")
        let labelColumn = try table.column("label", or: "genre")
        let groupColumn = table.optionalColumn("group", or: "artist")
        let splitColumn = table.optionalColumn("split")
        let idColumn = table.optionalColumn("id")
        var tracks: [Track] = []
        for row in table.records {
            let file = row[pathColumn]
            guard !file.isEmpty, !row[labelColumn].isEmpty else {
                throw .malformedRow(path: path, line: row.line, reason: "empty path or label")
            }
            let resolved = file.hasPrefix("/") ? file : folder + "/" + file
            tracks.append(Track(id: idColumn.map { row[$0] } ?? Track.id(forPath: file), label: row[labelColumn],
                                group: groupColumn.map { row[$0] }, split: splitColumn.map { row[$0] },
                                path: resolved))
        }
        guard !tracks.isEmpty else { throw .empty(path: path, reason: "the manifest lists no tracks") }
        self.init(tracks: try Self.checkedUnique(tracks, source: path), source: path)
    }

    /// The Free Music Archive's `tracks.csv` (two header rows: field groups, then fields; the
    /// track id in the first column). Tracks with a top genre become `<audio>/<000>/<000123>.mp3`
    /// as FMA's archives lay them out; FMA's set split `training`/`validation`/`test` becomes
    /// `train`/`valid`/`test`, and the artist id the group.
    public init(fmaTracks path: String, audioFolder: String) throws(DatasetError) {
        let table = try CSVFile(path: path, headerRows: 2)
        let genreColumn = try table.column("track.genre_top")
        let artistColumn = try table.column("artist.id")
        let splitColumn = table.optionalColumn("set.split")
        var tracks: [Track] = []
        for row in table.records {
            guard let number = Int(row[0]) else {
                throw .malformedRow(path: path, line: row.line, reason: "track id '\(row[0])' is not a number")
            }
            let genre = row[genreColumn]
            guard !genre.isEmpty else { continue }   // FMA gives many tracks no top genre
            let id = String(format: "%06d", number)
            let split = splitColumn.map { ["training": "train", "validation": "valid"][row[$0]] ?? row[$0] }
            tracks.append(Track(id: id, label: genre, group: "artist " + row[artistColumn], split: split,
                                path: "\(audioFolder)/\(id.prefix(3))/\(id).mp3"))
        }
        guard !tracks.isEmpty else { throw .empty(path: path, reason: "no track has a top genre") }
        self.init(tracks: try Self.checkedUnique(tracks, source: path), source: path)
    }

    static func checkedUnique(_ tracks: [Track], source: String) throws(DatasetError) -> [Track] {
        var seen = Set<String>()
        for track in tracks where !seen.insert(track.id).inserted {
            throw .duplicateTrack(path: source, id: track.id)
        }
        return tracks
    }
}
