import Foundation
import GenreFeatures
import Testing
import TestSupport

extension SpectralTests {
    /// librosa transforms in float64 and rounds to complex64, as the STFT does, so bins agree to
    /// about one float32 ulp; the floor (1e-6 of the peak) covers bins that are zero up to the
    /// rounding of the double transforms.
    @Suite struct STFTTests {
        static let spectrumTolerance = 1e-6
        static let spectrumFloor = 1e-6

        @Test(arguments: ["tones", "clicks", "odd", "short", "silence"])
        func magnitudeWithDefaults(signal: String) throws {
            let magnitude = try STFT().magnitude(try F.signal(signal))
            try F.expectClose(magnitude, "\(signal).stft_magnitude", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        @Test(arguments: ["odd", "short"])
        func complexWithDefaults(signal: String) throws {
            let spectrum = try STFT().transform(try F.signal(signal))
            let expected = try F.complex("\(signal).stft")
            #expect(spectrum.rows == expected.rows && spectrum.columns == expected.columns)
            // Real and imaginary parts, each relative to the magnitude peak.
            let peakMagnitude = peak(expected.magnitude().values)
            for (actual, reference, part) in [(spectrum.real, expected.real, "real"), (spectrum.imaginary, expected.imaginary, "imaginary")] {
                F.expectClose(actual, reference, label: "\(signal) STFT \(part)", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor * peakMagnitude / max(peak(reference), .leastNormalMagnitude))
            }
        }

        /// The fused magnitude path and |complex STFT| are the same computation.
        @Test func magnitudeOfTheComplexTransform() throws {
            let signal = try F.signal("chirp")
            let stft = try STFT()
            #expect(try stft.transform(signal).magnitude(power: 2) == stft.magnitude(signal, power: 2))
        }

        @Test func powerSpectrogram() throws {
            let power = try STFT().magnitude(try F.signal("odd"), power: 2)
            try F.expectClose(power, "odd.stft_power", relative: 2 * Self.spectrumTolerance, floorFraction: 1e-12)
        }

        @Test(arguments: ["chirp", "odd", "short"])
        func reflectPadding(signal: String) throws {
            let magnitude = try STFT(STFTSettings(padMode: .reflect)).magnitude(try F.signal(signal))
            try F.expectClose(magnitude, "\(signal).stft_magnitude.reflect", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        @Test func shortHammingWindowAndSmallHop() throws {
            let settings = STFTSettings(nFFT: 1024, hopLength: 256, winLength: 800, window: .hamming, padMode: .reflect)
            let magnitude = try STFT(settings).magnitude(try F.signal("noise"))
            try F.expectClose(magnitude, "noise.stft_magnitude.custom", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        /// nFFT 1000: the real transform runs on 500 complex points by Bluestein's algorithm.
        @Test func sizeThatIsNotAPowerOfTwo() throws {
            let magnitude = try STFT(STFTSettings(nFFT: 1000, hopLength: 300)).magnitude(try F.signal("odd"))
            try F.expectClose(magnitude, "odd.stft_magnitude.bluestein", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        /// Hop of half a frame with reflect padding: librosa pads the tail from the tail frames'
        /// samples only, not from the whole signal.
        @Test func longHopReflectTail() throws {
            let magnitude = try STFT(STFTSettings(hopLength: 1024, padMode: .reflect)).magnitude(try F.signal("odd"))
            try F.expectClose(magnitude, "odd.stft_magnitude.long_hop", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        @Test func uncentred() throws {
            let magnitude = try STFT(STFTSettings(center: false)).magnitude(try F.signal("odd"))
            try F.expectClose(magnitude, "odd.stft_magnitude.uncentred", relative: Self.spectrumTolerance,
                              floorFraction: Self.spectrumFloor)
        }

        /// librosa's inverse runs in float32 (numpy's irfft of complex64) and overlap-adds in
        /// float32, so samples agree to a few float32 ulps of the signal's peak.
        @Test func inverseOfLibrosasSTFT() throws {
            let spectrum = try F.complex("odd.stft")
            try F.expectClose(try STFT().inverse(spectrum), "odd.istft", relative: 1e-5, floorFraction: 1e-2)
            try F.expectClose(try STFT().inverse(spectrum, length: 12000), "odd.istft.length", relative: 1e-5,
                              floorFraction: 1e-2)
        }

        @Test func roundTripWithShortWindow() throws {
            let settings = STFTSettings(nFFT: 1024, hopLength: 256, winLength: 800, window: .hamming, padMode: .reflect)
            let noise = try F.signal("noise")
            let stft = try STFT(settings)
            let restored = try stft.inverse(try stft.transform(noise), length: noise.count)
            try F.expectClose(restored, "noise.istft.custom", relative: 1e-5, floorFraction: 1e-2)
        }

        @Test func frameCountsFollowLibrosa() {
            let settings = STFTSettings()
            // A GTZAN clip (30.013 s at 22050 Hz) has 1293 frames.
            #expect(settings.frameCount(signalLength: 661_794) == 1293)
            #expect(settings.frameCount(signalLength: 1) == 1)
            #expect(STFTSettings(center: false).frameCount(signalLength: 2047) == 0)
        }

        @Test func badSettingsAndInputsThrow() throws {
            #expect(throws: SpectralError.parameterOutOfRange(name: "hopLength", value: "0", valid: "at least 1")) {
                try STFT(STFTSettings(hopLength: 0))
            }
            #expect(throws: SpectralError.parameterOutOfRange(name: "winLength", value: "4096", valid: "in 1...nFFT (2048)")) {
                try STFT(STFTSettings(winLength: 4096))
            }
            #expect(throws: SpectralError.inputTooShort(name: "signal", length: 0, minimum: 1)) {
                try STFT().transform([])
            }
            #expect(throws: SpectralError.inputTooShort(name: "signal (uncentred STFT)", length: 100, minimum: 2048)) {
                try STFT(STFTSettings(center: false)).magnitude([Float](repeating: 0, count: 100))
            }
            #expect(throws: SpectralError.self) { try STFT().inverse(ComplexMatrix(rows: 10, columns: 3)) }
            #expect(throws: SpectralError.self) { try STFT().inverse(ComplexMatrix(rows: 1025, columns: 3), length: 0) }
        }

        @Test func tinyInputsGiveFiniteSpectra() throws {
            for signal in [[Float](repeating: 0, count: 1), [0.5], [Float](repeating: 0, count: 10)] {
                for mode in PadMode.allCases {
                    let stft = try STFT(STFTSettings(padMode: mode))
                    let magnitude = try stft.magnitude(signal)
                    #expect(magnitude.rows == 1025 && magnitude.columns == 1)
                    F.expectFinite(magnitude.values, "STFT of \(signal.count) samples, \(mode)")
                    F.expectFinite(try stft.inverse(try stft.transform(signal), length: signal.count), "iSTFT")
                }
            }
        }
    }
}
