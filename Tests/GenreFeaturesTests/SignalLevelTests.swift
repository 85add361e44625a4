import GenreFeatures
import Testing
import TestSupport

/// The signal-level harmony and rhythm features against librosa 0.11 called with `y`
/// (scripts/fixtures/make_signal_fixtures.py), with both padding modes where the fixture has them.
@Suite struct SignalLevelTests {
    let fixture: Fixture
    static let names = ["clicks140", "mix96", "noise"]

    init() throws { fixture = try Fixture.load("signal_level.safetensors") }

    func signal(_ name: String) throws -> [Float] { try fixture.tensor("signal_\(name)").floats }

    /// Harmonic and percussive signals: absolute 1e-5 of the signal's peak (float32 rounding of
    /// two STFTs; librosa puts the phase back as a unit complex number, GenreKit multiplies by the mask).
    @Test(arguments: [PadMode.constant, .reflect])
    func effectsHPSS(padMode: PadMode) throws {
        let y = try signal("mix96")
        let parts = try HPSS.separate(signal: y, stft: STFTSettings(padMode: padMode))
        for (part, values) in [("harmonic", parts.harmonic), ("percussive", parts.percussive)] {
            let expected = try fixture.tensor("hpss_\(padMode.rawValue)_mix96_\(part)").floats
            let deviation = Deviation.compare(values, expected)
            #expect(deviation.maxAbsolute <= 1e-5 * peak(y), "\(padMode) \(part): \(deviation)")
        }
    }

    /// Onset strength from the signal: relative 1e-4 (floor 1e-4 of the peak).
    @Test(arguments: names)
    func onsetStrength(name: String) throws {
        let expected = try fixture.tensor("onset_\(name)").floats
        let deviation = Deviation.compare(try Onset.strength(signal: try signal(name)), expected, floor: 1e-4 * peak(expected))
        #expect(deviation.maxRelative <= 1e-4, "\(name): \(deviation)")
    }

    /// Tempo as beat_track reports it: exactly the same autocorrelation lag.
    @Test(arguments: names)
    func beatTrackTempo(name: String) throws {
        for padMode in [PadMode.constant, .reflect] {
            let expected = try fixture.tensor("tempo_\(padMode.rawValue)_\(name)").scalar
            let tempo = try Tempo.beatTrackTempo(signal: try signal(name), stft: STFTSettings(padMode: padMode))
            #expect(tempo == expected, "\(name) \(padMode)")
        }
    }

    /// Chroma with the tuning estimated: relative 1e-4 (floor 1e-4).
    @Test(arguments: names)
    func chroma(name: String) throws {
        let expected = try fixture.tensor("chroma_\(name)").floats
        let deviation = Deviation.compare(try Chroma.stft(signal: try signal(name)).values, expected, floor: 1e-4)
        #expect(deviation.maxRelative <= 1e-4, "\(name): \(deviation)")
    }
}
