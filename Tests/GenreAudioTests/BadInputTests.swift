import Foundation
import GenreAudio
import Testing
import TestSupport

/// Each kind of bad input gives its own error, whose description names the file.
@Test func badFilesGiveClearErrors() throws {
    let decoder = AudioDecoder()
    func error(_ name: String) -> AudioError? {
        do {
            _ = try decoder.decode(fixturePath(name))
            return nil
        } catch {
            #expect(error.description.contains(fixturePath(name)), "\(error)")
            return error
        }
    }
    #expect(error("missing.wav") == .fileNotFound(path: fixturePath("missing.wav")))
    #expect(error("") == .isDirectory(path: fixturePath("")))
    #expect(error("empty.wav") == .emptyFile(path: fixturePath("empty.wav")))
    #expect(error("text.mp3") == .unrecognizedFormat(path: fixturePath("text.mp3"), reason: "FFmpeg: Invalid argument"))
    #expect(error("image.mp3") == .noAudioStream(path: fixturePath("image.mp3"), format: "png_pipe", found: "1 stream: video (png)"))
    #expect(error("video_only.mkv")
        == .noAudioStream(path: fixturePath("video_only.mkv"), format: "matroska,webm", found: "1 stream: video (ffv1)"))
}

/// Truncated files: the WAV cut at a sample boundary (only its header's data size tells), the MP3
/// cut after 40% (its Xing header declares the length), FLAC and Ogg cut before their first
/// complete frame or page (FFmpeg meets the end of the file while reading headers).
@Test func truncatedFilesAreReported() throws {
    func error(_ name: String) -> AudioError? {
        #expect(throws: AudioError.self) { try AudioDecoder().decode(fixturePath(name)) }
        do { _ = try AudioDecoder().decode(fixturePath(name)) } catch { return error }
        return nil
    }
    #expect(error("truncated.wav")
        == .truncated(path: fixturePath("truncated.wav"), decodedSeconds: 3302 / 44100, expectedSeconds: 6615 / 44100))
    guard case .truncated(_, let decoded, let expected?) = error("truncated.mp3") else {
        Issue.record("truncated.mp3 is not reported as truncated")
        return
    }
    #expect(decoded < 0.1 && expected > 0.15)
    #expect(error("truncated.flac") == .truncated(path: fixturePath("truncated.flac"), decodedSeconds: 0, expectedSeconds: nil))
    #expect(error("truncated.ogg") == .truncated(path: fixturePath("truncated.ogg"), decodedSeconds: 0, expectedSeconds: nil))
}

@Test func badParametersAreRejected() throws {
    let path = fixturePath("stereo_s16.wav")
    #expect(throws: AudioError.invalidSampleRate(0)) { try AudioDecoder(sampleRate: 0).decode(path) }
    #expect(throws: AudioError.invalidSampleRate(-8000)) { try AudioDecoder(sampleRate: -8000).decode(path) }
    #expect(throws: AudioError.invalidOffset(-1)) { try AudioDecoder().decode(path, offsetSeconds: -1) }
    #expect(throws: AudioError.self) { try AudioDecoder().decode(path, offsetSeconds: .nan) }
    #expect(throws: AudioError.invalidDuration(-0.5)) { try AudioDecoder().decode(path, durationSeconds: -0.5) }
    #expect(throws: AudioError.invalidDuration(.infinity)) { try AudioDecoder().decode(path, durationSeconds: .infinity) }
    #expect(throws: AudioError.offsetPastEnd(path: path, offsetSeconds: 0.5, fileSeconds: 6615 / 44100)) {
        try AudioDecoder().decode(path, offsetSeconds: 0.5)
    }
    // Absurd values neither overflow nor crash: an offset past the end, or the whole file.
    #expect(throws: AudioError.offsetPastEnd(path: path, offsetSeconds: 1e300, fileSeconds: 6615 / 44100)) {
        try AudioDecoder().decode(path, offsetSeconds: 1e300)
    }
    #expect(try AudioDecoder().decode(path, durationSeconds: 1e300).samples.count == 3308)
}

/// Every error's description says what was wrong and what to do, on one line.
@Test(arguments: [
    AudioError.fileNotFound(path: "a.wav"), .isDirectory(path: "music"), .unreadable(path: "a.wav", reason: "permission denied"),
    .emptyFile(path: "a.wav"), .unrecognizedFormat(path: "a.mp3", reason: "FFmpeg: Invalid argument"),
    .noAudioStream(path: "a.mp3", format: "png_pipe", found: "1 stream: video (png)"),
    .unsupportedCodec(path: "a.wma", codec: "wmapro"), .noDecodableAudio(path: "a.mp3", reason: "Invalid data"),
    .truncated(path: "a.wav", decodedSeconds: 1, expectedSeconds: 2), .truncated(path: "a.ogg", decodedSeconds: 0, expectedSeconds: nil),
    .damaged(path: "a.mp3", atSeconds: 3, reason: "I/O error"), .invalidSampleRate(0), .invalidOffset(-1),
    .invalidDuration(-1), .offsetPastEnd(path: "a.wav", offsetSeconds: 40, fileSeconds: 30), .resamplerFailed(reason: "x"),
])
func errorDescriptionsAreOneClearLine(error: AudioError) {
    #expect(!error.description.contains("\n"))
    #expect(error.description.count > 30, "\(error)")
}

/// Silence and a clip shorter than one FFT frame are not errors at this level.
@Test func silenceAndShortClipsDecode() throws {
    let silence = try AudioDecoder().decode(fixturePath("silence.wav"))
    #expect(silence.samples.count == 2205 && silence.samples.allSatisfy { $0 == 0 })
    let short = try AudioDecoder(sampleRate: nil).decode(fixturePath("short_1000.wav"))
    #expect(short.samples.count == 1000)
}

/// NaN and infinity in a float file become 0, and are counted; every other sample passes through.
@Test func nonFiniteSamplesBecomeZero() throws {
    try withTemporaryFolder { folder in
        let path = folder + "/nonfinite.wav"
        // Stereo frames: (NaN, 0.5), (inf, -inf), (0.25, 0.75).
        try WAVWriter.write(path, samples: [.nan, 0.5, .infinity, -.infinity, 0.25, 0.75], channels: 2, sampleRate: 8000, float: true)
        let audio = try AudioDecoder(sampleRate: nil).decode(path)
        #expect(audio.samples == [0.25, 0, 0.5])
        #expect(audio.clipping.nonFinite == 3 && audio.clipping.count == 0)
        #expect(audio.warning?.contains("3 samples that were NaN or infinite taken as silence") == true)
        #expect(try AudioDecoder().decode(path).samples.allSatisfy(\.isFinite))
    }
}

/// Float samples beyond +6 dB over full scale are clipped to it, in each channel before the mix,
/// and counted; louder than full scale but within +6 dB (codec overshoot, hot masters) passes as is.
@Test func samplesBeyondSixDecibelsAreClippedAndCounted() throws {
    try withTemporaryFolder { folder in
        let path = folder + "/loud.wav"
        // Stereo frames: (100, 0.5), (1.5, -1.75), (-1e5, -2).
        try WAVWriter.write(path, samples: [100, 0.5, 1.5, -1.75, -1e5, -2], channels: 2, sampleRate: 8000, float: true)
        let audio = try AudioDecoder(sampleRate: nil).decode(path)
        #expect(audio.samples == [1.25, -0.125, -2])
        #expect(audio.clipping.count == 2 && audio.clipping.peak == 1e5)
        #expect(audio.warning?.hasPrefix("2 samples louder than +6 dB over full scale (the loudest at +100.0 dB) clipped to +6 dB") == true)
        #expect(try AudioDecoder().decode(path).samples.allSatisfy { abs($0) <= 2.5 })

        let hot = folder + "/hot.wav"
        try WAVWriter.write(hot, samples: [1.5, -1.99, 0.25], channels: 1, sampleRate: 8000, float: true)
        let passed = try AudioDecoder(sampleRate: nil).decode(hot)
        #expect(passed.samples == [1.5, -1.99, 0.25] && passed.warning == nil)
    }
}

/// A device is refused before FFmpeg could read it forever.
@Test func devicesAreRefused() {
    #expect(throws: AudioError.unreadable(path: "/dev/zero", reason: "not a regular file but a device, pipe or socket")) {
        try AudioDecoder().decode("/dev/zero")
    }
}
