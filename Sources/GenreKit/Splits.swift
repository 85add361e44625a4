import Foundation
import GenreML

/// The rows a model is trained on and the rows it is scored on.
public struct Fold: Sendable, Equatable {
    public let train: [Int]
    public let test: [Int]
}

/// How a dataset is divided for evaluation. Every protocol but `leakyRandomSegments` divides
/// tracks, so a track's segments are all on one side.
public enum EvaluationProtocol: Sendable, Equatable {
    /// Named lists of track ids (the fault-filtered `train`/`valid` lists); tracks in neither are
    /// left out, as the filtering intends.
    case lists(train: Set<String>, test: Set<String>, name: String)
    /// k folds of tracks with each class spread evenly.
    case stratifiedKFold(folds: Int, seed: UInt64)
    /// k folds where no group (artist) is in two folds, classes as even as the groups allow.
    case groupedKFold(folds: Int, seed: UInt64)
    /// A random share of segment rows, whatever their track: a track's neighbouring windows end up
    /// on both sides, which inflates accuracy. Kept only to show how much.
    case leakyRandomSegments(testFraction: Double, seed: UInt64)

    /// One line for a report's head; a leaky protocol says so first.
    public var summary: String {
        switch self {
        case .lists(let train, let test, let name):
            "\(name): train on the tracks of the first list, score on those of the second (lists of \(train.count) and \(test.count))"
        case .stratifiedKFold(let folds, let seed):
            "stratified \(folds)-fold cross-validation over tracks (seed \(seed))"
        case .groupedKFold(let folds, let seed):
            "grouped \(folds)-fold cross-validation over tracks, no group in two folds (seed \(seed))"
        case .leakyRandomSegments(let fraction, let seed):
            "LEAKY: random split of segments (\(Int((fraction * 100).rounded()))% scored, seed \(seed)); "
                + "segments of one track are on both sides, so accuracy is inflated"
        }
    }

    /// What a reader must know beside a cross-validated score when the folds may split an artist's
    /// tracks (which scores higher than on artists never heard); nil when they keep groups apart or
    /// the protocol is not cross-validation.
    public func caveat(for data: FeatureDataset) -> String? {
        switch self {
        case .stratifiedKFold:
            "artists may repeat across folds (stratified folds divide tracks, not groups); expect less on unheard artists"
        case .groupedKFold where data.tracks.allSatisfy({ $0.group == $0.id }):
            "groups are tracks (the data has no group column), so artists may repeat across folds; expect less on unheard artists"
        default:
            nil
        }
    }

    public var isLeaky: Bool {
        if case .leakyRandomSegments = self { true } else { false }
    }

    /// The folds of `data`, as row indices. Augmented rows are trained on with their track and
    /// never scored: every fold's test rows are original ones.
    public func folds(of data: FeatureDataset) throws(SplitError) -> [Fold] {
        try allFolds(of: data).map { Fold(train: $0.train, test: $0.test.filter { !data.isAugmented[$0] }) }
    }

    private func allFolds(of data: FeatureDataset) throws(SplitError) -> [Fold] {
        switch self {
        case .lists(let train, let test, _):
            let overlap = train.intersection(test)
            guard overlap.isEmpty else { throw .listsOverlap(Array(overlap.sorted().prefix(3))) }
            let trainTracks = data.tracks.indices.filter { train.contains(data.tracks[$0].id) }
            let testTracks = data.tracks.indices.filter { test.contains(data.tracks[$0].id) }
            guard !trainTracks.isEmpty, !testTracks.isEmpty else {
                throw .noListedTracks(trainFound: trainTracks.count, testFound: testTracks.count)
            }
            return [Fold(train: data.rows(ofTracks: trainTracks), test: data.rows(ofTracks: testTracks))]
        case .stratifiedKFold(let folds, let seed):
            return try Self.groupFolds(data, folds: folds, seed: seed, group: \.id)
        case .groupedKFold(let folds, let seed):
            return try Self.groupFolds(data, folds: folds, seed: seed, group: \.group)
        case .leakyRandomSegments(let fraction, let seed):
            guard fraction > 0, fraction < 1 else { throw .invalidTestFraction(fraction) }
            var generator = SeededGenerator(seed: seed)
            var shuffled = Array(data.rowTrack.indices)
            generator.shuffle(&shuffled)
            let testCount = max(1, Int((Double(shuffled.count) * fraction).rounded()))
            return [Fold(train: shuffled.dropFirst(testCount).sorted(), test: shuffled.prefix(testCount).sorted())]
        }
    }

    /// Assigns whole groups to folds, largest groups first (in a seeded random order among equals),
    /// each to the fold where it best evens out every class's share (scikit-learn's
    /// `StratifiedGroupKFold` heuristic). With one track per group this is stratified k-fold.
    static func groupFolds(_ data: FeatureDataset, folds: Int, seed: UInt64,
                           group: KeyPath<Track, String>) throws(SplitError) -> [Fold] {
        guard folds >= 2 else { throw .tooFewFolds(folds) }
        var members: [String: [Int]] = [:]
        for (index, track) in data.tracks.enumerated() { members[track[keyPath: group], default: []].append(index) }
        guard members.count >= folds else { throw .tooFewGroups(groups: members.count, folds: folds) }

        let classOf = Dictionary(uniqueKeysWithValues: data.classes.enumerated().map { ($1, $0) })
        let classCount = data.classes.count
        let totals = data.tracks.reduce(into: [Double](repeating: 0, count: classCount)) { $0[classOf[$1.label]!] += 1 }
        var generator = SeededGenerator(seed: seed)
        var names = members.keys.sorted()
        generator.shuffle(&names)
        let groups = names.map { members[$0]! }
            .enumerated().sorted { ($0.element.count, $1.offset) > ($1.element.count, $0.offset) }.map(\.element)

        var counts = [[Double]](repeating: [Double](repeating: 0, count: classCount), count: folds)
        var assigned = [[Int]](repeating: [], count: folds)
        for tracks in groups {
            var groupCounts = [Double](repeating: 0, count: classCount)
            for track in tracks { groupCounts[classOf[data.tracks[track].label]!] += 1 }
            // The spread of each class's share over folds if this group joined fold `f`.
            let spread = (0 ..< folds).map { f -> (Double, Int, Int) in
                let deviation = (0 ..< classCount).map { c -> Double in
                    let shares = (0 ..< folds).map { ($0 == f ? counts[$0][c] + groupCounts[c] : counts[$0][c]) / totals[c] }
                    let mean = shares.reduce(0, +) / Double(folds)
                    return (shares.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(folds)).squareRoot()
                }.reduce(0, +) / Double(classCount)
                return (deviation, assigned[f].count, f)
            }
            let best = spread.min { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }!.2
            assigned[best] += tracks
            for c in 0 ..< classCount { counts[best][c] += groupCounts[c] }
        }
        return (0 ..< folds).map { f in
            let testTracks = Set(assigned[f])
            return Fold(train: data.rows(ofTracks: data.tracks.indices.filter { !testTracks.contains($0) }),
                        test: data.rows(ofTracks: testTracks))
        }
    }
}

/// Why a protocol cannot divide a dataset.
public enum SplitError: Error, CustomStringConvertible, Equatable {
    case tooFewFolds(Int)
    case tooFewGroups(groups: Int, folds: Int)
    case listsOverlap([String])
    case noListedTracks(trainFound: Int, testFound: Int)
    case invalidTestFraction(Double)
    case unreadableList(path: String)

    public var description: String {
        switch self {
        case .tooFewFolds(let folds): "cross-validation needs at least 2 folds, got \(folds)"
        case .tooFewGroups(let groups, let folds): "\(groups) groups cannot fill \(folds) folds; use fewer folds"
        case .listsOverlap(let ids): "the train and test lists share tracks (\(ids.joined(separator: ", ")))"
        case .noListedTracks(let train, let test):
            "the lists match \(train) tracks to train on and \(test) to score; check they name this dataset's tracks"
        case .invalidTestFraction(let fraction): "the test fraction must lie in (0, 1), got \(fraction)"
        case .unreadableList(let path): "cannot read the track list \(path)"
        }
    }
}

extension EvaluationProtocol {
    /// Track ids of a list file with lines like `blues/blues.00029.wav` (or bare ids).
    public static func trackIDs(inList path: String) throws(SplitError) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadableList(path: path)
        }
        return Set(text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map(Track.id(forPath:)))
    }
}
