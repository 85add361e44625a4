/// Why a file could not be decoded, or why a request was invalid. Each description names the file
/// (when there is one), says what was wrong and what to do, on one line.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case isDirectory(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    /// FFmpeg recognises no media format in the content (a text file, random bytes, a damaged header).
    case unrecognizedFormat(path: String, reason: String)
    /// A media file without any audio stream (an image, a silent video); `found` lists its streams.
    case noAudioStream(path: String, format: String, found: String)
    case unsupportedCodec(path: String, codec: String)
    /// There is an audio stream, but not one sample of it decodes.
    case noDecodableAudio(path: String, reason: String)
    /// The file ends before the audio its header declares (`expectedSeconds`), or while FFmpeg
    /// still reads its headers (`expectedSeconds` nil).
    case truncated(path: String, decodedSeconds: Double, expectedSeconds: Double?)
    /// Reading stopped with an error before the end of the file.
    case damaged(path: String, atSeconds: Double, reason: String)
    case invalidSampleRate(Int)
    case invalidOffset(Double)
    case invalidDuration(Double)
    case invalidSegmentLength(Double)
    case invalidSegmentHop(Double)
    case offsetPastEnd(path: String, offsetSeconds: Double, fileSeconds: Double)
    case resamplerFailed(reason: String)
    /// The header gives a sample rate outside `AudioDecoder.plausibleRates`.
    case implausibleSampleRate(path: String, rate: Int)
    /// The audio (its header says `seconds`; nil when it said less than it held) is longer than
    /// the decoder's limit.
    case tooLong(path: String, seconds: Double?, limitSeconds: Double)
    case invalidDurationLimit(Double)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            "\(path): no such file; check the path"
        case .isDirectory(let path):
            "\(path) is a folder, not an audio file; pass the audio files inside it"
        case .unreadable(let path, let reason):
            "\(path) cannot be read (\(reason)); pass a readable audio file"
        case .emptyFile(let path):
            "\(path) is empty (0 bytes); copy or download it again"
        case .unrecognizedFormat(let path, let reason):
            "\(path) is not in any audio format FFmpeg recognises (\(reason)); check that it really is audio"
                + " (a failed download may have saved an error page) and re-create it"
        case .noAudioStream(let path, let format, let found):
            "\(path) holds no audio: FFmpeg reads it as \(format) with \(found); use an audio file"
        case .unsupportedCodec(let path, let codec):
            "\(path) uses the audio codec '\(codec)', which this FFmpeg build cannot decode;"
                + " convert it to FLAC or WAV first"
        case .noDecodableAudio(let path, let reason):
            "\(path) has an audio stream but none of it decodes (\(reason)); the file is damaged: re-create it"
        case .truncated(let path, let decoded, let expected?):
            "\(path) is truncated: its header declares \(seconds(expected)) of audio but it ends after"
                + " \(seconds(decoded)); the file was probably cut short (interrupted copy or download): get a complete copy"
        case .truncated(let path, _, nil):
            "\(path) is truncated: FFmpeg met the end of the file while still reading its headers;"
                + " get a complete copy"
        case .damaged(let path, let at, let reason):
            "\(path) is damaged: reading failed after \(seconds(at)) (\(reason)); re-create or re-download it"
        case .invalidSampleRate(let rate):
            "sample rate must be \(AudioDecoder.plausibleRates.lowerBound) to \(AudioDecoder.plausibleRates.upperBound) Hz"
                + " (or nil to keep the file's rate), got \(rate)"
        case .invalidOffset(let offset):
            "offset must be a finite number of seconds >= 0, got \(offset)"
        case .invalidDuration(let duration):
            "duration must be a finite number of seconds >= 0 (or nil for the rest of the file), got \(duration)"
        case .invalidSegmentLength(let length):
            "segment length must be a positive number of seconds, got \(length)"
        case .invalidSegmentHop(let hop):
            "segment hop must be a positive number of seconds, got \(hop)"
        case .offsetPastEnd(let path, let offset, let length):
            "\(path): offset \(seconds(offset)) is past the end of the audio (\(seconds(length)) long);"
                + " use a smaller offset"
        case .resamplerFailed(let reason):
            "libsoxr cannot resample (\(reason)); try another sample rate, or nil to keep the file's"
        case .implausibleSampleRate(let path, let rate):
            "\(path): its header gives a sample rate of \(rate) Hz, outside the \(AudioDecoder.plausibleRates.lowerBound) to"
                + " \(AudioDecoder.plausibleRates.upperBound) Hz audio is stored at; the header is damaged: re-create the file"
        case .tooLong(let path, let seconds?, let limit):
            "\(path) holds \(duration(seconds)) of audio, more than the limit of \(duration(limit)); if it really is that"
                + " long, raise the limit (--max-duration)"
        case .tooLong(let path, nil, let limit):
            "\(path) holds more than the limit of \(duration(limit)) of audio, although its header says less (a damaged"
                + " header?); if it really is that long, raise the limit (--max-duration)"
        case .invalidDurationLimit(let limit):
            "the duration limit must be a positive number of seconds (or nil for none), got \(limit)"
        }
    }
}

/// "2 h 5 min", "4.5 s": a long duration as people say it.
private func duration(_ value: Double) -> String {
    guard value >= 60 else { return seconds(value) }
    let minutes = Int((value / 60).rounded())
    guard minutes >= 60 else { return "\(minutes) min" }
    guard minutes >= 48 * 60 else { return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min" }
    return String(format: "%.1f days", value / 86400)
}

private func seconds(_ value: Double) -> String {
    "\((value * 1000).rounded() / 1000) s"
}
