/// A bad median filter size.
public enum MedianFilterError: Error, CustomStringConvertible, Equatable {
    case invalidSize(Int)

    public var description: String {
        switch self {
        case .invalidSize(let size): "median filter size \(size) must be at least 1"
        }
    }
}

extension Matrix {
    /// An axis of a matrix, numbered as in numpy: `.rows` is axis 0 (a spectrogram's bins), `.columns`
    /// is axis 1 (its frames).
    public enum Axis: Sendable {
        case rows, columns
    }

    /// `scipy.ndimage.median_filter(self, size=(size, 1) or (1, size), mode="reflect")`: each value is
    /// replaced by the median of the `size` values around it along `axis`, the array being mirrored at
    /// its ends (d c b a | a b c d | d c b a, repeated for windows longer than the array).
    ///
    /// As in scipy the window of an even `size` reaches one value further back than forward, and the
    /// median of an even count is its upper middle value (no averaging), so results are exact.
    /// The input must be free of NaN.
    public func medianFiltered(size: Int, along axis: Axis) throws(MedianFilterError) -> Matrix {
        guard size >= 1 else { throw .invalidSize(size) }
        guard rows > 0, columns > 0 else { return Matrix(rows: rows, columns: columns) }
        let lines = axis == .rows
            ? SlidingMedian.Lines(length: rows, count: columns, positionStride: columns, lineStride: 1)
            : SlidingMedian.Lines(length: columns, count: rows, positionStride: 1, lineStride: columns)
        // Every value is written by the filter: no need to zero them first.
        let filtered = [Float](unsafeUninitializedCapacity: values.count) { destination, initialized in
            values.withUnsafeBufferPointer { source in
                SlidingMedian(size: size, lines: lines).run(source: source, destination: destination)
            }
            initialized = values.count
        }
        return Matrix(rows: rows, columns: columns, values: filtered)
    }
}

/// Reflected index as scipy's "reflect" mode extends an axis of `count` values: periodic with period
/// `2 * count`, each period being the values then their mirror image.
@inline(__always)
func reflectedIndex(_ index: Int, count: Int) -> Int {
    let period = 2 * count
    var folded = index % period
    if folded < 0 { folded += period }
    return folded < count ? folded : period - 1 - folded
}

/// Running medians of many equal lines at once, one line per SIMD lane, all lanes in lock step.
///
/// Outputs go in blocks of `size`. The window of output `j` of a block is the tail of block A (the
/// block's own values from `j` on, extended by reflection) plus the head of block B (the next `j`
/// values). Sorted versions of every tail of A and every head of B are built by insertion alone
/// (branch-free min/max, no deletion), each cut to its `rank + 1` smallest values since larger ones
/// cannot be the median, and the median of the union of two sorted lists is a min over max pairs.
/// With only the ranks each window can use kept up to date, this costs about 60 instructions per
/// output for size 31 (16 lanes per instruction), less than half of a sorted window updated by
/// deletion, and a few milliseconds for a 1025 x 1293 spectrogram.
struct SlidingMedian {
    typealias Lanes = FloatLanes

    /// Where the lines lie in a flat buffer: value `p` of line `l` is at `l * lineStride + p * positionStride`.
    struct Lines {
        let length: Int
        let count: Int
        let positionStride: Int
        let lineStride: Int
    }

    let size: Int
    let lines: Lines
    /// The median's index in a sorted window; sorted lists keep `rank + 1` values.
    private let rank: Int
    /// For each position of the line extended by reflection (`size - 1` more), the source position.
    private let extended: [Int]

    init(size: Int, lines: Lines) {
        self.size = size
        self.lines = lines
        rank = size / 2
        let before = size / 2
        extended = (0 ..< lines.length + size - 1).map { reflectedIndex($0 - before, count: lines.length) }
    }

    func run(source: UnsafeBufferPointer<Float>, destination: UnsafeMutableBufferPointer<Float>) {
        let kept = rank + 1, width = Lanes.scalarCount
        // Lines across rows (lineStride 1) go several groups at a time, so that each row is read and
        // written a few cache lines at a time: one line a row at a time kept the loads waiting on memory.
        let passGroups = 4
        // Each group's lines, extended, and their medians, interleaved: value p of lane l at p * width + l.
        let lineCount = extended.count * width, medianCount = lines.length * width
        let line = UnsafeMutablePointer<Float>.allocate(capacity: passGroups * lineCount)
        let medians = UnsafeMutablePointer<Float>.allocate(capacity: passGroups * medianCount)
        let tails = UnsafeMutablePointer<Lanes>.allocate(capacity: (size + 1) * kept)
        let head = UnsafeMutablePointer<Lanes>.allocate(capacity: kept)
        // Each lane's line relative to the group's first line.
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: width)
        defer {
            line.deallocate(); medians.deallocate(); tails.deallocate(); head.deallocate(); offsets.deallocate()
        }
        let values = source.baseAddress!, results = destination.baseAddress!
        var first = 0
        while first < lines.count {
            // Missing lanes of the last group repeat its last line and are not written back.
            let active = min(width, lines.count - first)
            for lane in 0 ..< width { offsets[lane] = (min(first + lane, lines.count - 1) - first) * lines.lineStride }
            let contiguous = lines.lineStride == 1 && active == width
            let groups = contiguous ? min(passGroups, (lines.count - first) / width) : 1
            // Lines along rows: four neighbouring values of four lines at a time, transposed in registers.
            let transposable = lines.positionStride == 1 && active == width
            var index = 0
            while index < extended.count {
                let position = extended[index]
                let base = values + position * lines.positionStride + first * lines.lineStride
                if contiguous {
                    for group in 0 ..< groups {
                        Lanes(base + group * width).store(to: line + group * lineCount + index * width)
                    }
                } else if transposable, index + 4 <= extended.count, extended[index + 3] == position + 3 {
                    for quad in stride(from: 0, to: width, by: 4) {
                        let rows = Quad(from: base + quad * lines.lineStride, stride: lines.lineStride).transposed
                        rows.store(to: line + index * width + quad, stride: width)
                    }
                    index += 4
                    continue
                } else {
                    for lane in 0 ..< width { line[index * width + lane] = base[offsets[lane]] }
                }
                index += 1
            }
            for group in 0 ..< groups {
                for block in stride(from: 0, to: lines.length, by: size) {
                    medianBlock(block, line: line + group * lineCount, tails: tails, head: head,
                                into: medians + group * medianCount)
                }
            }
            var position = 0
            while position < lines.length {
                let base = results + position * lines.positionStride + first * lines.lineStride
                if contiguous {
                    for group in 0 ..< groups {
                        Lanes(medians + group * medianCount + position * width).store(to: base + group * width)
                    }
                } else if transposable, position + 4 <= lines.length {
                    for quad in stride(from: 0, to: width, by: 4) {
                        let values = Quad(from: medians + position * width + quad, stride: width).transposed
                        values.store(to: base + quad * lines.lineStride, stride: lines.lineStride)
                    }
                    position += 4
                    continue
                } else {
                    for lane in 0 ..< active { base[offsets[lane]] = medians[position * width + lane] }
                }
                position += 1
            }
            first += groups * width
        }
    }

    /// Medians of the windows starting at `block ..< block + size` (those inside the line).
    ///
    /// Window `j` takes `i` values from A's tail and `rank + 1 - i` from B's head, with `i` from
    /// `max(0, rank + 1 - j)` to `min(size - j, rank + 1)`; so it reads only tail indices from
    /// `rank - j` and head indices from `j - (size - rank)`, and the sorted lists are only built
    /// from there on (an insertion at index `i` needs indices `i - 1` and `i` of the list before).
    private func medianBlock(_ block: Int, line: UnsafeMutablePointer<Float>, tails: UnsafeMutablePointer<Lanes>,
                             head: UnsafeMutablePointer<Lanes>, into medians: UnsafeMutablePointer<Float>) {
        let kept = rank + 1
        // tails + j * kept: the sorted tail of block A from offset j (size - j values, cut to `kept`).
        for offset in stride(from: size - 1, through: 0, by: -1) {
            insert(Lanes(line + (block + offset) * Lanes.scalarCount), from: tails + (offset + 1) * kept, count: size - 1 - offset,
                   into: tails + offset * kept, from: max(0, rank - offset))
        }
        for offset in 0 ..< min(size, lines.length - block) {
            let tail = tails + offset * kept, tailCount = size - offset
            let lowest = max(0, kept - offset), highest = min(tailCount, kept)
            var best = Lanes(repeating: .infinity)
            if lowest == 0 { best = head[rank] }
            if highest == kept { best = minimum(best, tail[rank]) }
            // Taking `taken` from the tail: the largest taken is max(tail[taken - 1], head[rank - taken]).
            let firstTaken = max(lowest, 1)
            var fromTail = tail + (firstTaken - 1), fromHead = head + (rank - firstTaken)
            var pairs = min(highest, rank) - firstTaken + 1
            // Two pairs at a time, as insertions go two values at a time (see `insert`).
            while pairs >= 2 {
                best = minimum(best, minimum(maximum(fromTail[0], fromHead[0]), maximum(fromTail[1], fromHead[-1])))
                fromTail += 2
                fromHead -= 2
                pairs -= 2
            }
            if pairs == 1 { best = minimum(best, maximum(fromTail[0], fromHead[0])) }
            best.store(to: medians + (block + offset) * Lanes.scalarCount)
            if block + offset + 1 < lines.length {
                insert(Lanes(line + (block + size + offset) * Lanes.scalarCount), from: head, count: offset, into: head,
                       from: max(0, offset + 1 - (size - rank)))
            }
        }
    }

    /// Writes indices `first ..< min(count + 1, rank + 1)` of `list` (sorted, `count` long) with `value`
    /// added: sorted[i] = max(list[i - 1], min(value, list[i])). In place when the two pointers are
    /// equal: each step reads list[i] before writing sorted[i].
    @inline(__always)
    private func insert(_ value: Lanes, from list: UnsafeMutablePointer<Lanes>, count: Int,
                        into sorted: UnsafeMutablePointer<Lanes>, from first: Int) {
        let kept = rank + 1
        var previous = first > 0 ? list[first - 1] : Lanes(repeating: -.infinity)
        var source = list + first, destination = sorted + first
        var steps = min(count, kept) - first
        // Two at a time: fewer register copies of `previous` and less loop overhead.
        while steps >= 2 {
            let current = source[0], next = source[1]
            destination[0] = maximum(previous, minimum(value, current))
            destination[1] = maximum(current, minimum(value, next))
            previous = next
            source += 2
            destination += 2
            steps -= 2
        }
        if steps == 1 {
            let current = source[0]
            destination[0] = maximum(previous, minimum(value, current))
            previous = current
        }
        if count < kept { sorted[count] = maximum(previous, value) }
    }
}

/// Sixteen Float lanes as two SIMD8 values: min and max of SIMD8 compile to single vminps/vmaxps
/// with AVX (two minps/maxps without), while SIMD16 often goes through masks (and the standard
/// pointwiseMin is NaN-aware and slow).
struct FloatLanes {
    static let scalarCount = 16
    var low, high: SIMD8<Float>

    init(repeating value: Float) {
        low = SIMD8(repeating: value); high = low
    }

    init(_ low: SIMD8<Float>, _ high: SIMD8<Float>) {
        self.low = low; self.high = high
    }

    /// Loads lanes from 16 consecutive floats.
    @inline(__always)
    init(_ floats: UnsafePointer<Float>) {
        let raw = UnsafeRawPointer(floats)
        self.init(raw.loadUnaligned(as: SIMD8<Float>.self), raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
    }

    /// Stores the lanes to 16 consecutive floats.
    @inline(__always)
    func store(to floats: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(floats)
        raw.storeBytes(of: low, as: SIMD8<Float>.self)
        raw.storeBytes(of: high, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}

@inline(__always)
private func minimum(_ x: FloatLanes, _ y: FloatLanes) -> FloatLanes {
    @inline(__always) func min8(_ p: SIMD8<Float>, _ q: SIMD8<Float>) -> SIMD8<Float> { p.replacing(with: q, where: q .< p) }
    return FloatLanes(min8(x.low, y.low), min8(x.high, y.high))
}

@inline(__always)
private func maximum(_ x: FloatLanes, _ y: FloatLanes) -> FloatLanes {
    @inline(__always) func max8(_ p: SIMD8<Float>, _ q: SIMD8<Float>) -> SIMD8<Float> { p.replacing(with: q, where: q .> p) }
    return FloatLanes(max8(x.low, y.low), max8(x.high, y.high))
}

/// Four rows of four floats, to transpose a 4 x 4 block in registers.
private struct Quad {
    var rows: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

    /// Four floats from each of four places `stride` apart.
    @inline(__always)
    init(from pointer: UnsafePointer<Float>, stride: Int) {
        func load(_ row: Int) -> SIMD4<Float> { UnsafeRawPointer(pointer + row * stride).loadUnaligned(as: SIMD4<Float>.self) }
        rows = (load(0), load(1), load(2), load(3))
    }

    @inline(__always)
    init(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ c: SIMD4<Float>, _ d: SIMD4<Float>) { rows = (a, b, c, d) }

    @inline(__always)
    var transposed: Quad {
        let (a, b, c, d) = rows
        return Quad(SIMD4(a[0], b[0], c[0], d[0]), SIMD4(a[1], b[1], c[1], d[1]),
                    SIMD4(a[2], b[2], c[2], d[2]), SIMD4(a[3], b[3], c[3], d[3]))
    }

    /// Stores the rows at places `stride` apart.
    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>, stride: Int) {
        func store(_ row: SIMD4<Float>, _ index: Int) {
            UnsafeMutableRawPointer(pointer + index * stride).storeBytes(of: row, as: SIMD4<Float>.self)
        }
        store(rows.0, 0); store(rows.1, 1); store(rows.2, 2); store(rows.3, 3)
    }
}
