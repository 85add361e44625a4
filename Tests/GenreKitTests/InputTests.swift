import Foundation
import GenreKit
import Testing
import TestSupport

@Suite struct InputTests {
    @Test func foldersAreSearchedRecursivelyForAudioOnly() throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.file("jazz/deep"), withIntermediateDirectories: true)
        for name in ["jazz/b.wav", "jazz/deep/a.FLAC", "notes.txt", "jazz/.hidden.mp3"] {
            _ = FileManager.default.createFile(atPath: folder.file(name), contents: Data([1]))
        }
        let inputs = AudioInputs(paths: [folder.path])
        #expect(inputs.files == [folder.file("jazz/b.wav"), folder.file("jazz/deep/a.FLAC")])
        #expect(inputs.problems.isEmpty)
    }

    @Test func missingPathsAndFoldersWithoutAudioAreProblemsNotFailures() throws {
        let folder = try TemporaryFolder()
        _ = FileManager.default.createFile(atPath: folder.file("readme.txt"), contents: Data([1]))
        let inputs = AudioInputs(paths: [folder.file("nope.mp3"), folder.path])
        #expect(inputs.files.isEmpty)
        #expect(inputs.problems.map(\.path) == [folder.file("nope.mp3"), folder.path])
        #expect(inputs.problems[0].description.contains("no such file"))
        #expect(inputs.problems[1].description.contains("no audio files"))
    }

    @Test func filesNamedExplicitlyAreKeptWhateverTheirExtension() throws {
        let folder = try TemporaryFolder()
        _ = FileManager.default.createFile(atPath: folder.file("song.dat"), contents: Data([1]))
        #expect(AudioInputs(paths: [folder.file("song.dat")]).files == [folder.file("song.dat")])
    }

    @Test(arguments: [
        ("gtzan/audio/blues/blues.00000.flac", "blues"),
        ("x/rock.00012.wav", "rock"),
        ("Music/HipHop/track.mp3", "hiphop"),
        ("Examples/awol-food.mp3", nil),
        ("pop.wav", nil),
    ] as [(String, String?)])
    func labelsComeFromGTZANStyleNames(path: String, label: String?) {
        #expect(GTZANNames.label(forPath: path) == label)
    }

    @Test func segmentRowsAreNamedLikeThePublishedTable() {
        #expect(GTZANNames.segmentName(fileName: "blues.00000.wav", index: 3) == "blues.00000.3.wav")
        #expect(GTZANNames.segmentName(fileName: "noext", index: 0) == "noext.0")
    }

    @Test func segmentsAreConsecutiveWindowsAndShortClipsGetOne() throws {
        let segmenter = try Segmenter(segmentSeconds: 3)
        let ranges = segmenter.ranges(sampleCount: 661_794, sampleRate: 22050)
        #expect(ranges.count == 10)
        #expect(ranges.first == 0 ..< 66150)
        #expect(ranges.last == 595_350 ..< 661_500)
        #expect(segmenter.ranges(sampleCount: 5000, sampleRate: 22050) == [0 ..< 5000])
        // Windows longer than any count of samples (a bundle's, say) are one window, not a trap.
        #expect(try Segmenter(segmentSeconds: 1e300, hopSeconds: 1e300).ranges(sampleCount: 5000, sampleRate: 22050) == [0 ..< 5000])
        #expect(throws: AudioError.invalidSegmentLength(0)) { try Segmenter(segmentSeconds: 0) }
    }

    @Test func batchDeliversInInputOrder() async {
        var seen: [Int] = []
        await Batch(width: 3).run(Array(0 ..< 50), work: { item in
            usleep(UInt32((50 - item) * 100))
            return item * 2
        }, deliver: { index, value in
            #expect(value == index * 2)
            seen.append(index)
        })
        #expect(seen == Array(0 ..< 50))
    }
}
