import GenreFeatures
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
    /// The song's tags patch by patch, from its samples as `next` hands them out (nil after the
    /// last), so that a song of any length needs memory for a few patches only; fails for a clip
    /// shorter than one patch.
    func taggram(streaming next: () throws -> [Float]?) throws -> Taggram
}

extension TaggingNetwork {
    /// The tags of samples all at hand.
    public func taggram(of samples: [Float]) throws -> Taggram {
        var pending: [Float]? = samples
        return try taggram { defer { pending = nil }; return pending }
    }
}

/// The shipped tagging networks by name, each loaded once (a network added to GenrePretrained is
/// added here and nowhere else).
public enum TaggingNetworks {
    public static let names = PretrainedNetwork.names

    public static func named(_ name: String) throws -> any TaggingNetwork { try PretrainedNetwork.shared(named: name) }
}

extension PretrainedNetwork: TaggingNetwork {
    public var sampleRate: Int { MusicnnInput.sampleRate }

    /// Side-by-side 3 s patches as musicnn's tagger cuts them (`musicnn.tagger.top_tags`), run
    /// `patchBatch` at a time.
    public func taggram(streaming next: () throws -> [Float]?) throws -> Taggram {
        var cutter = MusicnnPatchCutter(input: try MusicnnInput())
        var pending: [Matrix] = []
        var probabilities: [Float] = []
        var sampleCount = 0
        func run() throws {
            if !pending.isEmpty { probabilities += try taggram(Self.batch(pending)).scalars }
            pending = []
        }
        while let chunk = try next() {
            sampleCount += chunk.count
            pending += try cutter.append(chunk)
            if pending.count >= Self.patchBatch { try run() }
        }
        pending += try cutter.finish()
        try run()
        guard !cutter.starts.isEmpty else {
            throw MusicnnInputError.clipTooShort(samples: sampleCount, minimum: MusicnnInput.shortestClipSamples)
        }
        let secondsPerFrame = Double(MusicnnInput.stft.hopLength) / Double(MusicnnInput.sampleRate)
        return Taggram(
            tags: tags,
            patches: cutter.starts.map { (Double($0) * secondsPerFrame, Double($0 + MusicnnInput.patchFrames) * secondsPerFrame) },
            probabilities: RowMatrix(rows: cutter.starts.count, columns: tags.count, values: probabilities))
    }
}
