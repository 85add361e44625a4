import GenreAudio
import Testing
import TestSupport

/// Lossless files decode to exactly librosa's mono values (tolerance 0): the same integers scaled
/// the same way, then averaged in float32 in the same order. The NUT files hold the first 2205
/// frames of a WAV in planar or 64-bit sample formats, and share its reference.
@Test(arguments: [
    ("stereo_u8.wav", "mono_u8"), ("stereo_s16.wav", "mono_s16"), ("stereo_s24.wav", "mono_s24"),
    ("stereo_s32.wav", "mono_s32"), ("stereo_f32.wav", "mono_f32"), ("stereo_f64.wav", "mono_f64"),
    ("stereo.aiff", "mono_s16"), ("stereo.au", "mono_s16"), ("stereo.flac", "mono_s16"),
    ("stereo_s16p.nut", "mono_s16"), ("stereo_s32p.nut", "mono_s32"), ("stereo_u8p.nut", "mono_u8"),
    ("stereo_s64.nut", "mono_s32"), ("six_channels.wav", "mono_six_channels"),
    ("silence.wav", "mono_silence"), ("short_1000.wav", "mono_short_1000"),
    ("rate_8000.wav", "mono_rate_8000"), ("rate_96000.wav", "mono_rate_96000"),
])
func losslessMatchesLibrosa(file: String, referenceName: String) throws {
    var expected = try reference(referenceName)
    if file.hasSuffix(".nut") { expected = Array(expected.prefix(2205)) }
    let audio = try AudioDecoder(sampleRate: nil).decode(fixturePath(file))
    #expect(audio.sampleRate == (file == "rate_8000.wav" ? 8000 : file == "rate_96000.wav" ? 96000 : 44100))
    #expect(audio.sampleRate == audio.source.sampleRate)
    #expect(audio.samples.count == expected.count)
    #expect(audio.samples == expected, "\(file): \(Deviation.compare(audio.samples, expected))")
}

@Test func probeReadsHeaders() throws {
    let decoder = AudioDecoder()
    let wav = try decoder.probe(fixturePath("stereo_s24.wav"))
    #expect(wav.format == "wav" && wav.codec == "pcm_s24le" && wav.sampleRate == 44100 && wav.channels == 2)
    #expect(abs((wav.durationSeconds ?? 0) - 0.15) < 1e-9)
    let six = try decoder.probe(fixturePath("six_channels.wav"))
    #expect(six.channels == 6 && six.sampleRate == 44100)
    let opus = try decoder.probe(fixturePath("stereo.opus"))
    #expect(opus.format == "ogg" && opus.codec == "opus" && opus.sampleRate == 48000)
    let aac = try decoder.probe(fixturePath("stereo.m4a"))
    #expect(aac.codec == "aac" && aac.channels == 2)
    #expect(throws: AudioError.emptyFile(path: fixturePath("empty.wav"))) { try decoder.probe(fixturePath("empty.wav")) }
}

/// Resampling to 22050 Hz gives `librosa.resample` (python-soxr's HQ, padded to ceil(n * ratio)): the same length
/// exactly, and values within 1e-6 (the signals' peak is 0.4). Debian's libsoxr and the one bundled
/// with python-soxr give identical values here, but other builds or CPUs may round differently.
@Test(arguments: [
    ("stereo_s16.wav", "hq22050_s16"), ("rate_8000.wav", "hq22050_rate_8000"),
    ("rate_96000.wav", "hq22050_rate_96000"), ("six_channels.wav", "hq22050_six_channels"),
    ("silence.wav", "hq22050_silence"), ("short_1000.wav", "hq22050_short_1000"),
])
func resamplingMatchesPythonSoxr(file: String, referenceName: String) throws {
    let expected = try reference(referenceName)
    let audio = try AudioDecoder().decode(fixturePath(file))
    #expect(audio.sampleRate == 22050)
    #expect(audio.samples.count == expected.count)
    let deviation = Deviation.compare(audio.samples, expected)
    #expect(deviation.maxAbsolute <= 1e-6, "\(file): \(deviation)")
}

/// Lossy files cannot match sample by sample; they are compared at 22050 Hz with the clean mono
/// signal (0.25 sin 440 Hz + 0.15 sin 1000 Hz, resampled by python-soxr):
/// - length within 512 samples of 0.15 s (one AAC frame at 44.1 kHz: FFmpeg keeps the AAC encoder's
///   end padding, and drops the last 128 samples of Vorbis)
/// - correlation at the best lag within +-10 ms, leaving 10 ms out at both ends, at least
///   `minimumCorrelation`: 0.999, but 0.99 for FFmpeg's AAC encoder, which smears its first 30 ms
/// - RMS within 3% of the clean signal's
/// - dominant frequency 440 Hz, to within the 5 Hz scan step
@Test(arguments: [("stereo.mp3", 0.999), ("stereo.ogg", 0.999), ("stereo.opus", 0.999), ("stereo.m4a", 0.99)])
func lossyMatchesSignal(file: String, minimumCorrelation: Double) throws {
    let expected = try reference("hq22050_s16")
    let audio = try AudioDecoder().decode(fixturePath(file))
    #expect(audio.sampleRate == 22050 && audio.source.sampleRate == (file.hasSuffix(".opus") ? 48000 : 44100))
    #expect(abs(audio.samples.count - expected.count) <= 512, "\(file): \(audio.samples.count) samples")
    let alignment = bestAlignment(audio.samples, expected, maxLag: 220, margin: 220)
    #expect(alignment.correlation >= minimumCorrelation, "\(file): \(alignment)")
    let level = rms(audio.samples[220 ..< expected.count - 220]) / rms(expected[220 ..< expected.count - 220])
    #expect(abs(level - 1) <= 0.03, "\(file): RMS ratio \(level)")
    #expect(abs(dominantFrequency(audio.samples, sampleRate: 22050) - 440) <= 5)
}

/// librosa's `offset`/`duration`: `Int(offset * rate)` native samples skipped, `Int(duration * rate)`
/// kept, then resampled (reference: python-soxr on that span).
@Test func offsetAndDurationTrimAtNativeRate() throws {
    let fixture = try Fixture.load("audio_reference.safetensors")
    let offset = try #require(fixture.double("trim_offset_seconds"))
    let duration = try #require(fixture.double("trim_duration_seconds"))
    let path = fixturePath("stereo_s16.wav")

    let resampled = try AudioDecoder().decode(path, offsetSeconds: offset, durationSeconds: duration)
    let expected = try fixture.tensor("trim_hq22050").floats
    #expect(resampled.samples.count == expected.count)
    #expect(Deviation.compare(resampled.samples, expected).maxAbsolute <= 1e-6)

    let native = try AudioDecoder(sampleRate: nil).decode(path, offsetSeconds: offset, durationSeconds: duration)
    let whole = try fixture.tensor("mono_s16").floats
    let start = Int(offset * 44100)
    #expect(native.samples == Array(whole[start ..< start + Int(duration * 44100)]))

    // Only an offset: the rest of the file. A duration past the end: what there is.
    #expect(try AudioDecoder(sampleRate: nil).decode(path, offsetSeconds: offset).samples == Array(whole[start...]))
    #expect(try AudioDecoder(sampleRate: nil).decode(path, durationSeconds: 10).samples == whole)
    #expect(try AudioDecoder(sampleRate: nil).decode(path, durationSeconds: 0).samples.isEmpty)
}

/// An offset beyond 5 s seeks rather than decoding from the start; the kept span must still be
/// exactly librosa's (checked on a generated 12 s WAV of noise, where any shift would show).
@Test func seekingKeepsExactSamples() throws {
    try withTemporaryFolder { folder in
        var random = SystemRandomNumberGenerator()
        let noise = (0 ..< 2 * 12 * 8000).map { _ in Float.random(in: -0.5 ... 0.5, using: &random) }
        let long = folder + "/noise.wav"
        try WAVWriter.write(long, samples: noise, channels: 2, sampleRate: 8000)
        let whole = try AudioDecoder(sampleRate: nil).decode(long).samples
        let start = Int(7.3 * 8000), count = Int(1.5 * 8000)
        let span = try AudioDecoder(sampleRate: nil).decode(long, offsetSeconds: 7.3, durationSeconds: 1.5)
        #expect(span.samples == Array(whole[start ..< start + count]))

        // Resampled, the span is what the same samples give when they are a file of their own.
        let cut = folder + "/cut.wav"
        try WAVWriter.write(cut, samples: Array(noise[2 * start ..< 2 * (start + count)]), channels: 2, sampleRate: 8000)
        let resampled = try AudioDecoder().decode(long, offsetSeconds: 7.3, durationSeconds: 1.5).samples
        #expect(resampled == (try AudioDecoder().decode(cut).samples))
        #expect(resampled.count == Int((Double(count) * 22050 / 8000).rounded(.up)))
    }
}

/// Real clips, when ../shared/datasets/gtzan is beside the checkout: every 80th file of the manifest
/// decodes to 22050 Hz with the duration the manifest gives (rounded there to 0.01 s).
@Test(.enabled(if: SharedData.gtzan != nil, Comment(rawValue: SharedData.gtzanMissing)))
func gtzanClipsDecode() throws {
    let root = try #require(SharedData.gtzan)
    let manifest = try String(contentsOf: root.appendingPathComponent("manifest.csv"), encoding: .utf8)
    let rows = manifest.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    for row in stride(from: 0, to: rows.count, by: 80).map({ rows[$0] }) {
        let audio = try AudioDecoder().decode(root.appendingPathComponent(String(row[5])).path)
        let seconds = try #require(Double(String(row[7])))
        #expect(audio.sampleRate == 22050 && audio.source.sampleRate == Int(String(row[6])))
        #expect(abs(audio.durationSeconds - seconds) <= 0.005 + 1e-9, "\(row[0]): \(audio.durationSeconds) s")
    }
}
