import Foundation
import GenreKit
import GenreSupport
import GRDB

/// What one scan did to the index.
public struct ScanSummary: Codable, Sendable, Equatable {
    /// Files new to the index.
    public var added = 0
    /// Files already indexed whose size or modification time changed.
    public var updated = 0
    /// Indexed audio found under another path (moved or renamed), its row kept.
    public var moved = 0
    /// Files skipped because their size and modification time are as last scanned.
    public var unchanged = 0
    /// Indexed files no longer on disk, now marked gone.
    public var gone = 0
    /// Files that could not be analysed (each reported).
    public var failed = 0

    public init() {}

    public var text: String {
        "\(added) added, \(updated) updated, \(moved) moved, \(unchanged) unchanged, \(gone) gone, \(failed) failed"
    }
}

/// Walks folders and brings the index up to date with them, incrementally: a file whose size and
/// modification time are as last scanned is skipped (a failed one too); a file whose audio is
/// indexed under a path that no longer exists is that song moved; indexed files no longer found are
/// marked gone. Each file's answer is committed on its own as soon as it is ready, so a scan stopped
/// at any point (Ctrl-C, `kill -9`) resumes where it was, with nothing lost and nothing twice.
public struct LibraryScanner: Sendable {
    public let database: LibraryDatabase
    public let analyzer: SongAnalyzer

    public init(database: LibraryDatabase, analyzer: SongAnalyzer) {
        self.database = database
        self.analyzer = analyzer
    }

    /// `problem` hears of each file or folder that could not be used, as it happens; `jobs` files
    /// are analysed at once (default: one per core); `progress` shows the count, rate and time left.
    public func scan(_ folders: [String], jobs: Int? = nil, progress: Bool = false,
                     problem: (InputProblem) -> Void) async throws(LibraryError) -> ScanSummary {
        let started = Date()
        let roots = folders.map(LibraryDatabase.absolute)
        let inputs = AudioInputs(paths: roots)
        inputs.problems.forEach(problem)
        var summary = ScanSummary()
        let known = try knownFiles(under: roots)
        var pending: [FileStamp] = []
        for path in inputs.files {
            guard let file = FileStamp(path) else {
                problem(InputProblem(path: path, reason: "disappeared during the scan"))
                continue
            }
            if let seen = known[path], seen.size == file.size, seen.modified == file.modified {
                summary.unchanged += 1
            } else {
                pending.append(file)
            }
        }

        // Answers arrive in order and are written one file per transaction while the next are
        // analysed; a write that fails (a full disk) stops the writing, and the scan reports it.
        var writeError: LibraryError?
        let analyzer = analyzer
        await Batch(width: jobs, progress: progress ? "files" : nil).run(pending, work: { file -> (SongTags, Result<SongAnalysis, any Error>) in
            (SongTags.read(file.path) ?? SongTags(), Result { try analyzer.analyse(file.path) })
        }, deliver: { index, answer in
            guard writeError == nil else { return }
            let file = pending[index]
            do throws(LibraryError) {
                switch answer.1 {
                case .success(let analysis):
                    switch try database.record(analysis, of: file, tags: answer.0) {
                    case .added: summary.added += 1
                    case .updated: summary.updated += 1
                    case .moved: summary.moved += 1
                    }
                case .failure(let error):
                    summary.failed += 1
                    problem(InputProblem(path: file.path, reason: "\(error)"))
                    try database.recordFailure(of: file, reason: "\(error)")
                }
            } catch {
                writeError = error
            }
        })
        if let writeError { throw writeError }

        // What the index holds below a scanned folder that the walk did not find is gone; not what
        // lies below a folder that could not be read (its files may well be there).
        let found = Set(inputs.files), unreadable = inputs.problems.map { $0.path.hasSuffix("/") ? $0.path : $0.path + "/" }
        summary.gone = try database.markGone(under: roots) { path in
            !found.contains(path) && !unreadable.contains { path.hasPrefix($0) }
        }
        var record = ScanRecord(id: nil, folders: roots, startedAt: started, finishedAt: Date(), summary: summary)
        try database.write { db in try record.insert(db) }
        // Made now, so that the first similar-songs query does not wait for it; should it fail, that
        // query tries again and says why.
        _ = try? database.embeddingMatrix()
        return summary
    }

    /// Every file the index knows below `roots` (songs, present or not, and failures): its size and
    /// modification time when last scanned.
    private func knownFiles(under roots: [String]) throws(LibraryError) -> [String: (size: Int64, modified: Double)] {
        try database.read { db in
            var known: [String: (size: Int64, modified: Double)] = [:]
            for root in roots {
                let pattern = Self.likePattern(below: root)
                let songs = try Row.fetchAll(db, sql: "SELECT path, size, modified FROM song WHERE present AND path LIKE ? ESCAPE '\\'",
                                             arguments: [pattern])
                let failures = try Row.fetchAll(db, sql: "SELECT path, size, modified FROM failure WHERE path LIKE ? ESCAPE '\\'",
                                                arguments: [pattern])
                for row in songs + failures { known[row["path"]] = (row["size"], row["modified"]) }
            }
            return known
        }
    }

    /// An SQL LIKE pattern for every path below `folder` (its own `%` and `_` escaped).
    static func likePattern(below folder: String) -> String {
        let escaped = folder.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        return (escaped.hasSuffix("/") ? escaped : escaped + "/") + "%"
    }
}

/// A file as `stat` saw it: the size and modification time the index compares to tell a changed
/// file, and its permissions.
struct FileStamp: Sendable {
    let path: String
    let size: Int64
    /// Seconds since 1970, to the nanosecond the file system keeps.
    let modified: Double
    let mode: mode_t

    /// nil when the file is not there (or cannot be looked at).
    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.path = path
        size = Int64(info.st_size)
        modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        mode = info.st_mode
    }
}
