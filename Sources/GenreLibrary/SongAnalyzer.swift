import Foundation
import GenreAudio
import GenreKit

/// Everything the index stores about one file's audio: the genres (whole song and window by
/// window), the MSD tagger's tags, an embedding for similar songs and the hash of the audio.
public struct SongAnalysis: Sendable {
    public let genres: SongPrediction
    public let tags: SongPrediction
    public let embedding: [Float]
    public let audioHash: String
}

/// Analyses songs for the index with a classifier (by default GenreKit's embedded model) and the
/// MSD-trained tagger, whose tags go beyond the ten genres (moods, decades, styles): one decoding
/// for both, hashed on the way (`SongReader`).
public struct SongAnalyzer: Sendable {
    public static let taggerName = "MSD_musicnn"
    let reader: SongReader
    public var classifier: GenreClassifier { reader.classifier }

    public init(bundle: ModelBundle, maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) throws {
        let tagger = SongTagger(network: try TaggingNetworks.named(Self.taggerName), maxDurationSeconds: maxDurationSeconds)
        reader = try SongReader(bundle: bundle, tagger: tagger, maxDurationSeconds: maxDurationSeconds)
    }

    /// The rate the audio is hashed at: the tagger's.
    public static var hashSampleRate: Int {
        get throws { try TaggingNetworks.named(taggerName).sampleRate }
    }

    public func analyse(_ path: String) throws -> SongAnalysis {
        var hash = AudioHash()
        let reading = try reader.read(path) { hash.add($0) }
        return SongAnalysis(genres: reading.genres, tags: reading.tags, embedding: reading.embedding, audioHash: hash.hex)
    }
}
