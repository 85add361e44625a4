import Foundation
import GenreKit
import GenreSupport
import GRDB

/// One audio file of the library as the index holds it: where it is (path, size, modification
/// time), what its tags say, what its audio says (genres, window timeline, MSD tags, embedding)
/// and whether it is still there (`present`: a file deleted since is kept, marked gone).
public struct IndexedSong: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "song"
    public var id: Int64?
    public var path: String
    public var size: Int64
    /// Seconds since 1970 of the file's last modification, as the scan saw it.
    public var modified: Double
    public var audioHash: String
    public var durationSeconds: Double
    public var tags: SongTags
    public var topGenre: String
    public var confidence: Double
    /// Every genre, most probable first.
    public var genres: [GenreScore]
    public var timeline: [WindowPrediction]
    /// The MSD tagger's tags, most probable first.
    public var msdTags: [GenreScore]
    /// Float32 values, little-endian (`embeddingValues`).
    public var embedding: Data
    public var present: Bool
    public var scannedAt: Date

    public var embeddingValues: [Float] {
        embedding.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public enum Columns {
        public static let path = Column(CodingKeys.path), audioHash = Column(CodingKeys.audioHash)
        public static let present = Column(CodingKeys.present), topGenre = Column(CodingKeys.topGenre)
    }
}

/// A file the scan could not analyse, kept so that an unchanged one is not tried again.
struct FailedFile: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "failure"
    var path: String
    var size: Int64
    var modified: Double
    var reason: String
    var scannedAt: Date
}

/// One finished scan: what it found.
public struct ScanRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "scan"
    public var id: Int64?
    public var folders: [String]
    public var startedAt: Date
    public var finishedAt: Date
    public var summary: ScanSummary

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The library's SQLite database (GRDB; WAL, so readers never wait for the scan's writes). Versioned
/// by migrations: a database from a newer GenreKit, or one that is not a database at all, is an
/// error and is never written to.
public final class LibraryDatabase: Sendable {
    public let path: String
    let pool: DatabasePool
    /// The embeddings for similar songs, made or mapped on the first query (`EmbeddingMatrix`).
    let matrix = Locked<EmbeddingMatrix?>(nil)
    /// How long a command waits for another process's write before giving up.
    public static let busySeconds = 5.0

    /// `$XDG_DATA_HOME/genrekit/library.sqlite`, else `~/.local/share/genrekit/library.sqlite`.
    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/genrekit/library.sqlite"
    }

    /// Opens the database at `path`; `create` makes it (and its folder) when absent, else a missing
    /// one is `LibraryError.noLibrary`.
    public init(path: String, create: Bool) throws(LibraryError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        guard exists || create else { throw .noLibrary(path: path) }
        if !exists {
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
            } catch {
                throw .unwritable(path: path, reason: error.localizedDescription)
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busySeconds)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.read { db in
                // Reads the schema: a file that is not SQLite fails here, before anything is written.
                _ = try db.tableExists(IndexedSong.databaseTableName)
                let unknown = try Self.migrator.appliedIdentifiers(db).subtracting(Self.migrator.migrations)
                if !unknown.isEmpty { throw LibraryError.newer(path: path, migrations: unknown.sorted()) }
            }
            try Self.migrator.migrate(pool)
        } catch let error as LibraryError {
            throw error
        } catch {
            throw Self.libraryError(error, path: path)
        }
    }

    /// Runs `body` in one write transaction.
    func write<T>(_ body: (Database) throws -> T) throws(LibraryError) -> T {
        do { return try pool.write(body) } catch { throw Self.libraryError(error, path: path) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(LibraryError) -> T {
        do { return try pool.read(body) } catch { throw Self.libraryError(error, path: path) }
    }

    static func libraryError(_ error: any Error, path: String) -> LibraryError {
        if let error = error as? LibraryError { return error }
        guard let error = error as? DatabaseError else { return .damaged(path: path, reason: "\(error)") }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path, seconds: busySeconds)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_FULL, .SQLITE_PERM, .SQLITE_IOERR:
            return .unwritable(path: path, reason: error.message ?? "\(error.resultCode)")
        default: return .damaged(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    /// The schema, one migration per change; a migration once released never changes.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: songs, failures, scans") { db in
            try db.create(table: IndexedSong.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("path", .text).notNull().unique()
                table.column("size", .integer).notNull()
                table.column("modified", .double).notNull()
                table.column("audioHash", .text).notNull().indexed()
                table.column("durationSeconds", .double).notNull()
                table.column("tags", .text).notNull()
                table.column("topGenre", .text).notNull().indexed()
                table.column("confidence", .double).notNull()
                table.column("genres", .text).notNull()
                table.column("timeline", .text).notNull()
                table.column("msdTags", .text).notNull()
                table.column("embedding", .blob).notNull()
                table.column("present", .boolean).notNull()
                table.column("scannedAt", .datetime).notNull()
            }
            try db.create(table: FailedFile.databaseTableName) { table in
                table.primaryKey("path", .text)
                table.column("size", .integer).notNull()
                table.column("modified", .double).notNull()
                table.column("reason", .text).notNull()
                table.column("scannedAt", .datetime).notNull()
            }
            try db.create(table: ScanRecord.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("folders", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("finishedAt", .datetime).notNull()
                table.column("summary", .text).notNull()
            }
        }
        migrator.registerMigration("v2: tag edits") { db in
            try db.create(table: TagEdit.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("run", .integer).notNull().indexed()
                table.column("path", .text).notNull()
                table.column("field", .text).notNull()
                table.column("old", .text)
                table.column("new", .text).notNull()
                table.column("at", .datetime).notNull()
            }
        }
        // Lets a cache of the songs' embeddings (`EmbeddingMatrix`) tell whether it still holds
        // this library's state: a random id for the library and a count of the changes to them.
        migrator.registerMigration("v3: embedding changes") { db in
            try db.execute(sql: """
                CREATE TABLE embeddingChange (library TEXT NOT NULL, generation INTEGER NOT NULL);
                INSERT INTO embeddingChange VALUES (lower(hex(randomblob(16))), 0);
                CREATE TRIGGER songAdded AFTER INSERT ON song BEGIN
                    UPDATE embeddingChange SET generation = generation + 1; END;
                CREATE TRIGGER songRemoved AFTER DELETE ON song BEGIN
                    UPDATE embeddingChange SET generation = generation + 1; END;
                CREATE TRIGGER songChanged AFTER UPDATE OF embedding, present ON song BEGIN
                    UPDATE embeddingChange SET generation = generation + 1; END;
                """)
        }
        return migrator
    }()
}
