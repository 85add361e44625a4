/// Tags songs as musicnn's tagger does (`musicnn.tagger.top_tags`): decode at 16 kHz, cut into
/// side-by-side 3 s `MusicnnInput` patches, run a `PretrainedNetwork` and average its taggram over
/// the patches (or combine it as `Aggregation.combineIndependent` says). The answer is a
/// `SongPrediction` whose "genres" are the tags, each patch a window; the tags are independent
/// probabilities, so they do not add up to one.
public struct MusicnnTagger: Sendable {
    public let network: PretrainedNetwork
    private let input: MusicnnInput
    private let decoder = AudioDecoder(sampleRate: MusicnnInput.sampleRate)

    public init(network: PretrainedNetwork) {
        self.network = network
        input = try! MusicnnInput()  // the default step is valid
    }

    /// The tags of the audio file at `path`.
    public func tags(_ path: String, aggregation: Aggregation = .mean) throws -> SongPrediction {
        try tags(samples: try decoder.decode(path).samples, path: path, aggregation: aggregation)
    }

    /// The tags of 16 kHz `samples`; `path` names them in the answer. Fails for a clip shorter
    /// than one patch (`MusicnnInput.shortestClipSamples`).
    public func tags(samples: [Float], path: String, aggregation: Aggregation = .mean) throws -> SongPrediction {
        let spectrogram = try input.logMelSpectrogram(samples)
        let starts = input.patchStarts(frameCount: spectrogram.columns)
        guard !starts.isEmpty else {
            throw MusicnnInputError.clipTooShort(samples: samples.count, minimum: MusicnnInput.shortestClipSamples)
        }
        let output = try network.taggram(PretrainedNetwork.batch(input.patches(of: spectrogram)))
        let taggram = RowMatrix(rows: output.shape[0], columns: output.shape[1], values: output.scalars)
        let secondsPerFrame = Double(MusicnnInput.stft.hopLength) / Double(MusicnnInput.sampleRate)
        let windows = starts.enumerated().map { index, start in
            WindowPrediction(startSeconds: Double(start) * secondsPerFrame,
                             endSeconds: Double(start + MusicnnInput.patchFrames) * secondsPerFrame,
                             ranking: GenreScore.ranking(network.tags, Aggregation.mean.combineIndependent(taggram, rows: [index])))
        }
        return SongPrediction(
            path: path, durationSeconds: Double(samples.count) / Double(MusicnnInput.sampleRate), aggregation: aggregation,
            ranking: GenreScore.ranking(network.tags, aggregation.combineIndependent(taggram, rows: starts.indices)),
            windows: windows, warning: SongPrediction.silenceWarning(samples))
    }
}
