import Foundation

/// What can go wrong with a library's database, each saying what to do.
public enum LibraryError: Error, CustomStringConvertible, Equatable {
    /// Another process holds the database (a scan running elsewhere) for longer than `seconds`.
    case busy(path: String, seconds: Double)
    /// Not an SQLite database, or a damaged one; it is left as it is.
    case damaged(path: String, reason: String)
    /// Written by a later GenreKit, whose changes this one does not know.
    case newer(path: String, migrations: [String])
    case unwritable(path: String, reason: String)
    /// A song asked for by path that the index does not hold.
    case notIndexed(path: String)
    /// No database where one is read.
    case noLibrary(path: String)

    public var description: String {
        switch self {
        case .busy(let path, let seconds):
            "\(path) is in use by another process (another 'genre library' command?); waited \(String(format: "%g", seconds)) s: try again when it is done"
        case .damaged(let path, let reason):
            "\(path) is not a readable library database (\(reason)); it was left untouched: move it away and scan again to build a new one"
        case .newer(let path, let migrations):
            "\(path) was written by a newer GenreKit (it has \(migrations.joined(separator: ", ")), unknown here); it was left untouched: use that version, or --db another file"
        case .unwritable(let path, let reason):
            "\(path) cannot be written (\(reason)); choose another place with --db"
        case .notIndexed(let path):
            "\(path) is not in the library; scan its folder first ('genre library scan')"
        case .noLibrary(let path):
            "there is no library at \(path); make one with 'genre library scan FOLDER' (or give --db)"
        }
    }
}
