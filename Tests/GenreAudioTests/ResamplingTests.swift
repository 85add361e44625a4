import Foundation
import GenreAudio
import Testing

@Suite struct ResamplingTests {
    /// python-soxr's length, and a 1 kHz tone that stays a 1 kHz tone of the same level.
    @Test func toneKeepsItsPitchAndLevel() throws {
        let tone = (0 ..< 22050).map { Float(0.5 * sin(2 * Double.pi * 1000 * Double($0) / 22050)) }
        let resampled = try Resampling.resample(tone, from: 22050, to: 16000)
        #expect(resampled.count == 16000)
        // Away from the edges (the filter's transients), compare with the ideal tone at 16 kHz.
        let worst = (1000 ..< 15000).map { abs(resampled[$0] - Float(0.5 * sin(2 * Double.pi * 1000 * Double($0) / 16000))) }.max()!
        #expect(worst < 1e-3)
        #expect(try Resampling.resample(tone, from: 22050, to: 22050) == tone)
    }
}
