import Foundation
import GenreKit
import GRDB

/// How a scan's answer for one file entered the index.
enum RecordedAs {
    case added, updated, moved
}

extension LibraryDatabase {
    /// Stores `analysis` of `file`: over the row of the same path if there is one; else over the
    /// row of the same audio whose file no longer exists (the song moved); else as a new row. An
    /// identical copy whose original is still in place is a song of its own.
    func record(_ analysis: SongAnalysis, of file: FileStamp, tags: SongTags) throws(LibraryError) -> RecordedAs {
        try write { db in
            var song = IndexedSong(id: nil, path: file.path, size: file.size, modified: file.modified, audioHash: analysis.audioHash,
                                   durationSeconds: analysis.genres.durationSeconds, tags: tags,
                                   topGenre: analysis.genres.ranking.first?.genre ?? "",
                                   confidence: analysis.genres.ranking.first?.probability ?? 0, genres: analysis.genres.ranking,
                                   timeline: analysis.genres.windows, msdTags: analysis.tags.ranking,
                                   embedding: analysis.embedding.withUnsafeBufferPointer { Data(buffer: $0) },
                                   present: true, scannedAt: Date())
            try FailedFile.deleteOne(db, key: file.path)
            var outcome = RecordedAs.added
            if let same = try IndexedSong.filter(IndexedSong.Columns.path == file.path).fetchOne(db) {
                song.id = same.id
                outcome = .updated
            } else if let moved = try IndexedSong.filter(IndexedSong.Columns.audioHash == analysis.audioHash).fetchAll(db)
                .first(where: { !FileManager.default.fileExists(atPath: $0.path) }) {
                song.id = moved.id
                outcome = .moved
            }
            try song.save(db)
            return outcome
        }
    }

    func recordFailure(of file: FileStamp, reason: String) throws(LibraryError) {
        try write { db in
            try FailedFile(path: file.path, size: file.size, modified: file.modified, reason: reason, scannedAt: Date()).save(db)
        }
    }

    /// Marks gone the present songs below `roots` for which `isGone` says so (how many), and forgets
    /// the failures it says so of.
    func markGone(under roots: [String], where isGone: (String) -> Bool) throws(LibraryError) -> Int {
        try write { db in
            var count = 0
            for root in roots {
                let paths = try String.fetchAll(db, sql: "SELECT path FROM song WHERE present AND path LIKE ? ESCAPE '\\'",
                                                arguments: [LibraryScanner.likePattern(below: root)])
                for path in paths where isGone(path) {
                    try db.execute(sql: "UPDATE song SET present = 0 WHERE path = ?", arguments: [path])
                    count += 1
                }
                // A failed file that is gone need not be remembered.
                let failures = try String.fetchAll(db, sql: "SELECT path FROM failure WHERE path LIKE ? ESCAPE '\\'",
                                                   arguments: [LibraryScanner.likePattern(below: root)])
                for path in failures where isGone(path) { try FailedFile.deleteOne(db, key: path) }
            }
            return count
        }
    }
}
