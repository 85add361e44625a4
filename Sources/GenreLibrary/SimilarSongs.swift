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
    /// by cosine similarity; `excluding` (the query's own path) is left out. One flat pass over the
    /// index's embeddings.
    public func similar(to embedding: [Float], audioHash: String?, excluding path: String?, top: Int) throws(LibraryError) -> [SimilarSong] {
        let norm = Self.norm(embedding)
        var found: [SimilarSong] = []
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT path, audioHash, embedding, topGenre, json_extract(tags, '$.artist') AS artist,
                       json_extract(tags, '$.title') AS title FROM song WHERE present
                """)
            while let row = try rows.next() {
                let candidate: String = row["path"]
                guard candidate != path else { continue }
                let data: Data = row["embedding"]
                let cosine: Double = data.withUnsafeBytes { bytes in
                    let values = bytes.bindMemory(to: Float.self)
                    guard values.count == embedding.count else { return -1 }
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

    private static func norm(_ values: some Collection<Float>) -> Float {
        values.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
