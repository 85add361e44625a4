import GenreAudio
import GenrePretrained

/// Tags songs as musicnn's tagger does (`musicnn.tagger.top_tags`): decode at the network's rate,
/// take its taggram (`PretrainedNetwork.taggram(of:)`) and average it over the patches. The answer is
/// a `SongPrediction` whose "genres" are the tags, each patch a window; the tags are independent
/// probabilities, so they do not add up to one.
public struct MusicnnTagger: Sendable {
    public let network: PretrainedNetwork
    private let decoder: AudioDecoder

    public init(network: PretrainedNetwork) {
        self.network = network
        decoder = AudioDecoder(sampleRate: network.sampleRate)
    }

    /// The tags of the audio file at `path`.
    public func tags(_ path: String) throws -> SongPrediction {
        try tags(samples: try decoder.decode(path).samples, path: path)
    }

    /// The tags of `samples` at the network's rate; `path` names them in the answer. Fails for a clip
    /// shorter than one patch (`MusicnnInput.shortestClipSamples`).
    public func tags(samples: [Float], path: String) throws -> SongPrediction {
        let taggram = try network.taggram(of: samples)
        let windows = zip(taggram.patches, taggram.probabilities).map { patch, probabilities in
            WindowPrediction(startSeconds: patch.startSeconds, endSeconds: patch.endSeconds,
                             ranking: GenreScore.ranking(taggram.tags, probabilities))
        }
        return SongPrediction(
            path: path, durationSeconds: Double(samples.count) / Double(network.sampleRate), aggregation: .mean,
            ranking: GenreScore.ranking(taggram.tags, mean(taggram.probabilities)),
            windows: windows, warning: DigitalSilence.warning(samples))
    }

    /// Each tag's mean probability over the patches, as musicnn's tagger averages its taggram; not
    /// normalised as `Aggregation.mean` is, because the tags are independent.
    private func mean(_ rows: [[Double]]) -> [Double] {
        rows[0].indices.map { tag in rows.reduce(0.0) { $0 + $1[tag] } / Double(rows.count) }
    }
}
