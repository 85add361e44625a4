import Foundation
import GenreKit
import GRDB

/// Which indexed songs `genre library list` shows (present ones only).
public struct SongFilter: Sendable {
    /// The audio's most probable genre.
    public var genre: String?
    /// One of the song's `topTags` most probable MSD tags (case does not matter).
    public var tag: String?
    /// The least probability of the most probable genre.
    public var minConfidence: Double?
    /// Only songs whose genre tag names another genre than the audio's (`SongFilter.disagrees`).
    public var disagreeing = false

    /// How far down a song's MSD tags `tag` is looked for.
    public static let topTags = 5

    public init(genre: String? = nil, tag: String? = nil, minConfidence: Double? = nil, disagreeing: Bool = false) {
        (self.genre, self.tag, self.minConfidence, self.disagreeing) = (genre, tag, minConfidence, disagreeing)
    }

    func accepts(_ song: IndexedSong) -> Bool {
        if let tag, !song.msdTags.prefix(Self.topTags).contains(where: { $0.genre.caseInsensitiveCompare(tag) == .orderedSame }) { return false }
        return !disagreeing || Self.disagrees(tag: song.tags.genre, audio: song.topGenre)
    }

    /// Whether a file's genre tag names another genre than its audio's: compared by letters alone,
    /// so "Hip-Hop" is hiphop; an absent tag disagrees with nothing.
    public static func disagrees(tag: String?, audio: String) -> Bool {
        guard let tag else { return false }
        func letters(_ text: String) -> String { String(text.lowercased().filter(\.isLetter)) }
        return letters(tag) != letters(audio)
    }
}

/// A song as a listing shows it (`genre library list --format json`, the service's library):
/// where it is, what its audio says, what its tags say.
public struct SongSummary: Codable, Sendable {
    public let path: String
    public let genre: String
    public let confidence: Double
    public let genres: [GenreScore]
    public let tags: SongTags
    /// The most probable `SongFilter.topTags`.
    public let msdTags: [GenreScore]
    public let durationSeconds: Double

    public init(_ song: IndexedSong) {
        (path, genre, confidence, genres, tags) = (song.path, song.topGenre, song.confidence, song.genres, song.tags)
        (msdTags, durationSeconds) = (Array(song.msdTags.prefix(SongFilter.topTags)), song.durationSeconds)
    }
}

/// What `genre library stats` says.
public struct LibraryStats: Codable, Sendable {
    public struct GenreCount: Codable, Sendable {
        public let genre: String
        public let songs: Int
        public let meanConfidence: Double
    }

    public let songs: Int
    public let gone: Int
    public let failed: Int
    /// Present songs whose files carry a genre tag.
    public let withGenreTag: Int
    /// Present songs whose genre tag names another genre than the audio's.
    public let disagreeing: Int
    /// Most songs first.
    public let genres: [GenreCount]
    public let lastScan: ScanRecord?
}

extension LibraryDatabase {
    /// The present songs `filter` accepts, most confident first.
    public func songs(_ filter: SongFilter = SongFilter()) throws(LibraryError) -> [IndexedSong] {
        try read { db in
            var request = IndexedSong.filter(IndexedSong.Columns.present == true)
            if let genre = filter.genre { request = request.filter(IndexedSong.Columns.topGenre == genre) }
            if let minimum = filter.minConfidence { request = request.filter(Column("confidence") >= minimum) }
            return try request.order(Column("confidence").desc, IndexedSong.Columns.path).fetchAll(db).filter(filter.accepts)
        }
    }

    /// The song indexed at `path` (made absolute), present or gone.
    public func song(at path: String) throws(LibraryError) -> IndexedSong {
        guard let song = try indexedSong(at: path) else { throw .notIndexed(path: Self.absolute(path)) }
        return song
    }

    /// The song indexed at `path` (made absolute), present or gone; nil when there is none.
    public func indexedSong(at path: String) throws(LibraryError) -> IndexedSong? {
        let absolute = Self.absolute(path)
        return try read { db in try IndexedSong.filter(IndexedSong.Columns.path == absolute).fetchOne(db) }
    }

    /// The absolute form of `path` the index keys songs by.
    public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    public func stats() throws(LibraryError) -> LibraryStats {
        let present = try songs()
        return try read { db in
            let gone = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM song WHERE NOT present") ?? 0
            let failed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM failure") ?? 0
            let byGenre = Dictionary(grouping: present, by: \.topGenre).map { genre, songs in
                LibraryStats.GenreCount(genre: genre, songs: songs.count,
                                        meanConfidence: songs.map(\.confidence).reduce(0, +) / Double(songs.count))
            }.sorted { ($0.songs, $1.genre) > ($1.songs, $0.genre) }
            return LibraryStats(songs: present.count, gone: gone, failed: failed,
                                withGenreTag: present.filter { $0.tags.genre != nil }.count,
                                disagreeing: present.filter { SongFilter.disagrees(tag: $0.tags.genre, audio: $0.topGenre) }.count,
                                genres: byGenre,
                                lastScan: try ScanRecord.order(Column("finishedAt").desc).fetchOne(db))
        }
    }
}
