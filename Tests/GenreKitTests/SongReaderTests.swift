import Foundation
import GenreKit
import Testing
import TestSupport

/// `SongReader`: genres, embedding and tags from one decoding (and one pass of the network the
/// default model and the MSD tagger share), against the classifier and the tagger run apart.
@Suite struct SongReaderTests {
    static let example = SharedData.packageRoot.appendingPathComponent("Examples/black-elk-toggle.mp3").path

    static func reader() throws -> SongReader {
        try SongReader(bundle: ModelBundle.embedded(), tagger: SongTagger(network: try TaggingNetworks.named("MSD_musicnn")))
    }

    @Test func readsWhatTheClassifierAndTheTaggerSayApart() throws {
        let reader = try Self.reader()
        var decoded = 0
        let reading = try reader.read(Self.example) { decoded += $0.count }
        #expect(decoded == Int((reading.genres.durationSeconds * 16000).rounded()))

        let (genres, embedding) = try reader.classifier.classifyAndEmbed(Self.example)
        #expect(reading.genres.ranking.map(\.genre) == genres.ranking.map(\.genre))
        #expect(zip(reading.genres.ranking, genres.ranking).allSatisfy { abs($0.probability - $1.probability) < 1e-9 })
        #expect(zip(reading.embedding, embedding).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) })

        // The tags follow the model's 3 s windows (end-aligned) instead of the tagger's patches from
        // the start: nearly the same audio, so nearly the same tags.
        let tags = try reader.tagger.tags(Self.example)
        #expect(reading.tags.windows.count == genres.windows.count)
        #expect(Set(reading.tags.ranking.prefix(3).map(\.genre)) == Set(tags.ranking.prefix(3).map(\.genre)))
        for score in reading.tags.ranking {
            let apart = try #require(tags.ranking.first { $0.genre == score.genre })
            #expect(abs(score.probability - apart.probability) < 0.05, "\(score.genre)")
        }
    }

    /// A clip shorter than a patch, which the tagger alone refuses, is read as the model reads
    /// it: one window, repeated to fill a patch.
    @Test func aClipShorterThanAPatchGetsTagsToo() throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("short.wav"), seconds: 0.5, sampleRate: 8000)
        let reading = try Self.reader().read(folder.file("short.wav"))
        #expect(reading.tags.windows.count == 1 && reading.tags.ranking.count == 50)
        #expect(reading.tags.ranking.allSatisfy { (0 ... 1).contains($0.probability) })
    }
}
