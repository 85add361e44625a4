import Foundation
@testable import GenreFeatures
import TestSupport
import Testing

/// Harmony and rhythm features against librosa 0.11 / scipy 1.17, through the fixtures written by
/// scripts/fixtures/make_rhythm_fixtures.py (tensors `<case>/<what>`, parameters as JSON metadata).
@Suite struct RhythmTests {
    @Suite struct MedianFilterTests {
        let fixture: Fixture
        init() throws { fixture = try Fixture.load("rhythm_median.safetensors") }

        @Test("scipy median_filter, both axes, kernels longer than the axis: exact")
        func matchesScipy() throws {
            let cases = fixture.names(withPrefix: "median/").filter { !$0.hasSuffix("/input") }
            #expect(cases.count == 26)
            for name in cases {
                let parts = name.split(separator: "/")
                let input = try fixture.matrix("median/\(parts[1])/input")
                let axis: Matrix.Axis = parts[2] == "rows" ? .rows : .columns
                let filtered = try input.medianFiltered(size: Int(parts[3])!, along: axis)
                let deviation = Deviation.compare(filtered.values, try fixture.tensor(name).values)
                #expect(deviation.maxAbsolute == 0, "\(name): \(deviation)")
            }
        }

        @Test func rejectsSizeBelowOne() {
            #expect(throws: MedianFilterError.invalidSize(0)) { try Matrix(rows: 2, columns: 2).medianFiltered(size: 0, along: .rows) }
            #expect(MedianFilterError.invalidSize(-3).description.contains("at least 1"))
        }

        @Test func emptyMatrixStaysEmpty() throws {
            let empty = Matrix(rows: 0, columns: 5)
            #expect(try empty.medianFiltered(size: 31, along: .columns) == empty)
        }

        @Test("many lines (more than one group of lanes, and a partial one) match a direct median")
        func matchesDirectMedian() throws {
            var generator = SplitMix(seed: 7)
            let input = Matrix(rows: 37, columns: 45, values: (0 ..< 37 * 45).map { _ in Float(generator.next() % 50) })
            for axis in [Matrix.Axis.rows, .columns] {
                for size in [2, 6, 31, 100] {
                    #expect(try input.medianFiltered(size: size, along: axis) == directMedian(input, size: size, axis: axis))
                }
            }
        }

        private func directMedian(_ m: Matrix, size: Int, axis: Matrix.Axis) -> Matrix {
            var result = m
            for row in 0 ..< m.rows {
                for column in 0 ..< m.columns {
                    let window = (0 ..< size).map { offset -> Float in
                        let shift = offset - size / 2
                        return axis == .rows ? m[reflectedIndex(row + shift, count: m.rows), column]
                            : m[row, reflectedIndex(column + shift, count: m.columns)]
                    }
                    result[row, column] = window.sorted()[size / 2]
                }
            }
            return result
        }
    }

    @Suite struct HPSSTests {
        let fixture: Fixture
        init() throws { fixture = try Fixture.load("rhythm_hpss.safetensors") }

        @Test("softmask: zeros, subnormals, equal values, powers 0.5 to infinity; relative 1e-4 (floor 1e-6)")
        func softmask() throws {
            let x = try fixture.matrix("softmask/x"), reference = try fixture.matrix("softmask/reference")
            let cases = fixture.names(withPrefix: "softmask/").filter { $0.split(separator: "/").count == 3 }
            #expect(cases.count == 10)
            for name in cases {
                let parameters = try fixture.parameters(name)
                let power = Float(number(parameters["power"]) ?? .infinity)
                let mask = try HPSS.softmask(x, reference: reference, power: power,
                                             splitZeros: parameters["split_zeros"] as! Bool)
                let deviation = Deviation.compare(mask.values, try fixture.tensor(name).values, floor: 1e-6)
                #expect(deviation.maxRelative <= 1e-4, "\(name): \(deviation)")
            }
        }

        @Test func softmaskRejectsBadInput() {
            let ones = Matrix(rows: 2, columns: 2, repeating: 1)
            #expect(throws: HPSSError.negativeInput) {
                try HPSS.softmask(Matrix(rows: 2, columns: 2, repeating: -1), reference: ones)
            }
            #expect(throws: HPSSError.power(0)) { try HPSS.softmask(ones, reference: ones, power: 0) }
            #expect(throws: HPSSError.self) { try HPSS.softmask(ones, reference: Matrix(rows: 2, columns: 3)) }
        }

        @Test("hpss magnitudes and masks (margins, kernel pairs, hard masks); relative 1e-4 (floor 1e-6 x peak); the harmonic mask alone is the pair's")
        func separation() throws {
            let magnitude = try fixture.matrix("hpss/magnitude")
            for name in ["default", "margins", "hard"] {
                let parameters = try fixture.parameters("hpss/\(name)")
                let kernels = (parameters["kernel_size"] as! [Any]).map { Int(number($0)!) }
                let margins = (parameters["margin"] as! [Any]).map { number($0)! }
                let power = Float(number(parameters["power"]) ?? .infinity)
                let parts = try HPSS.separate(magnitude: magnitude, harmonicKernel: kernels[0], percussiveKernel: kernels[1],
                                              power: power, harmonicMargin: Float(margins[0]), percussiveMargin: Float(margins[1]))
                let masks = try HPSS.masks(magnitude: magnitude, harmonicKernel: kernels[0], percussiveKernel: kernels[1],
                                           power: power, harmonicMargin: Float(margins[0]), percussiveMargin: Float(margins[1]))
                let harmonicMask = try HPSS.harmonicMask(
                    magnitude: magnitude, harmonicKernel: kernels[0], percussiveKernel: kernels[1], power: power,
                    harmonicMargin: Float(margins[0]), percussiveMargin: Float(margins[1]))
                #expect(harmonicMask == masks.harmonic, "\(name): the harmonic mask alone differs from the pair's")
                let floor = 1e-6 * peak(magnitude.values)
                for (actual, what, floor) in [(parts.harmonic, "harmonic", floor), (parts.percussive, "percussive", floor),
                                              (masks.harmonic, "harmonic_mask", 1e-6), (masks.percussive, "percussive_mask", 1e-6)] {
                    let deviation = Deviation.compare(actual.values, try fixture.tensor("hpss/\(name)/\(what)").values, floor: floor)
                    #expect(deviation.maxRelative <= 1e-4, "\(name) \(what): \(deviation)")
                }
            }
        }

        @Test("hpss of a complex STFT keeps the phase (zeros get phase 1); relative 1e-4 (floor 1e-6 x peak)")
        func complexSeparation() throws {
            let stft = ComplexMatrix(real: try fixture.matrix("hpss/stft/real"), imaginary: try fixture.matrix("hpss/stft/imaginary"))
            let parts = try HPSS.separate(stft: stft)
            let floor = 1e-6 * peak(stft.real + stft.imaginary)
            for (actual, what) in [(parts.harmonic, "harmonic"), (parts.percussive, "percussive")] {
                for (values, component) in [(actual.real, "real"), (actual.imaginary, "imaginary")] {
                    let deviation = Deviation.compare(values, try fixture.tensor("hpss/stft/\(what)_\(component)").values, floor: floor)
                    #expect(deviation.maxRelative <= 1e-4, "\(what) \(component): \(deviation)")
                }
            }
        }

        @Test("a 3x4 input with kernels of 31 matches librosa (relative 1e-6); silence and 1x1 give no NaN")
        func tinyAndSilentInputs() throws {
            let tiny = try fixture.matrix("hpss/tiny")
            let parts = try HPSS.separate(magnitude: tiny)
            #expect(Deviation.compare(parts.harmonic.values, try fixture.tensor("hpss/tiny/harmonic").values).maxRelative <= 1e-6)
            #expect(Deviation.compare(parts.percussive.values, try fixture.tensor("hpss/tiny/percussive").values).maxRelative <= 1e-6)

            let masks = try HPSS.masks(magnitude: Matrix(rows: 5, columns: 2))
            #expect(masks.harmonic.values.allSatisfy { $0 == 0.5 } && masks.percussive.values.allSatisfy { $0 == 0.5 })
            let margins = try HPSS.masks(magnitude: Matrix(rows: 5, columns: 2), harmonicMargin: 2)
            #expect(margins.harmonic.values.allSatisfy { $0 == 0 })
            let silent = try HPSS.separate(stft: ComplexMatrix(rows: 9, columns: 4), harmonicKernel: 4, percussiveMargin: 3)
            #expect(!(silent.harmonic.real + silent.harmonic.imaginary + silent.percussive.real).contains { !$0.isFinite })
            let single = try HPSS.separate(magnitude: Matrix(rows: 1, columns: 1, repeating: 2))
            #expect(single.harmonic.values == [1] && single.percussive.values == [1])
            let empty = try HPSS.separate(magnitude: Matrix(rows: 0, columns: 0))
            #expect(empty.harmonic.values.isEmpty)
        }

        @Test func rejectsBadParameters() {
            let ones = Matrix(rows: 3, columns: 3, repeating: 1)
            #expect(throws: HPSSError.kernelSize(0)) { try HPSS.masks(magnitude: ones, percussiveKernel: 0) }
            #expect(throws: HPSSError.margin(0.5)) { try HPSS.masks(magnitude: ones, harmonicMargin: 0.5) }
            #expect(throws: HPSSError.power(-1)) { try HPSS.masks(magnitude: ones, power: -1) }
            #expect(throws: HPSSError.negativeInput) { try HPSS.masks(magnitude: Matrix(rows: 1, columns: 1, repeating: -1)) }
            #expect(HPSSError.margin(0.5).description.contains("at least 1"))
        }
    }

    @Suite struct OnsetTests {
        let fixture: Fixture
        init() throws { fixture = try Fixture.load("rhythm_onset_tempo.safetensors") }

        @Test("onset strength: mean, median, lag 2 with max_size 3, uncentred, channels; relative 1e-4 (floor 1e-4 x peak)")
        func matchesLibrosa() throws {
            for signal in ["clicks100", "chord", "silence"] {
                let mel = try fixture.matrix("onset/\(signal)/mel_db")
                let cases: [(String, [Float])] = [
                    ("envelope_mean", try Onset.strength(melDB: mel)),
                    ("envelope_median", try Onset.strength(melDB: mel, aggregate: .median)),
                    ("lag2_maxsize3", try Onset.strength(melDB: mel, lag: 2, maxSize: 3)),
                    ("uncentred", try Onset.strength(melDB: mel, center: false)),
                    ("multi", try Onset.strengthMulti(melDB: mel, channels: [0 ..< 32, 32 ..< 64, 64 ..< 128]).values),
                ]
                for (what, actual) in cases {
                    let expected = try fixture.tensor("onset/\(signal)/\(what)").values
                    let deviation = Deviation.compare(actual, expected, floor: max(1e-4 * peak(expected), 1e-6))
                    #expect(deviation.maxRelative <= 1e-4, "\(signal) \(what): \(deviation)")
                }
            }
        }

        @Test("fewer frames than the lag or the centring delay: zeros, no crash")
        func tinyInputs() throws {
            let one = Matrix(rows: 4, columns: 1, repeating: -20)
            #expect(try Onset.strength(melDB: one) == [0])
            #expect(try Onset.strength(melDB: one, lag: 3, center: false) == [0, 0, 0])
            #expect(try Onset.strength(melDB: Matrix(rows: 4, columns: 0)).isEmpty)
            let steps = Matrix(rows: 2, columns: 8, values: [0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0])
            #expect(try Onset.strength(melDB: steps, aggregate: .median) == [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5])
        }

        @Test func rejectsBadParameters() {
            let mel = Matrix(rows: 4, columns: 10)
            #expect(throws: OnsetError.lag(0)) { try Onset.strength(melDB: mel, lag: 0) }
            #expect(throws: OnsetError.maxSize(0)) { try Onset.strength(melDB: mel, maxSize: 0) }
            #expect(throws: OnsetError.hopLength(0)) { try Onset.strength(melDB: mel, hopLength: 0) }
            #expect(throws: OnsetError.channel(2 ..< 9, bands: 4)) { try Onset.strengthMulti(melDB: mel, channels: [2 ..< 9]) }
            #expect(throws: OnsetError.channel(0 ..< 0, bands: 0)) { try Onset.strength(melDB: Matrix(rows: 0, columns: 3)) }
            #expect(OnsetError.channel(2 ..< 9, bands: 4).description.contains("0..<4"))
        }
    }

    @Suite struct TempoTests {
        let fixture: Fixture
        init() throws { fixture = try Fixture.load("rhythm_onset_tempo.safetensors") }

        @Test("tempogram (centred with ramps, uncentred, silent); relative 1e-4 (floor 1e-6)")
        func tempogram() throws {
            let clicks = try fixture.floats("onset/clicks100/envelope_mean")
            let cases: [(String, Matrix)] = [
                ("win128", try Tempo.tempogram(onsetEnvelope: clicks, winLength: 128)),
                ("win64_uncentred", try Tempo.tempogram(onsetEnvelope: clicks, winLength: 64, center: false)),
                ("chord_default", try Tempo.tempogram(onsetEnvelope: try fixture.floats("onset/chord/envelope_mean"))),
                ("silence_win32", try Tempo.tempogram(onsetEnvelope: try fixture.floats("onset/silence/envelope_mean"),
                                                      winLength: 32)),
            ]
            for (name, actual) in cases {
                let expected = try fixture.tensor("tempogram/\(name)")
                #expect([actual.rows, actual.columns] == expected.shape)
                let deviation = Deviation.compare(actual.values, expected.values, floor: 1e-6)
                #expect(deviation.maxRelative <= 1e-4, "\(name): \(deviation)")
            }
        }

        @Test("tempo and beat_track's tempo (0 without onsets): exact")
        func tempo() throws {
            for signal in ["clicks100", "clicks140", "chord", "noise", "chirp", "silence"] {
                let mean = try fixture.floats("onset/\(signal)/envelope_mean")
                let median = try fixture.floats("onset/\(signal)/envelope_median")
                #expect(try Tempo.estimate(onsetEnvelope: mean) == fixture.tensor("onset/\(signal)/tempo").scalar, "\(signal)")
                #expect(try Tempo.beatTrackTempo(onsetEnvelope: median)
                    == fixture.tensor("onset/\(signal)/beat_track_tempo").scalar, "\(signal)")
            }
            let long = try fixture.floats("tempo/long/envelope_mean")
            #expect(long.count == 1293)
            #expect(try Tempo.estimate(onsetEnvelope: long) == fixture.tensor("tempo/long/tempo").scalar)
            #expect(try Tempo.beatTrackTempo(onsetEnvelope: fixture.floats("tempo/long/envelope_median"))
                == fixture.tensor("tempo/long/beat_track_tempo").scalar)
            let options = try fixture.parameters("tempo/clicks140_options")
            let tempo = try Tempo.estimate(onsetEnvelope: try fixture.floats("onset/clicks140/envelope_mean"),
                                           startBPM: number(options["start_bpm"])!, stdBPM: number(options["std_bpm"])!,
                                           acSize: number(options["ac_size"])!, maxTempo: number(options["max_tempo"]))
            #expect(try tempo == fixture.tensor("tempo/clicks140_options").scalar)
        }

        @Test("a one-frame envelope and silence give finite values")
        func tinyInputs() throws {
            let gram = try Tempo.tempogram(onsetEnvelope: [0.5], winLength: 8)
            #expect(gram.rows == 8 && gram.columns == 1 && gram.values.allSatisfy(\.isFinite))
            #expect(try Tempo.estimate(onsetEnvelope: [0.5]).isFinite)
            #expect(try Tempo.estimate(onsetEnvelope: [Float](repeating: 0, count: 50)).isFinite)
            #expect(try Tempo.beatTrackTempo(onsetEnvelope: [Float](repeating: 0, count: 50)) == 0)
        }

        @Test func rejectsBadParameters() {
            #expect(throws: TempoError.winLength(0)) { try Tempo.tempogram(onsetEnvelope: [1, 2], winLength: 0) }
            #expect(throws: TempoError.envelopeTooShort(frames: 0, winLength: 384)) { try Tempo.tempogram(onsetEnvelope: []) }
            #expect(throws: TempoError.envelopeTooShort(frames: 3, winLength: 8)) {
                try Tempo.tempogram(onsetEnvelope: [1, 2, 3], winLength: 8, center: false)
            }
            #expect(throws: TempoError.startBPM(0)) { try Tempo.estimate(onsetEnvelope: [1], startBPM: 0) }
            #expect(throws: TempoError.stdBPM(-1)) { try Tempo.estimate(onsetEnvelope: [1], stdBPM: -1) }
            #expect(throws: TempoError.acSize(0.01, frames: 0)) { try Tempo.estimate(onsetEnvelope: [1], acSize: 0.01) }
            #expect(throws: TempoError.hopLength(0)) { try Tempo.estimate(onsetEnvelope: [1], hopLength: 0) }
            #expect(TempoError.startBPM(0).description.contains("strictly positive"))
        }

        @Test("the autocorrelation is the sum of lagged products (absolute 1e-12)")
        func autocorrelation() {
            var short = Autocorrelation(length: 3)
            #expect(Deviation.compare(short([1, 2, 3]), [14, 8, 3] as [Double]).maxAbsolute <= 1e-12)
            var one = Autocorrelation(length: 1)
            #expect(Deviation.compare(one([2]), [4] as [Double]).maxAbsolute <= 1e-12)
            let x = (0 ..< 21).map { Double($0 % 5) - 1.5 }
            let direct = (0 ..< 21).map { lag in (0 ..< 21 - lag).reduce(0.0) { $0 + x[$1] * x[$1 + lag] } }
            var plan = Autocorrelation(length: 21)
            #expect(Deviation.compare(plan(x), direct).maxAbsolute <= 1e-12)
            #expect(Deviation.compare(plan(x), direct).maxAbsolute <= 1e-12, "a plan is reusable")
        }
    }

    @Suite struct ChromaPitchTests {
        let fixture: Fixture
        init() throws { fixture = try Fixture.load("rhythm_chroma_pitch.safetensors") }

        @Test("chroma filter banks (tuned, 24 bins, no octave weighting, max norm, base A); relative 1e-4 (floor 1e-6 x peak)")
        func filters() throws {
            for name in ["default", "tuned", "options"] {
                let p = try fixture.parameters("chroma_filters/\(name)")
                let norm: Double? = (p["norm"] as? String) == "inf" ? .infinity : number(p["norm"]) ?? 2
                let bank = try Chroma.filters(
                    sampleRate: Int(number(p["sr"])!), nFFT: Int(number(p["n_fft"])!),
                    nChroma: Int(number(p["n_chroma"]) ?? 12), tuning: number(p["tuning"]) ?? 0,
                    centerOctave: number(p["ctroct"]) ?? 5,
                    octaveWidth: p.keys.contains("octwidth") ? number(p["octwidth"]) : 2, norm: norm,
                    baseC: p["base_c"] as? Bool ?? true)
                let expected = try fixture.tensor("chroma_filters/\(name)")
                #expect([bank.rows, bank.columns] == expected.shape)
                let deviation = Deviation.compare(bank.values, expected.values, floor: 1e-6 * peak(expected.values))
                #expect(deviation.maxRelative <= 1e-4, "\(name): \(deviation)")
            }
        }

        @Test("piptrack of power and magnitude spectrograms: same peaks, relative 1e-4 (floor 1e-6 x peak)")
        func piptrack() throws {
            var cases: [(power: Matrix, prefix: String, fmin: Double, fmax: Double, threshold: Float)] = []
            for signal in ["tone443", "chord", "noise", "silence"] {
                cases.append((try fixture.matrix("chroma/\(signal)/power"), "chroma/\(signal)/piptrack_", 150, 4000, 0.1))
            }
            let p = try fixture.parameters("piptrack/chirp")
            cases.append((try fixture.matrix("piptrack/chirp/magnitude"), "piptrack/chirp/", number(p["fmin"])!,
                          number(p["fmax"])!, Float(number(p["threshold"])!)))
            for (spectrogram, prefix, fmin, fmax, threshold) in cases {
                let (pitches, magnitudes) = try Pitch.piptrack(spectrogram: spectrogram, fmin: fmin, fmax: fmax, threshold: threshold)
                let found = pitches.values.indices.filter { pitches.values[$0] != 0 || magnitudes.values[$0] != 0 }
                let index = try fixture.tensor(prefix + "index").values.map { Int($0) }
                #expect(found == index, "\(prefix)")
                guard found == index else { continue }
                let magnitudeName = prefix.hasPrefix("piptrack/") ? "magnitude_out" : "magnitude"
                for (actual, what) in [(found.map { pitches.values[$0] }, "pitch"), (found.map { magnitudes.values[$0] }, magnitudeName)] {
                    let expected = try fixture.tensor(prefix + what).values
                    let deviation = Deviation.compare(actual, expected, floor: 1e-6 * peak(expected))
                    #expect(deviation.maxRelative <= 1e-4, "\(prefix)\(what): \(deviation)")
                }
            }
        }

        @Test("estimate_tuning and pitch_tuning: exact")
        func tuning() throws {
            for signal in ["tone443", "chord", "noise", "silence"] {
                let tuning = try Pitch.estimateTuning(spectrogram: try fixture.matrix("chroma/\(signal)/power"))
                #expect(try tuning == fixture.tensor("chroma/\(signal)/tuning").scalar, "\(signal)")
            }
            let frequencies = try fixture.floats("pitch_tuning/frequencies")
            for name in fixture.names(withPrefix: "pitch_tuning/") where name != "pitch_tuning/frequencies" {
                let p = try fixture.parameters(name)
                let tuning = try Pitch.tuning(frequencies: frequencies, resolution: number(p["resolution"])!,
                                              binsPerOctave: Int(number(p["bins_per_octave"])!))
                #expect(try tuning == fixture.tensor(name).scalar, "\(name)")
            }
            #expect(try Pitch.tuning(frequencies: [0, -3]) == 0)
        }

        @Test("chroma_stft with estimated and with zero tuning; relative 1e-4 (floor 1e-4)")
        func chromaSTFT() throws {
            for signal in ["tone443", "chord", "noise", "silence"] {
                let power = try fixture.matrix("chroma/\(signal)/power")
                let cases = [(try Chroma.stft(power: power), "chroma"), (try Chroma.stft(power: power, tuning: 0), "chroma_untuned")]
                for (actual, what) in cases {
                    let expected = try fixture.tensor("chroma/\(signal)/\(what)").values
                    let deviation = Deviation.compare(actual.values, expected, floor: 1e-4)
                    #expect(deviation.maxRelative <= 1e-4, "\(signal) \(what): \(deviation)")
                    #expect(!actual.values.contains { !$0.isFinite })
                }
            }
        }

        @Test("two bins and no frames: no crash, no NaN")
        func tinyInputs() throws {
            let tiny = Matrix(rows: 2, columns: 3, values: [1, 0, 2, 3, 0, 1])
            #expect(try Chroma.stft(power: tiny).values.allSatisfy(\.isFinite))
            #expect(try Chroma.stft(power: Matrix(rows: 1025, columns: 0)).columns == 0)
            #expect(try Pitch.estimateTuning(spectrogram: tiny) == 0)
        }

        @Test func rejectsBadParameters() {
            #expect(throws: ChromaError.nChroma(0)) { try Chroma.filters(sampleRate: 22050, nFFT: 2048, nChroma: 0) }
            #expect(throws: ChromaError.nFFT(1)) { try Chroma.filters(sampleRate: 22050, nFFT: 1) }
            #expect(throws: ChromaError.octaveWidth(0)) { try Chroma.filters(sampleRate: 22050, nFFT: 64, octaveWidth: 0) }
            #expect(throws: ChromaError.norm(-2)) { try Chroma.stft(power: Matrix(rows: 3, columns: 1), norm: -2) }
            #expect(throws: ChromaError.tooFewBins(1)) { try Chroma.stft(power: Matrix(rows: 1, columns: 4)) }
            #expect(throws: PitchError.tooFewBins(1)) { try Pitch.piptrack(spectrogram: Matrix(rows: 1, columns: 4)) }
            #expect(throws: PitchError.resolution(0)) { try Pitch.tuning(frequencies: [440], resolution: 0) }
            #expect(PitchError.resolution(2).description.contains("(0, 1]"))
        }
    }
}

private extension Fixture {
    func matrix(_ name: String) throws -> Matrix {
        let tensor = try tensor(name)
        return Matrix(rows: tensor.shape[0], columns: tensor.shape[1], values: tensor.floats)
    }

    func floats(_ name: String) throws -> [Float] { try tensor(name).floats }

    /// The JSON parameters the fixture script stored for a case.
    func parameters(_ name: String) throws -> [String: Any] {
        guard let text = metadata[name], let data = text.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw LoadError.malformed(path, "no parameters for \(name)") }
        return object
    }
}

/// A JSON number of the fixture parameters (NSNumber on Linux), nil for null or absent.
private func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

private extension ComplexMatrix {
    init(real: Matrix, imaginary: Matrix) {
        self.init(rows: real.rows, columns: real.columns, real: real.values, imaginary: imaginary.values)
    }
}
