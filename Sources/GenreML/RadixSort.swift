/// Sorts keys by their high 32 bits, stably and in linear time: one pass per byte, skipping a byte
/// that every key shares. Growing a tree sorts every node's rows by several features, and a
/// comparison sort took most of that time. Owns its buffers, so sorting never allocates.
final class RadixSorter {
    /// Filled by the caller; `sort` orders a range of it in place.
    let keys: UnsafeMutableBufferPointer<UInt64>
    private let scratch: UnsafeMutableBufferPointer<UInt64>
    private let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 256)

    init(capacity: Int) {
        keys = .allocate(capacity: capacity)
        scratch = .allocate(capacity: capacity)
        keys.initialize(repeating: 0)
        scratch.initialize(repeating: 0)
    }

    deinit {
        keys.deallocate()
        scratch.deallocate()
        counts.deallocate()
    }

    func sort(_ range: Range<Int>) {
        let n = range.count
        let part = UnsafeMutableBufferPointer(rebasing: keys[range])
        // Short runs, the most common, take an insertion sort: there it beats the radix passes.
        guard n > 64 else { return Self.insertionSort(part) }
        counts.update(repeating: 0)
        for key in part {
            for pass in 0 ..< 4 { counts[pass * 256 + Int(truncatingIfNeeded: key >> (32 + 8 * pass) & 0xFF)] += 1 }
        }
        var source = part, target = UnsafeMutableBufferPointer(rebasing: scratch[..<n])
        for pass in 0 ..< 4 {
            let shift = UInt64(32 + 8 * pass), bucket = pass * 256
            guard counts[bucket + Int(truncatingIfNeeded: source[0] >> shift & 0xFF)] < n else { continue }
            var offset = 0
            for digit in bucket ..< bucket + 256 { (counts[digit], offset) = (offset, offset + counts[digit]) }
            for key in source {
                let digit = bucket + Int(truncatingIfNeeded: key >> shift & 0xFF)
                target[counts[digit]] = key
                counts[digit] += 1
            }
            swap(&source, &target)
        }
        if source.baseAddress != part.baseAddress { part.baseAddress!.update(from: source.baseAddress!, count: n) }
    }

    private static func insertionSort(_ part: UnsafeMutableBufferPointer<UInt64>) {
        for i in part.indices.dropFirst() {
            let key = part[i]
            var j = i
            while j > 0 && part[j - 1] > key {
                part[j] = part[j - 1]
                j -= 1
            }
            part[j] = key
        }
    }
}
