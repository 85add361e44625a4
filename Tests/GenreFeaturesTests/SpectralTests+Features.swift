import Foundation
import GenreFeatures
import Testing
import TestSupport

extension SpectralTests {
    /// Spectral and time-domain features and deltas against librosa.
    @Suite struct FeatureTests {
        static let sampleRate = SpectralFixture.sampleRate

        /// From the signal: the STFT agrees to an ulp, and the features sum over bins in double
        /// where librosa sums float64 (centroid, bandwidth) or float32 (flatness) values pairwise.
        @Test(arguments: F.signalNames)
        func spectralFeatures(signal: String) throws {
            let magnitude = try STFT().magnitude(try F.signal(signal))
            try F.expectClose(try Spectral.centroid(magnitude), "\(signal).centroid", relative: 2e-7, floorFraction: 1e-6)
            try F.expectClose(try Spectral.bandwidth(magnitude), "\(signal).bandwidth", relative: 2e-7, floorFraction: 1e-6)
            // The same bin, so the same frequency, in every frame.
            try F.expectClose(try Spectral.rolloff(magnitude), "\(signal).rolloff", relative: 0, floorFraction: 1)
            try F.expectClose(try Spectral.flatness(magnitude), "\(signal).flatness", relative: 5e-6, floorFraction: 1e-6)
            if signal != "short" {
                try F.expectClose(try Spectral.contrast(magnitude), "\(signal).contrast", relative: 5e-6, floorFraction: 1e-2)
            }
        }

        @Test func signalForms() throws {
            let tones = try F.signal("tones")
            try F.expectClose(try Spectral.centroid(signal: tones), "tones.centroid", relative: 2e-7, floorFraction: 1e-6)
            try F.expectClose(try Spectral.bandwidth(signal: tones), "tones.bandwidth", relative: 2e-7, floorFraction: 1e-6)
            try F.expectClose(try Spectral.rolloff(signal: tones), "tones.rolloff", relative: 0, floorFraction: 1)
            try F.expectClose(try Spectral.flatness(signal: tones), "tones.flatness", relative: 5e-6, floorFraction: 1e-6)
            try F.expectClose(try Spectral.contrast(signal: tones), "tones.contrast", relative: 5e-6, floorFraction: 1e-2)
            let short = try Spectral.contrast(signal: try F.signal("short"), nBands: 3, fmin: 400)
            try F.expectClose(short, "short.contrast.small", relative: 5e-6, floorFraction: 1e-2)
        }

        @Test func nonDefaultParameters() throws {
            let noise = try STFT().magnitude(try F.signal("noise"))
            try F.expectClose(try Spectral.rolloff(noise, rollPercent: 0.5), "noise.rolloff.half", relative: 0, floorFraction: 1)
            let chirp = try STFT().magnitude(try F.signal("chirp"))
            try F.expectClose(try Spectral.bandwidth(chirp, p: 3, normalize: false), "chirp.bandwidth.p3",
                              relative: 2e-7, floorFraction: 1e-6)
            let tones = try F.matrix("tones.stft_magnitude")
            try F.expectClose(try Spectral.contrast(tones, nBands: 4, fmin: 300, quantile: 0.05, linear: true),
                              "tones.contrast.linear", relative: 5e-6, floorFraction: 1e-2)
            let clicks = try F.matrix("clicks.stft_magnitude")
            try F.expectClose(try Spectral.flatness(clicks, amin: 1e-6, power: 1), "clicks.flatness.amplitude",
                              relative: 5e-6, floorFraction: 1e-6)
        }

        /// From librosa's own spectrograms, isolating the feature arithmetic.
        @Test(arguments: ["tones", "clicks", "odd"])
        func fromLibrosasSpectrogram(signal: String) throws {
            let magnitude = try F.matrix("\(signal).stft_magnitude")
            try F.expectClose(try Spectral.centroid(magnitude), "\(signal).centroid", relative: 2e-7, floorFraction: 1e-6)
            try F.expectClose(try Spectral.bandwidth(magnitude), "\(signal).bandwidth", relative: 2e-7, floorFraction: 1e-6)
            try F.expectClose(try Spectral.rolloff(magnitude), "\(signal).rolloff", relative: 0, floorFraction: 1)
            try F.expectClose(try Spectral.flatness(magnitude), "\(signal).flatness", relative: 5e-6, floorFraction: 1e-6)
            try F.expectClose(try Spectral.contrast(magnitude), "\(signal).contrast", relative: 5e-6, floorFraction: 1e-2)
            if signal != "clicks" {
                try F.expectClose(try TimeDomain.rms(magnitude: magnitude), "\(signal).rms.spectrogram", relative: 5e-7,
                                  floorFraction: 1e-6)
            }
        }

        /// Zero crossings are counted exactly; RMS sums squares in double where librosa sums
        /// float32 pairwise.
        @Test(arguments: F.signalNames)
        func timeDomainFeatures(signal: String) throws {
            let samples = try F.signal(signal)
            try F.expectClose(try TimeDomain.zeroCrossingRate(samples), "\(signal).zcr", relative: 0, floorFraction: 1)
            try F.expectClose(try TimeDomain.rms(signal: samples), "\(signal).rms", relative: 5e-7, floorFraction: 1e-6)
        }

        @Test func timeDomainVariants() throws {
            let zcr = try TimeDomain.zeroCrossingRate(try F.signal("noise"), frameLength: 1024, hopLength: 256,
                                                      center: false, threshold: 0.01, zeroPos: false)
            try F.expectClose(zcr, "noise.zcr.custom", relative: 0, floorFraction: 1)
            let rms = try TimeDomain.rms(signal: try F.signal("odd"), frameLength: 1024, hopLength: 256, padMode: .reflect)
            try F.expectClose(rms, "odd.rms.reflect", relative: 5e-7, floorFraction: 1e-6)
            for signal in ["tones", "odd"] {
                try F.expectClose(try TimeDomain.rms(magnitude: try STFT().magnitude(try F.signal(signal))),
                                  "\(signal).rms.spectrogram", relative: 5e-7, floorFraction: 1e-6)
            }
        }

        /// The interior frames are a Savitzky-Golay filter summed in double, as scipy's convolve1d
        /// sums: equal up to float32 rounding. The edge frames come from scipy's float32
        /// least-squares fit, which is off by up to ~1e-7 of the data's peak.
        @Test func deltas() throws {
            let tones = try F.matrix("tones.mfcc"), odd = try F.matrix("odd.mfcc")
            let cases: [(Matrix, Int, Int, String)] = [
                (tones, 9, 1, "tones.mfcc_delta"), (tones, 9, 2, "tones.mfcc_delta2"), (odd, 5, 1, "odd.mfcc_delta.width5"),
            ]
            for (data, width, order, name) in cases {
                let delta = try Delta.of(data, width: width, order: order)
                let expected = try F.matrix(name)
                #expect(delta.rows == expected.rows && delta.columns == expected.columns)
                let half = width / 2, frames = data.columns
                let interior = (0..<data.rows).flatMap { row in (half ..< frames - half).map { row * frames + $0 } }
                let edges = (0..<data.rows).flatMap { row in
                    (Array(0..<half) + Array(frames - half ..< frames)).map { row * frames + $0 }
                }
                F.expectClose(interior.map { delta.values[$0] }, interior.map { expected.values[$0] },
                              label: "\(name) interior", relative: 1e-6, floorFraction: 1e-6)
                F.expectClose(edges.map { delta.values[$0] }, edges.map { expected.values[$0] }, label: "\(name) edges",
                              relative: 1e-7, floorFraction: peak(data.values) / peak(expected.values))
            }
        }

        @Test func badParametersThrow() throws {
            let magnitude = Matrix(rows: 1025, columns: 4, repeating: 1)
            #expect(throws: SpectralError.parameterOutOfRange(name: "rollPercent", value: "1.0", valid: "in (0, 1)")) {
                try Spectral.rolloff(magnitude, rollPercent: 1)
            }
            #expect(throws: SpectralError.parameterOutOfRange(name: "quantile", value: "0.0", valid: "in (0, 1)")) {
                try Spectral.contrast(magnitude, quantile: 0)
            }
            #expect(throws: SpectralError.self) { try Spectral.contrast(magnitude, nBands: 0) }
            #expect(throws: SpectralError.self) { try Spectral.contrast(magnitude, fmin: -1) }
            #expect(throws: SpectralError.self) { try Spectral.contrast(magnitude, fmin: 2000) }
            #expect(throws: SpectralError.self) { try Spectral.flatness(magnitude, amin: 0) }
            #expect(throws: SpectralError.self) { try Spectral.bandwidth(magnitude, p: 0) }
            #expect(throws: SpectralError.self) { try Spectral.centroid(magnitude, nFFT: 1024) }
            #expect(throws: SpectralError.negativeEnergy(feature: "spectral centroid")) {
                try Spectral.centroid(Matrix(rows: 1025, columns: 1, repeating: -1))
            }
            #expect(throws: SpectralError.self) { try TimeDomain.rms(magnitude: magnitude, frameLength: 1024) }
            #expect(throws: SpectralError.self) { try TimeDomain.zeroCrossingRate([], frameLength: 2048) }
            #expect(throws: SpectralError.self) { try TimeDomain.zeroCrossingRate([1, 2], center: false) }
            #expect(throws: SpectralError.self) { try TimeDomain.rms(signal: [1], hopLength: 0) }
            #expect(throws: SpectralError.parameterOutOfRange(name: "width", value: "4", valid: "an odd integer >= 3")) {
                try Delta.of(magnitude, width: 4)
            }
            #expect(throws: SpectralError.self) { try Delta.of(magnitude, order: 0) }
            #expect(throws: SpectralError.inputTooShort(name: "frames for delta width 9", length: 4, minimum: 9)) {
                try Delta.of(magnitude)
            }
        }

        /// Silence and inputs shorter than a frame give finite features (librosa's values, e.g.
        /// centroid 0 and flatness 1 for silence, are checked with the fixtures above).
        @Test func silenceAndTinyInputsStayFinite() throws {
            for samples in [[Float](repeating: 0, count: 4096), [Float](repeating: 0, count: 3), [0.25]] {
                let magnitude = try STFT().magnitude(samples)
                let label = "\(samples.count) samples"
                F.expectFinite(try Spectral.centroid(magnitude), "centroid of \(label)")
                F.expectFinite(try Spectral.bandwidth(magnitude), "bandwidth of \(label)")
                F.expectFinite(try Spectral.rolloff(magnitude), "rolloff of \(label)")
                F.expectFinite(try Spectral.flatness(magnitude), "flatness of \(label)")
                F.expectFinite(try Spectral.contrast(magnitude).values, "contrast of \(label)")
                F.expectFinite(try TimeDomain.zeroCrossingRate(samples), "ZCR of \(label)")
                F.expectFinite(try TimeDomain.rms(signal: samples), "RMS of \(label)")
                F.expectFinite(try TimeDomain.rms(magnitude: magnitude), "spectral RMS of \(label)")
                let mel = try MelFilterBank.spectrogram(of: samples)
                F.expectFinite(try Decibels.power(mel).values, "mel dB of \(label)")
                F.expectFinite(try MFCC.compute(signal: samples).values, "MFCC of \(label)")
            }
        }
    }
}
