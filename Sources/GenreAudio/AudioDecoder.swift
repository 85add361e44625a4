/// Decodes audio files of any common format to mono Float samples at one sample rate, as
/// `librosa.load(path, sr=sampleRate, mono=True, offset=..., duration=...)` does: FFmpeg decodes,
/// the channels are averaged, libsoxr resamples with librosa's default quality (soxr HQ).
///
/// ```swift
/// let audio = try AudioDecoder().decode("song.mp3", offsetSeconds: 30, durationSeconds: 30)
/// audio.samples   // 661_500 mono samples at 22050 Hz
/// ```
public struct AudioDecoder: Sendable {
    /// Lower-case file extensions of the audio formats FFmpeg decodes here, to pick audio files out
    /// of folders. Files are still recognised by their content, not by this.
    public static let supportedExtensions: Set<String> = [
        "wav", "wave", "w64", "aif", "aiff", "aifc", "au", "snd", "caf", "flac", "wv", "ape",
        "mp3", "mp2", "ogg", "oga", "opus", "m4a", "mp4", "aac", "wma", "webm", "mka", "ac3",
    ]

    /// The rate of the decoded samples, in Hz; nil keeps each file's own rate.
    public let sampleRate: Int?

    /// A rate <= 0 makes every `decode` fail with `AudioError.invalidSampleRate`.
    public init(sampleRate: Int? = 22050) {
        self.sampleRate = sampleRate
    }

    /// Container and codec facts from the file's headers, without decoding the audio.
    public func probe(_ path: String) throws(AudioError) -> AudioSourceInfo {
        try AudioInput(path: path).info
    }

    /// Decodes `durationSeconds` (nil: the rest of the file) from `offsetSeconds` on. As in librosa,
    /// the span is cut at the file's own rate (`Int(offset * rate)` samples skipped,
    /// `Int(duration * rate)` kept) and then resampled. Memory holds the output and one frame, never
    /// the whole decoded file.
    public func decode(_ path: String, offsetSeconds: Double = 0, durationSeconds: Double? = nil) throws(AudioError) -> DecodedAudio {
        if let sampleRate, sampleRate <= 0 { throw .invalidSampleRate(sampleRate) }
        guard offsetSeconds.isFinite, offsetSeconds >= 0 else { throw .invalidOffset(offsetSeconds) }
        if let durationSeconds, !(durationSeconds.isFinite && durationSeconds >= 0) {
            throw .invalidDuration(durationSeconds)
        }
        var input = try AudioInput(path: path)
        let source = input.info
        let nativeRate = source.sampleRate
        let first = sampleCount(offsetSeconds, nativeRate)
        let end = durationSeconds.map { first + sampleCount($0, nativeRate) }
        let outputRate = sampleRate ?? nativeRate
        let resampler = outputRate == nativeRate ? nil : try Resampler(inputRate: nativeRate, outputRate: outputRate)

        // Room for the expected output and 1% for codec padding, so the array need not grow by
        // doubling; at most 2^28 samples (1 GiB), should a damaged header claim days of audio.
        let expected = [end, source.durationSeconds.map { sampleCount($0, nativeRate) }].compactMap { $0 }.min() ?? 0
        let capacity = Double(max(expected - first, 0)) * Double(outputRate) / Double(nativeRate) * 1.01 + 4096
        var samples: [Float] = []
        samples.reserveCapacity(Int(min(capacity, 0x1000_0000)))
        func keep(_ chunk: ArraySlice<Float>) throws(AudioError) {
            if let resampler {
                try chunk.withUnsafeBufferPointer { (buffer) throws(AudioError) in
                    try resampler.process(buffer, appendingTo: &samples)
                }
            } else {
                samples.append(contentsOf: chunk)
            }
        }

        // A far offset seeks instead of decoding everything before it; the pre-roll lets decoders
        // that carry state across frames (MP3, AAC, Vorbis, Opus) settle before the kept samples.
        var awaitingPosition = first > seekThresholdSeconds * nativeRate
            && input.seek(toSample: first - preRollSeconds * nativeRate)
        var position = 0  // native index of the first sample in `mono`
        var mono: [Float] = []
        var reachedEnd = false
        while try input.readFrame(into: &mono) {
            if awaitingPosition {
                awaitingPosition = false
                // Without a timestamp, or past the offset, the seek cannot be trusted: start over.
                guard let landed = input.framePosition, landed <= first else {
                    input = try AudioInput(path: path)
                    continue
                }
                position = landed
            }
            let from = max(first - position, 0), to = min(end.map { $0 - position } ?? mono.count, mono.count)
            if from < to { try keep(mono[from ..< to]) }
            position += mono.count
            if let end, position >= end {
                reachedEnd = true
                break
            }
        }
        if !reachedEnd { try checkComplete(input, decodedSamples: position, offsetSeconds: offsetSeconds, first: first) }
        if let resampler {
            try resampler.flush(appendingTo: &samples)
            // librosa pads (or trims) the resampled signal to ceil(n * ratio) samples.
            let kept = min(end ?? position, position) - min(first, position)
            let length = Int((Double(kept) * Double(outputRate) / Double(nativeRate)).rounded(.up))
            samples = samples.count >= length ? Array(samples.prefix(length))
                : samples + [Float](repeating: 0, count: length - samples.count)
        }
        return DecodedAudio(samples: samples, sampleRate: outputRate, source: source, clipping: input.clipping)
    }

    /// Errors found once the whole stream has been read. Truncation rule: the file is truncated when
    /// its header declares more samples than decode, by more than the codec's padding (four codec
    /// frames) and 20 ms; healthy files decode at least what they declare, less lossy codecs' delay.
    private func checkComplete(_ input: AudioInput, decodedSamples: Int, offsetSeconds: Double, first: Int) throws(AudioError) {
        let rate = Double(input.info.sampleRate)
        if let declared = input.declaredSamples, decodedSamples < declared - input.truncationSlack {
            throw .truncated(path: input.path, decodedSeconds: Double(decodedSamples) / rate,
                             expectedSeconds: Double(declared) / rate)
        }
        if let reason = input.readError {
            throw .damaged(path: input.path, atSeconds: Double(decodedSamples) / rate, reason: reason)
        }
        if decodedSamples == 0 {
            throw .noDecodableAudio(path: input.path, reason: input.decodeError ?? "the stream holds no samples")
        }
        if first > 0 && decodedSamples <= first {
            throw .offsetPastEnd(path: input.path, offsetSeconds: offsetSeconds, fileSeconds: Double(decodedSamples) / rate)
        }
    }
}

private let seekThresholdSeconds = 5
private let preRollSeconds = 1

/// Whole samples in `seconds` at `rate`, truncated as librosa counts them.
func sampleCount(_ seconds: Double, _ rate: Int) -> Int {
    clampedInt(seconds * Double(rate))
}

/// `value` truncated to an Int within +-10^15 (NaN gives 0): absurd requests and values read from
/// damaged headers must not overflow, which would trap.
func clampedInt(_ value: Double) -> Int {
    value.isNaN ? 0 : Int(max(-1e15, min(value, 1e15)))
}

/// Mono samples decoded from a file.
public struct DecodedAudio: Sendable {
    public var samples: [Float]
    /// Hz.
    public let sampleRate: Int
    /// The file they came from, at its own rate and channel count.
    public let source: AudioSourceInfo
    /// The file's samples that were too loud to pass as they were.
    public let clipping: Clipping

    public var durationSeconds: Double { Double(samples.count) / Double(sampleRate) }

    /// What every verb says of this audio besides its answer: that it is silent, or was clipped.
    public var warning: String? {
        DigitalSilence.warning(samples) ?? clipping.warning
    }
}

/// What a file's headers say about its audio.
public struct AudioSourceInfo: Sendable, Equatable {
    public let path: String
    /// FFmpeg's name for the container, e.g. "wav", "flac", "ogg", "mov,mp4,m4a,3gp,3g2,mj2".
    public let format: String
    /// FFmpeg's name for the codec, e.g. "pcm_s16le", "mp3", "vorbis", "aac".
    public let codec: String
    /// The rate the file decodes at, Hz (48000 for every Opus file).
    public let sampleRate: Int
    public let channels: Int
    /// The duration the headers declare or FFmpeg estimates; nil when unknown.
    public let durationSeconds: Double?
}
