import GenreFeatures

/// musicnn's input as a feature set, for fine-tuning (`musicnn-fine-tune`): a clip's log-mel patch,
/// 96 mels x 187 frames (3 s at 16 kHz), mel-major. A clip of more than one patch gives its middle
/// one, so 3 s windows (`--segment-seconds 3`) give their own; one shorter than a patch is
/// repeat-padded as for the embeddings.
public struct MusicnnPatchFeatureSet: FeatureSet {
    public static let setName = "musicnn-input"
    public static let columnCount = MusicnnInput.mel.nMels * MusicnnInput.patchFrames
    public var name: String { Self.setName }
    public var sampleRate: Int { MusicnnInput.sampleRate }
    public var minimumSamples: Int { MusicnnInput.stft.nFFT }
    public let columns = (0 ..< MusicnnInput.mel.nMels).flatMap { mel in
        (0 ..< MusicnnInput.patchFrames).map { "mel\(mel)_frame\($0)" }
    }
    private let input: MusicnnInput

    public init() throws { input = try MusicnnInput() }

    public func extract(_ samples: [Float]) throws -> [Double] {
        let patches = try input.patches(repeatPadding: samples)
        return patches[patches.count / 2].values.map(Double.init)
    }
}
