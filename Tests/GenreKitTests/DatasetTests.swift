import Foundation
import GenreKit
import Testing
import TestSupport

@Suite struct DatasetTests {
    @Test func folderLabelsByTheFirstFolderAndKeepsEveryExtension() throws {
        let root = try TemporaryFolder()
        for file in ["rock/a.mp3", "rock/live/b.flac", "jazz/c.WAV", "loose.mp3", "jazz/notes.txt"] {
            try FileManager.default.createDirectory(atPath: (root.file(file) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: root.file(file), contents: Data([1]))
        }
        let dataset = try AudioDataset(folder: root.path)
        #expect(dataset.tracks.map(\.id) == ["c", "a", "b"])
        #expect(dataset.tracks.map(\.label) == ["jazz", "rock", "rock"])
        #expect(dataset.tracks.allSatisfy { $0.group == $0.id })
    }

    @Test func manifestFindsColumnsByNameAndResolvesRelativePaths() throws {
        let root = try TemporaryFolder()
        try "id,genre,split,path,artist\nx1,pop,train,audio/x1.mp3,Abba\nx2,rock,valid,/abs/x2.mp3,\n"
            .write(toFile: root.file("m.csv"), atomically: true, encoding: .utf8)
        let dataset = try AudioDataset(manifest: root.file("m.csv"))
        #expect(dataset.tracks.map(\.path) == [root.file("audio/x1.mp3"), "/abs/x2.mp3"])
        #expect(dataset.tracks.map(\.group) == ["Abba", "x2"])
        #expect(dataset.tracks.map(\.split) == ["train", "valid"])
    }

    @Test func manifestProblemsNameTheFileAndLine() throws {
        let root = try TemporaryFolder()
        try "path,label\na.mp3,rock\n,pop\n".write(toFile: root.file("m.csv"), atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.malformedRow(path: root.file("m.csv"), line: 3, reason: "empty path or label")) {
            try AudioDataset(manifest: root.file("m.csv"))
        }
        try "file,label\na.mp3,rock\n".write(toFile: root.file("n.csv"), atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.missingColumn(path: root.file("n.csv"), column: "path")) {
            try AudioDataset(manifest: root.file("n.csv"))
        }
        #expect(throws: DatasetError.self) { try AudioDataset(manifest: root.file("absent.csv")) }
    }

    @Test func fmaTracksReadsItsTwoHeaderRows() throws {
        let root = try TemporaryFolder()
        let csv = """
            ,album,artist,set,set,track,track
            ,title,id,split,subset,genre_top,title
            track_id,,,,,,
            2,AWOL,1,training,small,Hip-Hop,Food
            3,AWOL,1,training,medium,,"Electric, Ave"
            140,Constant,54,validation,small,Folk,"Queen ""of"" the Wires"
            """
        try csv.write(toFile: root.file("tracks.csv"), atomically: true, encoding: .utf8)
        let dataset = try AudioDataset(fmaTracks: root.file("tracks.csv"), audioFolder: "/fma")
        #expect(dataset.tracks.map(\.id) == ["000002", "000140"])
        #expect(dataset.tracks.map(\.label) == ["Hip-Hop", "Folk"])
        #expect(dataset.tracks.map(\.split) == ["train", "valid"])
        #expect(dataset.tracks.map(\.group) == ["artist 1", "artist 54"])
        #expect(dataset.tracks.map(\.path) == ["/fma/000/000002.mp3", "/fma/000/000140.mp3"])
    }

    @Test func featureTablesTellSegmentsFromTracks() throws {
        let root = try TemporaryFolder()
        try """
            filename,length,a,b,label
            blues.00000.wav,661794,1,2,blues
            blues.00001.wav,661794,3,4,blues
            rock.00010.wav,661794,5,6,rock
            """.write(toFile: root.file("whole.csv"), atomically: true, encoding: .utf8)
        let whole = try FeatureDataset(table: root.file("whole.csv"))
        #expect(whole.tracks.map(\.id) == ["blues.00000", "blues.00001", "rock.00010"])
        #expect(whole.columns == ["a", "b"])   // length is not a property of the music
        #expect(!whole.isSegmented)

        try """
            filename,length,a,b,label
            blues.00000.0.wav,66149,1,2,blues
            blues.00000.1.wav,66149,3,4,blues
            rock.00010.0.flac,66149,5,6,
            rock.00010.1.flac,66149,5,6,
            """.write(toFile: root.file("segments.csv"), atomically: true, encoding: .utf8)
        let segments = try FeatureDataset(table: root.file("segments.csv"))
        #expect(segments.tracks.map(\.id) == ["blues.00000", "rock.00010"])
        #expect(segments.tracks.map(\.label) == ["blues", "rock"])
        #expect(segments.rowTrack == [0, 0, 1, 1])
        #expect(segments.labels == [0, 0, 1, 1])
    }

    @Test func featureTableRejectsNonNumbers() throws {
        let root = try TemporaryFolder()
        try "filename,a,label\nx.wav,nan,rock\n".write(toFile: root.file("t.csv"), atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.self) { try FeatureDataset(table: root.file("t.csv")) }
    }
}
