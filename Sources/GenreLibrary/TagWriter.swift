import CTagLib
import Foundation
import GenreAudio
import GRDB

/// One genre tag a `genre library tag` run would write: the file, its value now, and the new one.
public struct TagChange: Sendable, Equatable {
    public let path: String
    public let old: String?
    public let new: String
}

/// Why a file was left alone.
public struct TagProblem: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason); left as it was" }
}

/// A previous value kept for `genre library undo`: one write of one run.
struct TagEdit: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "tagEdit"
    var id: Int64?
    var run: Int64
    var path: String
    var field: String
    var old: String?
    var new: String
    var at: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Writes genre tags into audio files, safely: each file is copied, the copy tagged through TagLib
/// (ID3v2.4 TCON for MP3, Vorbis comments for FLAC and Ogg, the ©gen atom for MP4), its decoded
/// audio checked to be the indexed audio sample for sample, and only then renamed over the
/// original. A file changed since the scan, read-only, or in a format TagLib cannot tag is left
/// alone and reported; every value written is kept in the index for `undo`.
public struct TagWriter: Sendable {
    public let database: LibraryDatabase

    public init(database: LibraryDatabase) {
        self.database = database
    }

    /// The genre name written for a model's label: "hiphop" is written "Hip-Hop", as ID3's genre
    /// list has it; others with a capital first letter.
    public static func tagValue(_ genre: String) -> String {
        genre == "hiphop" ? "Hip-Hop" : genre.prefix(1).uppercased() + genre.dropFirst()
    }

    /// The changes a run would make: present songs whose genre has at least `minConfidence`, whose
    /// tag names another genre (`keepExisting`: whose tag is empty).
    public func plan(minConfidence: Double, keepExisting: Bool) throws(LibraryError) -> [TagChange] {
        try database.songs(SongFilter(minConfidence: minConfidence)).compactMap { song in
            let old = song.tags.genre
            if keepExisting, old != nil { return nil }
            if let old, !SongFilter.disagrees(tag: old, audio: song.topGenre) { return nil }
            return TagChange(path: song.path, old: old, new: Self.tagValue(song.topGenre))
        }.sorted { $0.path < $1.path }
    }

    /// Writes `changes`, each whole or not at all; `problem` hears of each file left alone. The
    /// number written.
    public func write(_ changes: [TagChange], problem: (TagProblem) -> Void) throws(LibraryError) -> Int {
        let run = Int64(Date().timeIntervalSince1970 * 1000)
        var written = 0
        for change in changes {
            guard let song = try database.indexedSong(at: change.path) else { continue }
            do {
                try Self.rewrite(song, genre: change.new)
            } catch let failure as TagProblem {
                problem(failure)
                continue
            } catch {
                problem(TagProblem(path: change.path, reason: "\(error)"))
                continue
            }
            try record(song, old: change.old, new: change.new, run: run)
            written += 1
        }
        return written
    }

    /// Puts back the values of the last run that wrote any; the number restored.
    public func undo(problem: (TagProblem) -> Void) throws(LibraryError) -> Int {
        let edits = try database.read { db -> [TagEdit] in
            guard let run = try Int64.fetchOne(db, sql: "SELECT MAX(run) FROM tagEdit") else { return [] }
            return try TagEdit.filter(Column("run") == run).fetchAll(db)
        }
        var restored = 0
        for edit in edits {
            guard let song = try database.indexedSong(at: edit.path) else { continue }
            do {
                try Self.rewrite(song, genre: edit.old ?? "")
                try refresh(song, genre: edit.old)
                _ = try database.write { db in try TagEdit.deleteOne(db, key: edit.id) }
                restored += 1
            } catch let failure as TagProblem {
                problem(failure)
            } catch let error as LibraryError {
                throw error
            } catch {
                problem(TagProblem(path: edit.path, reason: "\(error)"))
            }
        }
        return restored
    }

    private func record(_ song: IndexedSong, old: String?, new: String, run: Int64) throws(LibraryError) {
        try refresh(song, genre: new)
        try database.write { db in
            var edit = TagEdit(id: nil, run: run, path: song.path, field: "genre", old: old, new: new, at: Date())
            try edit.insert(db)
        }
    }

    /// The index's row after a write: the new tag, size and modification time (the audio is the same).
    private func refresh(_ song: IndexedSong, genre: String?) throws(LibraryError) {
        guard let stamp = FileStamp(song.path) else { return }
        var updated = song
        updated.tags.genre = genre.flatMap { $0.isEmpty ? nil : $0 }
        (updated.size, updated.modified) = (stamp.size, stamp.modified)
        try database.write { db in try updated.update(db) }
    }

    /// Copies the file, tags the copy, checks its audio against the index's hash, and renames it
    /// over the original. An empty `genre` removes the tag.
    static func rewrite(_ song: IndexedSong, genre: String) throws {
        let path = song.path
        guard let stamp = FileStamp(path) else { throw TagProblem(path: path, reason: "it is gone") }
        guard stamp.size == song.size, stamp.modified == song.modified else {
            throw TagProblem(path: path, reason: "it changed since the last scan (scan again first)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        // A file without write permission is one its owner keeps as it is, even from root.
        guard access(path, W_OK) == 0, access(folder, W_OK) == 0, stamp.mode & 0o222 != 0 else {
            throw TagProblem(path: path, reason: "it (or its folder) is read-only")
        }
        // Hidden, beside the file, with its extension: TagLib tells formats by the extension.
        let name = (path as NSString).lastPathComponent, stem = (name as NSString).deletingPathExtension
        let copy = (folder as NSString).appendingPathComponent(".\(stem).genrekit-\(UUID().uuidString.prefix(8)).\((name as NSString).pathExtension)")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        guard chmod(copy, stamp.mode & 0o7777) == 0 else { throw TagProblem(path: path, reason: "its copy's permissions cannot be set") }
        guard let file = taglib_file_new(copy) else { throw TagProblem(path: path, reason: "TagLib cannot write tags into this format") }
        let saved: Bool
        do {
            defer { taglib_file_free(file) }
            guard taglib_file_is_valid(file) != 0, let tag = taglib_file_tag(file) else {
                throw TagProblem(path: path, reason: "TagLib cannot write tags into this format")
            }
            taglib_tag_set_genre(tag, genre)
            saved = taglib_file_save(file) != 0
        }
        guard saved else { throw TagProblem(path: path, reason: "TagLib could not save the tag") }
        guard try audioHash(copy) == song.audioHash else {
            throw TagProblem(path: path, reason: "the tagged copy's audio differed from the original's, so it was discarded")
        }
        guard rename(copy, path) == 0 else {
            throw TagProblem(path: path, reason: "the tagged copy could not replace it (\(String(cString: strerror(errno))))")
        }
    }

    /// The hash the scan stored: the file decoded at the tagger's rate.
    public static func audioHash(_ path: String) throws -> String {
        let stream = try AudioDecoder(sampleRate: try SongAnalyzer.hashSampleRate, maxDurationSeconds: nil).stream(path)
        var hash = AudioHash()
        while let chunk = try stream.next() { hash.add(chunk) }
        return hash.hex
    }
}
