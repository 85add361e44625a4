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

    @Test func fusionJoinsTheColumnsOfBoth() throws {
        let set = try FeatureCatalog.named("gtzan57+msd-musicnn-taggram")
        #expect(set.sampleRate == 22050)
        #expect(set.columns.count == GTZAN57().columns.count + 50)
        let row = try set.extract(Self.signal(seconds: 3, sampleRate: 22050))
        #expect(row.count == set.columns.count && row.allSatisfy(\.isFinite))
    }

    @Test func unknownNamesAreClearErrors() {
        #expect(throws: FeatureCatalogError.unknown(name: "msd-musicnn-nothing")) { try FeatureCatalog.named("msd-musicnn-nothing") }
        #expect(throws: FeatureCatalogError.unknown(name: "a+b+c")) { try FeatureCatalog.named("a+b+c") }
    }
}
