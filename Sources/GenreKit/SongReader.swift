import GenreAudio
import GenrePretrained

/// What a song's audio says, all at once: its genres, its embedding and its tags.
public struct SongReading: Sendable {
    public let genres: SongPrediction
    public let embedding: [Float]
    public let tags: SongPrediction
}

/// Reads genres and tags together, for an index that wants both of every song. When the model's
/// features are an output of the tagger's own network (the default model's are), the file is
/// decoded once, at the tagger's rate, and each window goes through that network once for both, the
/// tags then following the model's windows rather than `SongTagger`'s side-by-side patches.
/// `observe` sees the samples at the tagger's rate as they are decoded (to hash them).
public struct SongReader: Sendable {
    public let classifier: GenreClassifier
    public let tagger: SongTagger
    /// The model's features and the tagger's taggram from one pass, when the network is shared.
    private let sharing: GenreClassifier?

    public init(bundle: ModelBundle, tagger: SongTagger,
                maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) throws {
        classifier = try GenreClassifier(bundle: bundle, maxDurationSeconds: maxDurationSeconds)
        self.tagger = tagger
        if let set = classifier.featureSet as? EmbeddingFeatureSet, let network = tagger.network as? PretrainedNetwork,
           set.network === network, !set.layers.contains("taggram") {
            let wider = try EmbeddingFeatureSet(network: network, layers: set.layers + ["taggram"])
            sharing = GenreClassifier(bundle: bundle, featureSet: wider, maxDurationSeconds: maxDurationSeconds)
        } else {
            sharing = nil
        }
    }

    /// The genres, embedding and tags of the audio file at `path`.
    public func read(_ path: String, observe: ([Float]) -> Void = { _ in }) throws -> SongReading {
        if let sharing {
            let features = try WindowFeatures(path: path, decoder: sharing.decoder, featureSet: sharing.featureSet,
                                              segmenter: sharing.bundle.segmenter, endAligned: true, observe: observe)
            let (genres, embedding) = try sharing.answer(features, path: path, aggregation: nil)
            return SongReading(genres: genres, embedding: embedding, tags: try tags(features, path: path))
        }
        // Another model's features: each decodes on its own (keeping a whole decoded song to share
        // would cost memory in proportion to its length), and `observe` sees the tagger's samples.
        let tags = try tagger.tags(path, observe: observe)
        let (genres, embedding) = try classifier.classifyAndEmbed(path)
        return SongReading(genres: genres, embedding: embedding, tags: tags)
    }

    /// The tags of each window from the taggram columns at the end of its features, and of the
    /// song their mean, as the tagger's.
    private func tags(_ features: WindowFeatures, path: String) throws -> SongPrediction {
        let labels = tagger.network.tags
        let first = features.rows.first.map { $0.count - labels.count } ?? 0
        let probabilities = RowMatrix(rows: features.rows.count, columns: labels.count,
                                      values: features.rows.flatMap { $0[first...].map(Float.init) })
        let rate = Double(features.sampleRate)
        let windows = features.ranges.enumerated().map { index, range in
            WindowPrediction(startSeconds: Double(range.lowerBound) / rate, endSeconds: Double(range.upperBound) / rate,
                             ranking: GenreScore.ranking(labels, Aggregation.mean.combineIndependent(probabilities, rows: [index])))
        }
        return try SongPrediction(
            path: path, durationSeconds: features.durationSeconds, aggregation: .mean,
            ranking: GenreScore.ranking(labels, Aggregation.mean.combineIndependent(probabilities, rows: features.rows.indices)),
            windows: windows, warning: features.warning)
    }
}
