import GenreML
import GenreSupport

/// The training rows a network validates on, carved out whole groups at a time: every window of a
/// song, and every song of an artist where the data names artists, is on one side, so the
/// validation loss is that of music the network has not heard. About `fraction` of each class's
/// rows are held out (a group counts for its most common class), at least one group of a class
/// when it has two or more, and never a class's last group, which training needs.
struct ValidationPart: Equatable {
    /// Row indices, ascending.
    let training: [Int]
    let validation: [Int]

    init(labels: [Int], groups: [Int], fraction: Double, seed: UInt64) throws(ModelError) {
        guard groups.count == labels.count else {
            throw .invalidParameter("\(groups.count) row groups for \(labels.count) rows; give one group per row")
        }
        var rowsOfGroup: [Int: [Int]] = [:]
        for (row, group) in groups.enumerated() { rowsOfGroup[group, default: []].append(row) }
        var groupsOfClass: [Int: [Int]] = [:]
        for group in rowsOfGroup.keys.sorted() {
            let classes = rowsOfGroup[group]!.map { labels[$0] }
            let counts = Dictionary(classes.map { ($0, 1) }, uniquingKeysWith: +)
            let major = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            groupsOfClass[major, default: []].append(group)
        }
        var generator = SeededGenerator(seed: seed)
        var heldOut = Set<Int>()
        for label in groupsOfClass.keys.sorted() {
            var candidates = groupsOfClass[label]!
            generator.shuffle(&candidates)
            let target = fraction * Double(candidates.map { rowsOfGroup[$0]!.count }.reduce(0, +))
            var held = 0
            for group in candidates.dropLast() where Double(held) < target {
                heldOut.insert(group)
                held += rowsOfGroup[group]!.count
            }
        }
        validation = groups.indices.filter { heldOut.contains(groups[$0]) }
        training = groups.indices.filter { !heldOut.contains(groups[$0]) }
        guard !validation.isEmpty else {
            throw .invalidParameter("no class has two groups (songs or artists) of which one could be held out for validation, "
                + "among \(rowsOfGroup.count) groups; give more tracks, or --validation-fraction 0 to train without validation")
        }
    }
}

/// A classifier that holds some of its training rows out (a network's validation part), and so
/// needs to know which rows belong together: `groups[i]` is row i's group (its song, or its artist
/// where the data names artists), and a group's rows stay on one side.
public protocol GroupedFitting: Classifier {
    mutating func fit(_ x: RowMatrix, labels: [Int], groups: [Int], classCount: Int) throws(ModelError)
}

extension GroupedFitting {
    /// Without groups every row is its own: right for rows that are whole songs of distinct artists.
    public mutating func fit(_ x: RowMatrix, labels: [Int], classCount: Int) throws(ModelError) {
        try fit(x, labels: labels, groups: Array(0 ..< x.rows), classCount: classCount)
    }
}
