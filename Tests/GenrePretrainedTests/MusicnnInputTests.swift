import Foundation
import GenreFeatures
import GenreNN
import GenreSupport
import GenrePretrained
import Testing
import TestSupport

/// The input pipeline against the original musicnn's `batch_data` (scripts/fixtures/make_musicnn_fixtures.py).
@Suite struct MusicnnInputTests {
    let fixture = try! Fixture.load("musicnn_input.safetensors")
    /// Our mel powers are within a few float32 roundings of librosa's, so now and then one rounds to the
    /// neighbouring float16; one float16 step (2^-11 to 2^-10 relative, less below the normal range)
    /// moves log10(10000 x + 1) by at most log10(1 + 2^-10) = 4.24e-4.
    let tolerance = 4.3e-4

    var samples: [Float] { fixture.tensors["samples"]!.floats }

    @Test func logMelSpectrogramEqualsMusicnns() throws {
        let expected = try fixture.tensor("log_mel")
        let spectrogram = try MusicnnInput().logMelSpectrogram(samples)
        #expect([spectrogram.rows, spectrogram.columns] == expected.shape)
        let deviation = Deviation.compare(spectrogram.values, expected.values)
        #expect(deviation.maxAbsolute <= tolerance, "\(deviation)")
        // Almost every value rounds to the same float16 and then agrees to float32 rounding (measured:
        // all but 2 of 37248).
        let differing = zip(spectrogram.values, expected.values).filter { abs(Double($0) - $1) > 1e-6 }.count
        #expect(differing * 1000 < expected.values.count, "\(differing) of \(expected.values.count) differ")
    }

    /// Where musicnn's float16 spectrogram overflows to infinity (and its networks answer NaN), the
    /// input saturates at float16's largest value.
    @Test func hugeSamplesSaturateInsteadOfOverflowing() throws {
        let spectrogram = try MusicnnInput().logMelSpectrogram(samples.map { $0 * 1e4 })
        #expect(spectrogram.values.allSatisfy { $0.isFinite })
        #expect(spectrogram.values.max()! == log10(10000 * Float(Float16.greatestFiniteMagnitude) + 1))
    }

    @Test func patchesAreMusicnnsSideBySidePatches() throws {
        let expected = try fixture.tensor("patches")  // [patch, 1, mels, frames]
        let patches = try MusicnnInput().patches(samples)
        #expect([patches.count, 1, 96, MusicnnInput.patchFrames] == expected.shape)
        let size = 96 * MusicnnInput.patchFrames
        for (i, patch) in patches.enumerated() {
            let deviation = Deviation.compare(patch.values, Array(expected.values[i * size ..< (i + 1) * size]))
            #expect(deviation.maxAbsolute <= tolerance, "patch \(i): \(deviation)")
        }
    }

    /// Patches cut as the samples come, in chunks of any size, are the whole signal's patches,
    /// side by side or overlapping, including the last ones that reach into the centring zeros.
    @Test(arguments: [MusicnnInput.patchFrames, 50])
    func patchesCutAsSamplesComeAreTheWholeSignals(hopFrames: Int) throws {
        let input = try MusicnnInput(hopFrames: hopFrames)
        // The fixture's clip, cut to end inside a patch's centring zeros.
        let signal = Array(samples.prefix(2 * MusicnnInput.shortestClipSamples + 100))
        var generator = SeededGenerator(seed: 7)
        for _ in 0 ..< 3 {
            var cutter = MusicnnPatchCutter(input: input)
            var patches: [Matrix] = []
            var start = 0
            while start < signal.count {
                let end = min(signal.count, start + Int.random(in: 1 ... 20000, using: &generator))
                patches += try cutter.append(Array(signal[start ..< end]))
                start = end
            }
            patches += try cutter.finish()
            let whole = try input.patches(signal)
            #expect(patches.map(\.values) == whole.map(\.values))
            #expect(cutter.starts == input.patchStarts(frameCount: 1 + signal.count / MusicnnInput.stft.hopLength))
        }
    }

    @Test func overlapInSecondsStepsAsMusicnnDoes() throws {
        let input = try MusicnnInput(overlapSeconds: fixture.double("overlap_seconds")!)
        #expect(input.hopFrames == fixture.int("overlap_step_frames"))
        let spectrogram = try input.logMelSpectrogram(samples)
        #expect(input.patchStarts(frameCount: spectrogram.columns).map(Double.init) == fixture.tensors["overlap_starts"]!.values)
        let patches = input.patches(of: spectrogram)
        #expect(patches.count == fixture.tensors["overlap_starts"]!.values.count)
        #expect(patches.last?.column(0) == spectrogram.column(input.patchStarts(frameCount: spectrogram.columns).last!))
    }

    @Test func clipsShorterThanAPatchAreRefusedWhereMusicnnFails() throws {
        #expect(MusicnnInput.shortestClipSamples == fixture.int("shortest_clip_samples"))
        let input = try MusicnnInput()
        #expect(try input.patches([Float](repeating: 0, count: MusicnnInput.shortestClipSamples)).count == 1)
        #expect(throws: MusicnnInputError.clipTooShort(samples: 47615, minimum: 47616)) {
            try input.patches([Float](repeating: 0, count: 47615))
        }
        #expect(MusicnnInputError.clipTooShort(samples: 16000, minimum: 47616).description.contains("2.98 s"))
    }

    @Test func stepsBelowOneFrameAreRefused() {
        #expect(throws: MusicnnInputError.stepTooSmall(frames: 0, overlapSeconds: nil)) { try MusicnnInput(hopFrames: 0) }
        // 0.01 s = 160 samples: (160 - 256) / 256 floors to -1, as librosa.time_to_frames does.
        #expect(throws: MusicnnInputError.stepTooSmall(frames: -1, overlapSeconds: 0.01)) {
            try MusicnnInput(overlapSeconds: 0.01)
        }
        #expect(throws: Never.self) { try MusicnnInput(overlapSeconds: 0.032) }
    }
}
