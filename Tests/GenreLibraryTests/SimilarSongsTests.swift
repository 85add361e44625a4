import Foundation
import GenreLibrary
import GRDB
import Testing
import TestSupport

/// Similar songs over synthetic rows: the 8-bit embedding matrix beside the database finds what an
/// exact scan finds, follows the database's changes, and is remade when its file is damaged.
@Suite struct SimilarSongsTests {
    static let dimension = 200

    static func vector(_ mix: inout SplitMix, dimension: Int = dimension) -> [Float] {
        (0 ..< dimension).map { _ in Float(mix.nextUnit() * 2 - 1) }
    }

    /// Adds songs straight into the table, as the scan would have stored them.
    static func insert(_ path: String, songs: [(path: String, embedding: [Float], present: Bool)]) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for song in songs {
                try db.execute(sql: """
                    INSERT INTO song (path, size, modified, audioHash, durationSeconds, tags, topGenre, confidence, genres,
                                      timeline, msdTags, embedding, present, scannedAt)
                    VALUES (?, 1, 0, ?, 30, '{}', 'rock', 0.5, '[]', '[]', '[]', ?, ?, CURRENT_TIMESTAMP)
                    """, arguments: [song.path, "hash-" + song.path, song.embedding.withUnsafeBytes { Data($0) }, song.present])
            }
        }
    }

    static func exactNearest(_ query: [Float], _ songs: [(path: String, embedding: [Float], present: Bool)], top: Int) -> [String] {
        func cosine(_ a: [Float], _ b: [Float]) -> Double {
            let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            return dot / (a.reduce(0.0) { $0 + Double($1 * $1) } * b.reduce(0.0) { $0 + Double($1 * $1) }).squareRoot()
        }
        return songs.filter { $0.present && $0.embedding.count == query.count }
            .map { ($0.path, cosine(query, $0.embedding)) }.sorted { $0.1 > $1.1 }.prefix(top).map(\.0)
    }

    @Test func theMatrixFindsWhatAnExactScanFinds() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("library.sqlite")
        let library = try LibraryDatabase(path: path, create: true)
        var mix = SplitMix(seed: 5)
        var songs = (0 ..< 3000).map { (path: "/music/\($0).mp3", embedding: Self.vector(&mix), present: $0 % 10 != 3) }
        // A song analysed by another model (another dimension) cannot be compared: it is left out.
        songs.append((path: "/music/older.mp3", embedding: Self.vector(&mix, dimension: 16), present: true))
        try Self.insert(path, songs: songs)

        for _ in 0 ..< 5 {
            let query = Self.vector(&mix)
            let found = try library.similar(to: query, audioHash: nil, excluding: nil, top: 20)
            #expect(found.map(\.path) == Self.exactNearest(query, songs, top: 20))
        }
        #expect(FileManager.default.fileExists(atPath: library.matrixPath))

        // A new song the same as the query comes first: the matrix follows the database.
        let query = Self.vector(&mix)
        let twin = (path: "/music/twin.mp3", embedding: query.map { $0 * 3 }, present: true)
        try Self.insert(path, songs: [twin])
        let again = try LibraryDatabase(path: path, create: false).similar(to: query, audioHash: nil, excluding: nil, top: 5)
        #expect(again.first?.path == twin.path && abs(again[0].similarity - 1) < 1e-6)
        #expect(again.map(\.path) == Self.exactNearest(query, songs + [twin], top: 5))
    }

    /// The matrix file is a cache: cut short, overwritten with garbage or emptied, it is remade.
    @Test(arguments: ["cut", "garbage", "empty"])
    func aDamagedMatrixFileIsRemade(damage: String) throws {
        let folder = try TemporaryFolder()
        let path = folder.file("library.sqlite")
        var mix = SplitMix(seed: 9)
        let songs = (0 ..< 200).map { (path: "/music/\($0).mp3", embedding: Self.vector(&mix), present: true) }
        let library = try LibraryDatabase(path: path, create: true)
        try Self.insert(path, songs: songs)
        let query = Self.vector(&mix)
        _ = try library.similar(to: query, audioHash: nil, excluding: nil, top: 3)
        let matrix = try Data(contentsOf: URL(fileURLWithPath: library.matrixPath))
        let damaged = switch damage {
        case "cut": matrix.prefix(matrix.count - 100)
        case "garbage": Data(matrix.prefix(8)) + Data(repeating: 0xff, count: matrix.count - 8)
        default: Data()
        }
        try damaged.write(to: URL(fileURLWithPath: library.matrixPath))
        let found = try LibraryDatabase(path: path, create: false).similar(to: query, audioHash: nil, excluding: nil, top: 10)
        #expect(found.map(\.path) == Self.exactNearest(query, songs, top: 10))
        #expect(try Data(contentsOf: URL(fileURLWithPath: library.matrixPath)) == matrix)
    }
}
