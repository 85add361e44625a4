import GenreAudio
import GenrePretrained

/// Tags songs with a `TaggingNetwork` as musicnn's tagger does (`musicnn.tagger.top_tags`): decode at
/// the network's rate, take its taggram and average it over the patches (or combine it as
/// `Aggregation.combineIndependent` says). The answer is a `SongPrediction` whose "genres" are
/// the tags, each patch a window; the tags are independent probabilities, so they do not add up to
/// one.
public struct SongTagger: Sendable {
    public let network: any TaggingNetwork
    private let decoder: AudioDecoder

    public init(network: any TaggingNetwork, maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) {
        self.network = network
        decoder = AudioDecoder(sampleRate: network.sampleRate, maxDurationSeconds: maxDurationSeconds)
    }

    /// The tags of the audio file at `path`, decoded as the network takes it in; `observe` sees
    /// every decoded chunk too (a library hashes the audio on the way).
    public func tags(_ path: String, aggregation: Aggregation = .mean, observe: ([Float]) -> Void = { _ in }) throws -> SongPrediction {
        let stream = try decoder.stream(path)
        let taggram = try network.taggram {
            let chunk = try stream.next()
            if let chunk { observe(chunk) }
            return chunk
        }
        return try tags(taggram, sampleCount: stream.deliveredCount, path: path, aggregation: aggregation,
                        warning: stream.warning)
    }

    /// The tags of `samples` at the network's rate; `path` names them in the answer. Fails for a clip
    /// shorter than one patch (`MusicnnInput.shortestClipSamples`).
    public func tags(samples: [Float], path: String, aggregation: Aggregation = .mean) throws -> SongPrediction {
        try tags(try network.taggram(of: samples), sampleCount: samples.count, path: path, aggregation: aggregation,
                 warning: DigitalSilence.warning(samples))
    }

    private func tags(_ taggram: Taggram, sampleCount: Int, path: String, aggregation: Aggregation,
                      warning: String?) throws -> SongPrediction {
        let windows = taggram.patches.enumerated().map { index, patch in
            WindowPrediction(startSeconds: patch.startSeconds, endSeconds: patch.endSeconds, ranking: GenreScore.ranking(
                taggram.tags, Aggregation.mean.combineIndependent(taggram.probabilities, rows: [index])))
        }
        return try SongPrediction(
            path: path, durationSeconds: Double(sampleCount) / Double(network.sampleRate), aggregation: aggregation,
            ranking: GenreScore.ranking(taggram.tags, aggregation.combineIndependent(taggram.probabilities,
                                                                                     rows: taggram.patches.indices)),
            windows: windows, warning: warning)
    }
}
