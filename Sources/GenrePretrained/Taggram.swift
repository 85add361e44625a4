import GenreML
import GenreNN

/// What a tagging network says of a song, patch by patch: each tag's probability in each patch. The
/// tags are independent, so a patch's probabilities do not add up to one.
public struct Taggram: Sendable {
    public let tags: [String]
    /// Where each patch lies in the song, in seconds.
    public let patches: [(startSeconds: Double, endSeconds: Double)]
    /// One row per patch, one column per tag.
    public let probabilities: RowMatrix
}

/// A shipped network that tags songs, whatever its input pipeline: what `genre tags` runs.
public protocol TaggingNetwork: AnyObject, Sendable {
    var name: String { get }
    var tags: [String] { get }
    /// The rate of the samples `taggram(of:)` takes.
    var sampleRate: Int { get }
    /// The song's tags patch by patch; fails for a clip shorter than one patch.
    func taggram(of samples: [Float]) throws -> Taggram
}

/// The shipped tagging networks by name, each loaded once (a network added to GenrePretrained is
/// added here and nowhere else).
public enum TaggingNetworks {
    public static let names = PretrainedNetwork.names

    public static func named(_ name: String) throws -> any TaggingNetwork { try PretrainedNetwork.shared(named: name) }
}

extension PretrainedNetwork: TaggingNetwork {
    public var sampleRate: Int { MusicnnInput.sampleRate }

    /// The taggram of `samples` at `sampleRate`, cut into side-by-side 3 s patches as musicnn's tagger
    /// cuts them (`musicnn.tagger.top_tags`). Fails for a clip shorter than one patch
    /// (`MusicnnInput.shortestClipSamples`).
    public func taggram(of samples: [Float]) throws -> Taggram {
        let input = try MusicnnInput()
        let spectrogram = try input.logMelSpectrogram(samples)
        let starts = input.patchStarts(frameCount: spectrogram.columns)
        guard !starts.isEmpty else {
            throw MusicnnInputError.clipTooShort(samples: samples.count, minimum: MusicnnInput.shortestClipSamples)
        }
        let taggram = try taggram(Self.batch(input.patches(of: spectrogram)))
        let secondsPerFrame = Double(MusicnnInput.stft.hopLength) / Double(MusicnnInput.sampleRate)
        return Taggram(
            tags: tags,
            patches: starts.map { (Double($0) * secondsPerFrame, Double($0 + MusicnnInput.patchFrames) * secondsPerFrame) },
            probabilities: RowMatrix(rows: taggram.shape[0], columns: taggram.shape[1], values: taggram.scalars))
    }
}
