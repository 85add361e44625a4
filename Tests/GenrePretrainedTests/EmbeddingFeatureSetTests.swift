import Foundation
import GenreFeatures
import GenreNN
import GenrePretrained
import Testing
import TestSupport

/// Pre-trained embeddings and fusions as feature sets, found by name.
@Suite struct EmbeddingFeatureSetTests {
    static func signal(seconds: Double, sampleRate: Int) -> [Float] {
        var mix = SplitMix(seed: 11)
        return (0 ..< Int(seconds * Double(sampleRate))).map { i in
            Float(0.3 * sin(2 * Double.pi * 220 * Double(i) / Double(sampleRate)) + 0.05 * mix.nextUnit())
        }
    }

    @Test func penultimateEmbeddingOfAWindow() throws {
        let set = try FeatureCatalog.named("msd-musicnn-penultimate")
        #expect(set.sampleRate == 16000 && set.columns.count == 200)
        let row = try set.extract(Self.signal(seconds: 3, sampleRate: 16000))
        #expect(row.count == 200 && row.allSatisfy(\.isFinite))
        // A clip shorter than one patch is repeated to fill it, so it still gets a row.
        #expect(try set.extract(Self.signal(seconds: 1, sampleRate: 16000)).count == 200)
    }

    /// A song's windows go through the network together; each row is what the window gives alone.
    @Test func batchedWindowsEqualSingleOnes() throws {
        let set = try FeatureCatalog.named("msd-musicnn-max-pool")
        let signal = Self.signal(seconds: 7, sampleRate: 16000)
        let clips = [Array(signal[0 ..< 48000]), Array(signal[48000 ..< 96000]), Array(signal[96000...])]
        let batched = try set.extract(clips: clips)
        for (clip, row) in zip(clips, batched) {
            let single = try set.extract(clip)
            #expect(zip(single, row).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        }
    }

    /// A whole clip's embedding, fed in chunks as a file decodes, is the clip's `extract`: over
    /// more patches than one network batch, and for a clip shorter than a patch (repeated).
    @Test(arguments: [40.0, 1.0])
    func embeddingOfSamplesAsTheyComeIsTheWholeClips(seconds: Double) throws {
        let set = try #require(try FeatureCatalog.named("msd-musicnn-penultimate") as? any StreamingFeatureSet)
        let signal = Self.signal(seconds: seconds, sampleRate: 16000)
        var accumulator = set.accumulator()
        for start in stride(from: 0, to: signal.count, by: 4321) {
            try accumulator.append(Array(signal[start ..< min(signal.count, start + 4321)]))
        }
        let streamed = try accumulator.finish()
        let whole = try set.extract(signal)
        #expect(streamed.count == 200 && zip(whole, streamed).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    }

    @Test func fusionJoinsTheColumnsOfBoth() throws {
        let set = try FeatureCatalog.named("gtzan57+msd-musicnn-taggram")
        #expect(set.sampleRate == 22050)
        #expect(set.columns.count == GTZAN57().columns.count + 50)
        let row = try set.extract(Self.signal(seconds: 3, sampleRate: 22050))
        #expect(row.count == set.columns.count && row.allSatisfy(\.isFinite))
    }

    /// Two outputs of one network come from one pass, the same values as each set alone.
    @Test func outputsOfOneNetworkAreFusedIntoOnePass() throws {
        let set = try #require(try FeatureCatalog.named("msd-musicnn-penultimate+msd-musicnn-taggram") as? EmbeddingFeatureSet)
        #expect(set.name == "msd-musicnn-penultimate+msd-musicnn-taggram" && set.layers == ["penultimate", "taggram"])
        #expect(set.columns.first == "penultimate_0" && set.columns.last == "taggram_49" && set.columns.count == 250)
        let signal = Self.signal(seconds: 4, sampleRate: 16000)
        let apart = try FeatureCatalog.named("msd-musicnn-penultimate").extract(signal)
            + FeatureCatalog.named("msd-musicnn-taggram").extract(signal)
        #expect(zip(try set.extract(signal), apart).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) })
    }

    @Test func unknownNamesAreClearErrors() {
        #expect(throws: FeatureCatalogError.unknown(name: "msd-musicnn-nothing")) { try FeatureCatalog.named("msd-musicnn-nothing") }
        #expect(throws: FeatureCatalogError.unknown(name: "a+b+c")) { try FeatureCatalog.named("a+b+c") }
    }
}
