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
/// MSD-trained tagger, whose tags go beyond the ten genres (moods, decades, styles).
public struct SongAnalyzer: Sendable {
    public static let taggerName = "MSD_musicnn"
    public let classifier: GenreClassifier
    let tagger: SongTagger

    public init(bundle: ModelBundle, maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) throws {
        classifier = try GenreClassifier(bundle: bundle, maxDurationSeconds: maxDurationSeconds)
        tagger = SongTagger(network: try TaggingNetworks.named(Self.taggerName), maxDurationSeconds: maxDurationSeconds)
    }

    /// The rate the audio is hashed at: the tagger's, whose decoding the hash rides along.
    public static var hashSampleRate: Int {
        get throws { try TaggingNetworks.named(taggerName).sampleRate }
    }

    public func analyse(_ path: String) throws -> SongAnalysis {
        var hash = AudioHash()
        // The tagger's decoding (16 kHz) is hashed on the way, so the hash costs no decoding of its own.
        let tags = try tagger.tags(path) { hash.add($0) }
        let (genres, embedding) = try classifier.classifyAndEmbed(path)
        return SongAnalysis(genres: genres, tags: tags, embedding: embedding, audioHash: hash.hex)
    }
}
