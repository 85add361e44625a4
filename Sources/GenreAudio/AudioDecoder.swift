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

    /// The sample rates audio is stored at: a header outside them is damaged or not audio, and
    /// resampling from it would multiply the samples a thousandfold.
    public static let plausibleRates = 1000 ... 768_000
    /// Three hours: long DJ mixes and concerts pass, a header claiming days does not.
    public static let defaultMaxDurationSeconds = 3 * 3600.0

    /// The rate of the decoded samples, in Hz; nil keeps each file's own rate.
    public let sampleRate: Int?
    /// Files (or spans) longer than this are refused; nil: no limit.
    public let maxDurationSeconds: Double?

    /// A rate outside `plausibleRates` makes every `decode` fail with `AudioError.invalidSampleRate`.
    public init(sampleRate: Int? = 22050, maxDurationSeconds: Double? = AudioDecoder.defaultMaxDurationSeconds) {
        self.sampleRate = sampleRate
        self.maxDurationSeconds = maxDurationSeconds
    }

    /// Container and codec facts from the file's headers, without decoding the audio.
    public func probe(_ path: String) throws(AudioError) -> AudioSourceInfo {
        try AudioInput(path: path).info
    }

    /// Decodes `durationSeconds` (nil: the rest of the file) from `offsetSeconds` on, all at once.
    /// Memory holds the output and one frame, never the whole decoded file; `stream` does not hold
    /// the output either.
    public func decode(_ path: String, offsetSeconds: Double = 0, durationSeconds: Double? = nil) throws(AudioError) -> DecodedAudio {
        let stream = try stream(path, offsetSeconds: offsetSeconds, durationSeconds: durationSeconds)
        var samples: [Float] = []
        // Room for the expected output, so the array need not grow by doubling; at most the limit.
        samples.reserveCapacity(stream.expectedSamples)
        while let chunk = try stream.next() { samples += chunk }
        return DecodedAudio(samples: samples, sampleRate: stream.sampleRate, source: stream.source, clipping: stream.clipping)
    }

    /// The same samples as `decode`, handed out chunk by chunk as they are decoded, so that work
    /// over windows of a song of any length holds only a window or so.
    public func stream(_ path: String, offsetSeconds: Double = 0, durationSeconds: Double? = nil) throws(AudioError) -> AudioStream {
        if let sampleRate, !AudioDecoder.plausibleRates.contains(sampleRate) { throw .invalidSampleRate(sampleRate) }
        guard offsetSeconds.isFinite, offsetSeconds >= 0 else { throw .invalidOffset(offsetSeconds) }
        if let durationSeconds, !(durationSeconds.isFinite && durationSeconds >= 0) {
            throw .invalidDuration(durationSeconds)
        }
        if let maxDurationSeconds, !(maxDurationSeconds.isFinite && maxDurationSeconds > 0) {
            throw .invalidDurationLimit(maxDurationSeconds)
        }
        return try AudioStream(path: path, outputRate: sampleRate, offsetSeconds: offsetSeconds, durationSeconds: durationSeconds,
                               limitSeconds: maxDurationSeconds)
    }
}

/// The decoded mono samples of one file at one rate, handed out by `next()` in chunks of about a
/// codec frame. As in librosa, the span is cut at the file's own rate (`Int(offset * rate)`
/// samples skipped, `Int(duration * rate)` kept) and then resampled.
public final class AudioStream {
    /// The file, at its own rate and channel count.
    public let source: AudioSourceInfo
    /// Hz of the samples handed out.
    public let sampleRate: Int
    /// How many samples the header leads one to expect (capped by the duration limit).
    public let expectedSamples: Int
    /// The samples read so far that were too loud to pass.
    public var clipping: Clipping { input.clipping }
    /// Samples handed out so far.
    public private(set) var deliveredCount = 0

    private var input: AudioInput
    private let path: String
    private let offsetSeconds: Double
    private let limitSeconds: Double?
    private let resampler: Resampler?
    /// Native indices: the first sample kept, the end of the span (nil: the file's end), and the
    /// most the limit lets through.
    private let first: Int, end: Int?, limit: Int
    private var awaitingPosition: Bool
    /// Native index of the first sample of the next frame.
    private var position = 0
    private var mono: [Float] = []
    /// The newest resampled samples, held back until the end fixes the resampled length.
    private var held: [Float] = []
    private var ended = false
    private var silent = true

    init(path: String, outputRate: Int?, offsetSeconds: Double, durationSeconds: Double?, limitSeconds: Double?) throws(AudioError) {
        input = try AudioInput(path: path)
        source = input.info
        let nativeRate = source.sampleRate
        self.path = path
        self.offsetSeconds = offsetSeconds
        self.limitSeconds = limitSeconds
        let outputRate = outputRate ?? nativeRate
        sampleRate = outputRate
        let first = sampleCount(offsetSeconds, nativeRate)
        let end = durationSeconds.map { first + sampleCount($0, nativeRate) }
        let limit = limitSeconds.map { sampleCount($0, nativeRate) } ?? .max
        (self.first, self.end, self.limit) = (first, end, limit)
        // What the header declares is checked before any work, so a file claiming days is refused at once.
        let declared = [end, source.durationSeconds.map { sampleCount($0, nativeRate) }].compactMap { $0 }.min()
        if let declared, declared - first > limit, let limitSeconds {
            throw .tooLong(path: path, seconds: Double(declared - first) / Double(nativeRate), limitSeconds: limitSeconds)
        }
        let expected = Double(max(min(declared ?? 0, first + min(limit, Int.max / 2)) - first, 0))
            * Double(outputRate) / Double(nativeRate)
        expectedSamples = Int(min(expected * 1.01 + 4096, 0x1000_0000))
        resampler = outputRate == nativeRate ? nil : try Resampler(inputRate: Double(nativeRate), outputRate: Double(outputRate))
        // A far offset seeks instead of decoding everything before it; the pre-roll lets decoders
        // that carry state across frames (MP3, AAC, Vorbis, Opus) settle before the kept samples.
        awaitingPosition = first > seekThresholdSeconds * nativeRate
            && input.seek(toSample: first - preRollSeconds * nativeRate)
    }

    /// The next samples, or nil once the span has been handed out whole.
    public func next() throws(AudioError) -> [Float]? {
        while !ended {
            var produced: [Float] = []
            if try !decodeFrame(appendingTo: &produced) {
                try finish(appendingTo: &produced)
                ended = true
            }
            held += produced
            let ready = ended ? held.count : held.count - heldBack
            if ready > 0 {
                let chunk = Array(held.prefix(ready))
                held.removeFirst(ready)
                deliveredCount += chunk.count
                if silent { silent = chunk.allSatisfy { $0 == 0 } }
                return chunk
            }
        }
        return nil
    }

    /// What every verb says of this audio besides its answer, once it has all been read.
    public var warning: String? {
        (silent ? DigitalSilence.message : nil) ?? clipping.warning
    }

    /// With a resampler, the last samples may be padded or trimmed at the end.
    private var heldBack: Int { resampler == nil ? 0 : 64 }

    /// Decodes one frame and appends the part of it within the span; false at the span's end.
    private func decodeFrame(appendingTo output: inout [Float]) throws(AudioError) -> Bool {
        guard try input.readFrame(into: &mono) else { return false }
        if awaitingPosition {
            awaitingPosition = false
            // Without a timestamp, or past the offset, the seek cannot be trusted: start over.
            guard let landed = input.framePosition, landed <= first else {
                input = try AudioInput(path: path)
                return true
            }
            position = landed
        }
        let from = max(first - position, 0), to = min(end.map { $0 - position } ?? mono.count, mono.count)
        if from < to {
            if let resampler {
                try mono[from ..< to].withUnsafeBufferPointer { (buffer) throws(AudioError) in
                    try resampler.process(buffer, appendingTo: &output)
                }
            } else {
                output += mono[from ..< to]
            }
        }
        position += mono.count
        if position - first > limit, let limitSeconds {
            throw .tooLong(path: path, seconds: nil, limitSeconds: limitSeconds)
        }
        return end.map { position < $0 } ?? true
    }

    /// Checks that the file was whole and flushes the resampler; librosa then pads (or trims) the
    /// resampled signal to ceil(n * ratio) samples.
    private func finish(appendingTo output: inout [Float]) throws(AudioError) {
        if end.map({ position < $0 }) ?? true { try checkComplete() }
        guard let resampler else { return }
        try resampler.flush(appendingTo: &output)
        let nativeRate = source.sampleRate
        let kept = min(end ?? position, position) - min(first, position)
        let length = Int((Double(kept) * Double(sampleRate) / Double(nativeRate)).rounded(.up))
        let produced = deliveredCount + held.count + output.count
        if produced > length {
            let excess = produced - length
            let fromOutput = min(excess, output.count)
            output.removeLast(fromOutput)
            held.removeLast(excess - fromOutput)
        } else {
            output += repeatElement(0, count: length - produced)
        }
    }

    /// Errors found once the whole stream has been read. Truncation rule: the file is truncated when
    /// its header declares more samples than decode, by more than the codec's padding (four codec
    /// frames) and 20 ms; healthy files decode at least what they declare, less lossy codecs' delay.
    private func checkComplete() throws(AudioError) {
        let rate = Double(source.sampleRate)
        if let declared = input.declaredSamples, position < declared - input.truncationSlack {
            throw .truncated(path: path, decodedSeconds: Double(position) / rate, expectedSeconds: Double(declared) / rate)
        }
        if let reason = input.readError {
            throw .damaged(path: path, atSeconds: Double(position) / rate, reason: reason)
        }
        if position == 0 {
            throw .noDecodableAudio(path: path, reason: input.decodeError ?? "the stream holds no samples")
        }
        if first > 0 && position <= first {
            throw .offsetPastEnd(path: path, offsetSeconds: offsetSeconds, fileSeconds: Double(position) / rate)
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
