import Foundation
import GenreKit
import Testing
import TestSupport

/// `genre tags`' core on synthetic WAVs: the shape of the answer and its sanity (the numbers
/// themselves are checked against the original in PretrainedNetworkTests).
@Suite struct SongTaggerTests {
    @Test(arguments: ["MSD_musicnn", "MTT_vgg"])
    func aSevenSecondToneGetsTwoPatchesOfTags(model: String) throws {
        let folder = try TemporaryFolder()
        // 7 s at 22.05 kHz decodes to 112000 samples at 16 kHz: 438 frames, two whole patches.
        try WAVWriter.tone(folder.file("tone.wav"), seconds: 7, sampleRate: 22050)
        let tagger = SongTagger(network: try TaggingNetworks.named(model))
        let song = try tagger.tags(folder.file("tone.wav"))
        #expect(abs(song.durationSeconds - 7) < 1e-3)
        #expect(song.ranking.count == 50 && Set(song.ranking.map(\.genre)) == Set(tagger.network.tags))
        #expect(song.windows.count == 2)
        #expect(song.windows.map(\.startSeconds) == [0, 187 * 256 / 16000.0])
        #expect(abs(song.windows[0].endSeconds - 2.992) < 1e-9)
        let all = song.ranking + song.windows.flatMap(\.ranking)
        #expect(all.allSatisfy { (0 ... 1).contains($0.probability) }, "a probability outside [0, 1] or NaN")
        #expect(zip(song.ranking, song.ranking.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        // The song's tags are the mean over its patches, as musicnn's tagger averages its taggram.
        for score in song.ranking {
            let perPatch = song.windows.map { window in window.ranking.first { $0.genre == score.genre }!.probability }
            #expect(abs(score.probability - perPatch.reduce(0, +) / 2) < 1e-6, "\(score.genre)")
        }
    }

    @Test func aClipShorterThanOnePatchIsRefused() throws {
        let tagger = SongTagger(network: try TaggingNetworks.named("MSD_vgg"))
        let short = [Float](repeating: 0.1, count: MusicnnInput.shortestClipSamples - 1)
        #expect(throws: MusicnnInputError.clipTooShort(samples: short.count, minimum: MusicnnInput.shortestClipSamples)) {
            try tagger.tags(samples: short, path: "short")
        }
        #expect(try tagger.tags(samples: short + [0.1], path: "just long enough").windows.count == 1)
    }
}
