import Foundation
import GRDB

/// A song near another by the cosine of their embeddings (1: the same direction).
public struct SimilarSong: Codable, Sendable {
    public let path: String
    public let similarity: Double
    /// The same decoded audio as the query's (an identical copy).
    public let identical: Bool
    public let genre: String
    public let artist: String?
    public let title: String?
}

extension LibraryDatabase {
    /// The `top` present songs nearest to `embedding`, identical copies of `audioHash` first, then
    /// by cosine similarity; `excluding` (the query's own path) is left out. The 8-bit embedding
    /// matrix picks a few times `top` candidates, whose exact cosines rank them.
    public func similar(to embedding: [Float], audioHash: String?, excluding path: String?, top: Int) throws(LibraryError) -> [SimilarSong] {
        let candidates = try embeddingMatrix().nearest(to: embedding, k: 4 * top + 16).map { String($0.id) }
        let norm = Self.norm(embedding)
        var found: [SimilarSong] = []
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT path, audioHash, embedding, topGenre, json_extract(tags, '$.artist') AS artist,
                       json_extract(tags, '$.title') AS title FROM song
                WHERE present AND (id IN (\(candidates.joined(separator: ","))) OR audioHash = ?)
                """, arguments: [audioHash])
            while let row = try rows.next() {
                let candidate: String = row["path"]
                let data: Data = row["embedding"]
                guard candidate != path, data.count == 4 * embedding.count else { continue }
                let cosine: Double = data.withUnsafeBytes { bytes in
                    let values = bytes.bindMemory(to: Float.self)
                    var dot: Float = 0
                    for index in values.indices { dot += values[index] * embedding[index] }
                    // Rounding can take a copy's cosine a hair past 1.
                    return min(1, max(-1, Double(dot) / max(Double(Self.norm(values) * norm), 1e-12)))
                }
                found.append(SimilarSong(path: candidate, similarity: cosine, identical: audioHash != nil && row["audioHash"] == audioHash,
                                         genre: row["topGenre"], artist: row["artist"], title: row["title"]))
            }
        }
        return Array(found.sorted { ($0.identical ? 1 : 0, $0.similarity, $1.path) > ($1.identical ? 1 : 0, $1.similarity, $0.path) }
            .prefix(top))
    }

    /// Where the embedding matrix is kept: beside the database.
    public var matrixPath: String { path + ".vectors" }

    /// The embedding matrix of the database's present state: the one in memory or in the file
    /// beside the database when they hold that state, else a new one (written to that file).
    func embeddingMatrix() throws(LibraryError) -> EmbeddingMatrix {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT library, generation FROM embeddingChange")
            let stamp = EmbeddingMatrix.Stamp(library: row?["library"] ?? "", generation: row?["generation"] ?? 0)
            return try matrix.withLock { cached in
                if let cached, cached.stamp == stamp { return cached }
                guard let current = try EmbeddingMatrix.mapped(matrixPath, stamp: stamp)
                    ?? EmbeddingMatrix.make(db, stamp: stamp, path: matrixPath)
                else { throw LibraryError.unwritable(path: matrixPath, reason: "nor could the temporary folder hold it") }
                cached = current
                return current
            }
        }
    }

    private static func norm(_ values: some Collection<Float>) -> Float {
        values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
