import GenreFeatures
import Testing
import TestSupport

/// `LogMelPatch` against librosa's power_to_db(melspectrogram) of the same cut or padded signal
/// (scripts/fixtures/make_logmel_fixtures.py).
@Suite struct LogMelPatchTests {
    static let fixture: Fixture = {
        do { return try Fixture.load("logmel.safetensors") } catch { fatalError("\(error)") }
    }()

    /// dB values: mel power agrees to a few float32 ulps (see the mel tests), which is ~1e-5 dB;
    /// 1e-4 dB absolute leaves room and is far below anything a network could notice.
    @Test(arguments: [("long", "logmel128"), ("short", "logmel128.short")])
    func matchesLibrosa(signal: String, expected: String) throws {
        let patch = LogMelPatch.logmel128
        let values = try patch.patch(try Self.fixture.tensor("signal.\(signal)").floats)
        let reference = try Self.fixture.tensor(expected)
        #expect(reference.shape == [128, 130])
        #expect(values.count == patch.columns.count)
        #expect(Deviation.compare(values, reference.floats).maxAbsolute < 1e-4)
    }

    @Test func shapeAndColumns() {
        let patch = LogMelPatch.logmel128
        #expect(patch.shape == [1, 128, 130])
        #expect(patch.columns.count == 128 * 130)
        #expect(patch.columns.first == "mel0_t0" && patch.columns.last == "mel127_t129")
        #expect(FeatureSets.named("logmel128") != nil)
    }

    @Test func rejectsClipsShorterThanAFrame() {
        #expect(throws: FeatureError.tooShort(samples: 100, minimum: 2048, sampleRate: 22050)) {
            try LogMelPatch.logmel128.patch([Float](repeating: 0.1, count: 100))
        }
    }

    @Test func silenceIsFinite() throws {
        let values = try LogMelPatch.logmel128.patch([Float](repeating: 0, count: 22050))
        #expect(values.allSatisfy { $0 == -100 })
    }
}
