import Foundation
import GenreAudio
import Testing
import TestSupport

/// A header with a sample rate no audio has is refused before anything is sized from it: at 1 Hz
/// a 1.3 MB WAV claims 7.5 days, which resampled to 22050 Hz would be 14 billion samples.
@Test(arguments: [1, 10, 999, 768_001, 10_000_000])
func implausibleSampleRatesAreRefused(rate: Int) throws {
    try withTemporaryFolder { folder in
        let path = folder + "/rate.wav"
        try WAVWriter.write(path, samples: [Float](repeating: 0.25, count: 650_000), channels: 1, sampleRate: rate)
        #expect(throws: AudioError.implausibleSampleRate(path: path, rate: rate)) { try AudioDecoder().decode(path) }
        #expect(throws: AudioError.implausibleSampleRate(path: path, rate: rate)) { try AudioDecoder().probe(path) }
    }
}

@Test func theEdgesOfPlausibleRatesDecode() throws {
    try withTemporaryFolder { folder in
        for rate in [1000, 768_000] {
            let path = folder + "/\(rate).wav"
            try WAVWriter.tone(path, seconds: 0.1, sampleRate: rate)
            #expect(try AudioDecoder(sampleRate: 16000).decode(path).samples.count == 1600)
        }
        #expect(throws: AudioError.invalidSampleRate(999)) { try AudioDecoder(sampleRate: 999).decode(folder + "/1000.wav") }
    }
}

/// Audio longer than the limit is refused: from the header before decoding, or, when the header
/// says nothing (a Matroska file written to a pipe), as soon as decoding passes the limit.
@Test func audioLongerThanTheLimitIsRefused() throws {
    let wav = fixturePath("stereo_s16.wav")  // 0.15 s
    #expect(throws: AudioError.tooLong(path: wav, seconds: 6615 / 44100, limitSeconds: 0.1)) {
        try AudioDecoder(maxDurationSeconds: 0.1).decode(wav)
    }
    // A span within the limit of a longer file passes.
    #expect(try AudioDecoder(sampleRate: nil, maxDurationSeconds: 0.1).decode(wav, durationSeconds: 0.05).samples.count == 2205)
    #expect(try AudioDecoder(maxDurationSeconds: nil).decode(wav).samples.count == 3308)

    let mka = fixturePath("no_duration.mka")  // 2 s, no duration in its header
    #expect(try AudioDecoder().probe(mka).durationSeconds == nil)
    #expect(throws: AudioError.tooLong(path: mka, seconds: nil, limitSeconds: 1)) { try AudioDecoder(maxDurationSeconds: 1).decode(mka) }
    #expect(try AudioDecoder(sampleRate: nil, maxDurationSeconds: 2.5).decode(mka).samples.count == 16000)

    for limit in [0, -1, .infinity] {
        #expect(throws: AudioError.invalidDurationLimit(limit)) { try AudioDecoder(maxDurationSeconds: limit).decode(wav) }
    }
    #expect(throws: AudioError.self) { try AudioDecoder(maxDurationSeconds: .nan).decode(wav) }
    #expect(AudioError.tooLong(path: "a.wav", seconds: 650_000, limitSeconds: 10800).description
        == "a.wav holds 7.5 days of audio, more than the limit of 3 h; if it really is that long, raise the limit (--max-duration)")
}

/// Streamed chunks are the decoded samples, resampled or not, however the codec frames fall.
@Test(arguments: ["stereo.mp3", "stereo.ogg", "stereo_s16.wav", "rate_96000.wav"])
func streamedChunksAreTheDecodedSamples(name: String) throws {
    for rate in [nil, 22050, 16000] {
        let decoder = AudioDecoder(sampleRate: rate)
        let stream = try decoder.stream(fixturePath(name))
        var chunks: [[Float]] = []
        while let chunk = try stream.next() { chunks.append(chunk) }
        #expect(chunks.count > 1 || name == "rate_96000.wav")
        #expect(chunks.flatMap { $0 } == (try decoder.decode(fixturePath(name)).samples))
        #expect(stream.deliveredCount == chunks.joined().count)
        #expect(try stream.next() == nil)
    }
}

/// The cutter gives the windows `Segmenter.ranges` (and `endAlignedRanges`) gives for the whole
/// signal, whatever sizes the chunks come in, holding no more than a window and a chunk or so.
@Test func windowsCutAsSamplesComeAreTheWholeSignalsWindows() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0 ..< 200 {
        let count = Int.random(in: 0 ..< 3000, using: &generator)
        let signal = (0 ..< count).map(Float.init)
        let segmenter = try Segmenter(segmentSeconds: Double.random(in: 0.001 ... 0.5, using: &generator),
                                      hopSeconds: Bool.random() ? nil : Double.random(in: 0.001 ... 0.6, using: &generator))
        let endAligned = Bool.random()
        var cutter = WindowCutter(segmenter: segmenter, sampleRate: 1000, endAligned: endAligned)
        var windows: [AudioWindow] = []
        var start = 0
        while start < count {
            let end = min(count, start + Int.random(in: 1 ... 400, using: &generator))
            windows += cutter.append(Array(signal[start ..< end]))
            start = end
        }
        windows += cutter.finish()
        let expected = endAligned ? segmenter.endAlignedRanges(sampleCount: count, sampleRate: 1000)
            : segmenter.ranges(sampleCount: count, sampleRate: 1000)
        #expect(windows.map(\.range) == (count == 0 ? [] : expected), "\(segmenter) \(count) \(endAligned)")
        #expect(windows.allSatisfy { $0.samples == Array(signal[$0.range]) })
    }
}
