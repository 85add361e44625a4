import GenreKit
import Testing

@Suite struct SplitTests {
    /// 60 tracks of 3 classes by 12 artists, 4 segments each.
    let data: FeatureDataset = {
        let tracks = (0 ..< 60).map { Track(id: "t\($0)", label: ["a", "b", "c"][$0 % 3], group: "artist\($0 % 12)") }
        let rowTrack = tracks.indices.flatMap { Array(repeating: $0, count: 4) }
        return FeatureDataset(tracks: tracks, columns: ["f"],
                              x: RowMatrix(rows: rowTrack.count, columns: 1, values: rowTrack.map(Float.init)),
                              rowTrack: rowTrack, source: "synthetic")
    }()

    func tracks(_ rows: [Int]) -> Set<Int> { Set(rows.map { data.rowTrack[$0] }) }

    @Test func everyTrackProtocolKeepsSegmentsWithTheirTrack() throws {
        for protocolCase in [EvaluationProtocol.stratifiedKFold(folds: 5, seed: 1), .groupedKFold(folds: 4, seed: 1),
                             .lists(train: ["t1", "t2", "t3"], test: ["t4", "t5"], name: "lists")] {
            let folds = try protocolCase.folds(of: data)
            for fold in folds {
                #expect(tracks(fold.train).isDisjoint(with: tracks(fold.test)), "\(protocolCase)")
                #expect(fold.test.count == 4 * tracks(fold.test).count, "all segments of a scored track")
            }
            #expect(!protocolCase.isLeaky)
        }
    }

    @Test func crossValidationScoresEveryTrackOnceWithClassesEven() throws {
        let folds = try EvaluationProtocol.stratifiedKFold(folds: 5, seed: 7).folds(of: data)
        #expect(folds.flatMap { tracks($0.test) }.sorted() == Array(0 ..< 60))
        for fold in folds {
            let labels = tracks(fold.test).map { data.tracks[$0].label }
            #expect(["a", "b", "c"].allSatisfy { label in labels.filter { $0 == label }.count == 4 })
        }
    }

    @Test func groupedFoldsNeverShareAnArtist() throws {
        let folds = try EvaluationProtocol.groupedKFold(folds: 4, seed: 3).folds(of: data)
        for fold in folds {
            let artists = { (rows: [Int]) in Set(rows.map { data.tracks[data.rowTrack[$0]].group }) }
            #expect(artists(fold.train).isDisjoint(with: artists(fold.test)))
        }
        #expect(folds.flatMap { tracks($0.test) }.count == 60)
    }

    /// Beside a cross-validated score, a report says when an artist's tracks may be on both sides.
    @Test func aCaveatWhenFoldsMaySplitAnArtist() {
        let noGroups = FeatureDataset(tracks: data.tracks.map { Track(id: $0.id, label: $0.label) }, columns: data.columns,
                                      x: data.x, rowTrack: data.rowTrack, source: "synthetic")
        #expect(EvaluationProtocol.groupedKFold(folds: 4, seed: 0).caveat(for: data) == nil)
        let caveat = EvaluationProtocol.groupedKFold(folds: 4, seed: 0).caveat(for: noGroups)
        #expect(caveat?.contains("groups are tracks") == true && caveat?.contains("artists may repeat across folds") == true)
        #expect(EvaluationProtocol.stratifiedKFold(folds: 4, seed: 0).caveat(for: data)?.contains("artists may repeat") == true)
        #expect(EvaluationProtocol.lists(train: ["t1"], test: ["t2"], name: "lists").caveat(for: noGroups) == nil)
    }

    @Test func seedsReproduceAndDiffer() throws {
        let a = try EvaluationProtocol.groupedKFold(folds: 4, seed: 3).folds(of: data)
        #expect(a == (try EvaluationProtocol.groupedKFold(folds: 4, seed: 3).folds(of: data)))
        #expect(a != (try EvaluationProtocol.groupedKFold(folds: 4, seed: 4).folds(of: data)))
    }

    @Test func leakyRandomSegmentsSaysSoFirst() throws {
        let leaky = EvaluationProtocol.leakyRandomSegments(testFraction: 0.2, seed: 1)
        #expect(leaky.isLeaky)
        #expect(leaky.summary.hasPrefix("LEAKY"))
        let fold = try leaky.folds(of: data)[0]
        #expect(fold.test.count == 48)
        #expect(!tracks(fold.train).isDisjoint(with: tracks(fold.test)))   // that is the leak
    }

    @Test func impossibleRequestsAreErrors() {
        #expect(throws: SplitError.tooFewGroups(groups: 12, folds: 20)) {
            try EvaluationProtocol.groupedKFold(folds: 20, seed: 0).folds(of: data)
        }
        #expect(throws: SplitError.listsOverlap(["t1"])) {
            try EvaluationProtocol.lists(train: ["t1"], test: ["t1", "t2"], name: "x").folds(of: data)
        }
        #expect(throws: SplitError.noListedTracks(trainFound: 0, testFound: 1)) {
            try EvaluationProtocol.lists(train: ["zz"], test: ["t2"], name: "x").folds(of: data)
        }
    }
}
