import Foundation
import GenreFeatures
import Testing
import TestSupport

extension SpectralTests {
    /// Mel filter banks, mel spectrograms, decibels and MFCCs against librosa.
    @Suite struct MelTests {
        /// The filters are made in float64 and rounded to float32 as librosa does: equal up to an
        /// ulp of float32.
        @Test func filterBanks() throws {
            let bank = try MelFilterBank()
            let everyEighth = stride(from: 0, to: 128, by: 8).flatMap { bank.weights.row($0) }
            F.expectClose(everyEighth, try F.doubles("mel_filters.default_every_8th"), label: "default mel bank",
                          relative: 2e-7, floorFraction: 1e-6)
            let htk = try MelFilterBank(nFFT: 512, settings: MelSettings(nMels: 40, fmin: 50, fmax: 7000, htk: true))
            try F.expectClose(htk.weights, "mel_filters.htk", relative: 2e-7, floorFraction: 1e-6)
            let peak = try MelFilterBank(nFFT: 512, settings: MelSettings(nMels: 64, norm: .peak))
            try F.expectClose(peak.weights, "mel_filters.peak", relative: 2e-7, floorFraction: 1e-6)
        }

        @Test func melFrequencies() throws {
            F.expectClose(Frequencies.mel(count: 50, fmin: 20, fmax: 10000), try F.doubles("mel_frequencies.slaney"),
                          label: "Slaney mel frequencies", relative: 1e-13, floorFraction: 0)
            F.expectClose(Frequencies.mel(count: 50, fmin: 20, fmax: 10000, htk: true), try F.doubles("mel_frequencies.htk"),
                          label: "HTK mel frequencies", relative: 1e-13, floorFraction: 0)
            #expect(abs(Frequencies.hz(mel: Frequencies.mel(hz: 4321.5)) - 4321.5) < 1e-9)
            #expect(abs(Frequencies.hz(mel: Frequencies.mel(hz: 4321.5, htk: true), htk: true) - 4321.5) < 1e-9)
        }

        /// A sum of up to ~40 positive float32 products per band: librosa's BLAS sums in another
        /// order, so bands agree to a few float32 ulps (the floor only matters for silence).
        @Test(arguments: F.signalNames)
        func melSpectrogram(signal: String) throws {
            let mel = try MelFilterBank.spectrogram(of: try F.signal(signal))
            try F.expectClose(mel, "\(signal).mel", relative: 2e-6, floorFraction: 1e-9)
        }

        @Test func melSpectrogramVariants() throws {
            let htk = try MelFilterBank.spectrogram(of: try F.signal("tones"), settings: MelSettings(htk: true))
            try F.expectClose(htk, "tones.mel.htk", relative: 2e-6, floorFraction: 1e-9)
            let narrow = try MelFilterBank.spectrogram(
                of: try F.signal("chirp"), settings: MelSettings(nMels: 40, fmin: 300, fmax: 8000, norm: .peak))
            try F.expectClose(narrow, "chirp.mel.narrow", relative: 2e-6, floorFraction: 1e-9)
        }

        /// From librosa's own spectrograms. numpy's float32 log10 is off by an ulp for about 1% of
        /// the values (ours rounds the double result), so dB values differ by up to ~1e-5 dB; the
        /// floor of 10% of the peak |dB| makes that an absolute bound for values near 0 dB.
        @Test func powerToDecibels() throws {
            let mel = try F.matrix("tones.mel")
            try F.expectClose(try Decibels.power(mel), "tones.mel_db", relative: 2e-6, floorFraction: 0.1)
            try F.expectClose(try Decibels.power(mel, reference: .maximum), "tones.mel_db.max", relative: 2e-6,
                              floorFraction: 0.1)
            try F.expectClose(try Decibels.power(mel, reference: .value(0.5), amin: 1e-5, topDB: nil),
                              "tones.mel_db.no_top", relative: 2e-6, floorFraction: 0.1)
        }

        @Test func amplitudeToDecibels() throws {
            try F.expectClose(try Decibels.amplitude(try F.matrix("odd.stft_magnitude"), reference: .maximum),
                              "odd.amplitude_db.max", relative: 2e-6, floorFraction: 0.1)
            try F.expectClose(try Decibels.amplitude(try F.matrix("short.stft_magnitude"), reference: .value(2), topDB: 60),
                              "short.amplitude_db", relative: 2e-6, floorFraction: 0.1)
        }

        /// scipy's DCT runs in float32 (pocketfft) and ours in float64, so coefficients differ by
        /// ~1e-7 of the largest one: relative 1e-4 with a floor of 1e-3 of the peak coefficient
        /// bounds small coefficients' error by 1e-7 of the peak.
        static let mfccTolerance = 1e-4
        static let mfccFloor = 1e-3

        @Test func mfccFromLibrosasDecibels() throws {
            let mfcc = try MFCC.fromDecibels(try F.matrix("tones.mel_db"))
            try F.expectClose(mfcc, "tones.mfcc", relative: Self.mfccTolerance, floorFraction: Self.mfccFloor)
        }

        @Test(arguments: F.signalNames)
        func mfcc(signal: String) throws {
            let mfcc = try MFCC.compute(signal: try F.signal(signal))
            try F.expectClose(mfcc, "\(signal).mfcc", relative: Self.mfccTolerance, floorFraction: Self.mfccFloor)
        }

        @Test func mfccVariants() throws {
            let liftered = try MFCC.compute(signal: try F.signal("tones"), lifter: 22)
            try F.expectClose(liftered, "tones.mfcc.lifter", relative: Self.mfccTolerance, floorFraction: Self.mfccFloor)
            let htk = try MFCC.compute(signal: try F.signal("chirp"), count: 13,
                                       mel: MelSettings(nMels: 40, fmax: 8000, htk: true))
            try F.expectClose(htk, "chirp.mfcc.htk", relative: Self.mfccTolerance, floorFraction: Self.mfccFloor)
        }

        @Test func badParametersThrow() throws {
            #expect(throws: SpectralError.self) { try MelFilterBank(settings: MelSettings(nMels: 0)) }
            #expect(throws: SpectralError.self) { try MelFilterBank(settings: MelSettings(fmin: 12000)) }
            #expect(throws: SpectralError.self) { try MelFilterBank(sampleRate: 0) }
            #expect(throws: SpectralError.self) { try MelFilterBank().apply(Matrix(rows: 513, columns: 2)) }
            #expect(throws: SpectralError.parameterOutOfRange(name: "amin", value: "0.0", valid: "strictly positive")) {
                try Decibels.power([1, 2], amin: 0)
            }
            #expect(throws: SpectralError.self) { try Decibels.amplitude(Matrix(rows: 1, columns: 1), topDB: -1) }
            #expect(throws: SpectralError.parameterOutOfRange(name: "coefficient count", value: "129", valid: "in 1...128")) {
                try MFCC.fromDecibels(Matrix(rows: 128, columns: 3), count: 129)
            }
            #expect(throws: SpectralError.self) { try MFCC.fromDecibels(Matrix(rows: 128, columns: 3), lifter: -1) }
        }
    }
}
