import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The present songs' embeddings as one flat matrix, for similar-song queries over a million songs
/// in tens of milliseconds: each embedding scaled to unit length and quantised to 8 bits, so that a
/// query is one SIMD pass over a quarter of the bytes the float values take; the few best are then
/// rescored exactly from the database. Kept beside the database (`library.sqlite.vectors`, mapped
/// into memory) as a cache of it: the file names the database state it was made from (the
/// library's id and its change count) and is remade when they differ, so it can be deleted at will.
///
/// Layout, little-endian: the 8-byte magic, a header (`Header`), then `count` song ids (Int64),
/// `count` row scales (Float32) and `count` rows of `stride` signed bytes.
final class EmbeddingMatrix: @unchecked Sendable {
    struct Stamp: Equatable {
        let library: String
        let generation: Int64
    }

    private struct Header {
        static let size = 64
        var stampLibrary: (UInt64, UInt64)
        var generation: Int64
        var dimension: Int32
        var stride: Int32
        var count: Int64
    }

    static let magic = Array("GKVECS01".utf8)
    /// Rows are padded to whole 32-byte vectors.
    static let lane = 32
    let stamp: Stamp
    let dimension: Int
    let stride: Int
    let count: Int
    /// The mapped file, or memory of the same layout when the file could not be written.
    private let base: UnsafeRawPointer
    private let length: Int
    private let release: () -> Void

    private init(stamp: Stamp, dimension: Int, stride: Int, count: Int, base: UnsafeRawPointer, length: Int,
                 release: @escaping () -> Void) {
        self.stamp = stamp
        self.dimension = dimension
        self.stride = stride
        self.count = count
        self.base = base
        self.length = length
        self.release = release
    }

    deinit { release() }

    private var ids: UnsafePointer<Int64> {
        (base + Self.magic.count + Header.size).assumingMemoryBound(to: Int64.self)
    }

    private var scales: UnsafePointer<Float> {
        (base + Self.magic.count + Header.size + 8 * count).assumingMemoryBound(to: Float.self)
    }

    private var codes: UnsafeRawPointer { base + Self.magic.count + Header.size + 12 * count }

    static func byteCount(count: Int, stride: Int) -> Int { magic.count + Header.size + count * (12 + stride) }

    // MARK: Queries

    /// The ids of the `k` rows whose quantised cosine with `query` is highest, best first.
    func nearest(to query: [Float], k: Int) -> [(id: Int64, score: Float)] {
        guard query.count == dimension, k > 0, count > 0 else { return [] }
        let (codedQuery, _) = Self.quantised(query, stride: stride)
        var best: [(id: Int64, score: Float)] = []
        best.reserveCapacity(k + 1)
        var floor = -Float.infinity
        codedQuery.withUnsafeBytes { queryBytes in
            let q = queryBytes.baseAddress!
            for row in 0 ..< count {
                let score = Float(Self.dot(q, codes + row * stride, stride)) * scales[row]
                guard score > floor || best.count < k else { continue }
                let at = best.firstIndex { $0.score < score } ?? best.count
                best.insert((ids[row], score), at: at)
                if best.count > k { best.removeLast() }
                if best.count == k { floor = best[k - 1].score }
            }
        }
        return best
    }

    /// The dot product of two rows of signed bytes, 32 at a time (AVX2 on the machines built for
    /// it): products of two bytes fit 16 bits, their sums are kept in 32.
    private static func dot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Int32 {
        var sums = SIMD16<Int32>()
        for offset in Swift.stride(from: 0, to: length, by: 16) {
            let x = SIMD16<Int16>(truncatingIfNeeded: a.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
            let y = SIMD16<Int16>(truncatingIfNeeded: b.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
            sums &+= SIMD16<Int32>(truncatingIfNeeded: x &* y)
        }
        return sums.wrappedSum()
    }

    /// `values` scaled to unit length and rounded to bytes of -127 ... 127 (padded with zeros to
    /// `stride`), and the factor that brings the bytes back to the unit vector.
    static func quantised(_ values: some Collection<Float>, stride: Int) -> (codes: [Int8], scale: Float) {
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let largest = values.reduce(0) { max($0, abs($1)) }
        guard norm > 0, largest > 0, norm.isFinite else { return ([Int8](repeating: 0, count: stride), 0) }
        let toCode = 127 / largest
        var codes = values.map { Int8(($0 * toCode).rounded()) }
        codes += [Int8](repeating: 0, count: stride - codes.count)
        return (codes, 1 / (toCode * norm))
    }

    // MARK: Making and reading the file

    /// The matrix for `stamp` from the file at `path` when it holds that state and is whole, else nil.
    static func mapped(_ path: String, stamp: Stamp) -> EmbeddingMatrix? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size >= magic.count + Header.size else { return nil }
        let length = Int(status.st_size)
        guard let map = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), map != MAP_FAILED else { return nil }
        let base = UnsafeRawPointer(map)
        let header = base.loadUnaligned(fromByteOffset: magic.count, as: Header.self)
        let found = Stamp(library: AudioHash.hex([header.stampLibrary.0, header.stampLibrary.1]),
                          generation: header.generation)
        let (dimension, stride, count) = (Int(header.dimension), Int(header.stride), Int(header.count))
        // A file of another state, another version or a wrong size (cut short, crafted) is remade.
        guard Array(UnsafeRawBufferPointer(start: base, count: magic.count)) == magic, found == stamp,
              (1 ... 1 << 16).contains(dimension), stride == padded(dimension), (0 ... 1 << 32).contains(count),
              length == byteCount(count: count, stride: stride)
        else {
            munmap(map, length)
            return nil
        }
        return EmbeddingMatrix(stamp: stamp, dimension: dimension, stride: stride, count: count, base: base, length: length) {
            munmap(map, length)
        }
    }

    /// The matrix of the present songs of `db` (read in one transaction, whose state `stamp` is),
    /// written to `path` through a temporary file and a rename when the folder allows, else kept
    /// in memory. Rows of another dimension than most songs' (another model's) are left out: they
    /// cannot be compared.
    static func make(_ db: Database, stamp: Stamp, path: String) throws -> EmbeddingMatrix {
        let dimension = try Int.fetchOne(db, sql: """
            SELECT length(embedding) / 4 AS dimension FROM song WHERE present GROUP BY dimension ORDER BY count(*) DESC LIMIT 1
            """) ?? 1
        let stride = padded(dimension)
        var ids: [Int64] = [], scales: [Float] = [], codes: [Int8] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT id, embedding FROM song WHERE present AND length(embedding) = ?",
                                       arguments: [dimension * 4])
        while let row = try rows.next() {
            let data: Data = row[1]
            let (coded, scale) = data.withUnsafeBytes { quantised($0.bindMemory(to: Float.self), stride: stride) }
            ids.append(row[0])
            scales.append(scale)
            codes += coded
        }
        var header = Header(stampLibrary: words(stamp.library), generation: stamp.generation, dimension: Int32(dimension),
                            stride: Int32(stride), count: Int64(ids.count))
        var bytes = magic
        bytes.reserveCapacity(byteCount(count: ids.count, stride: stride))
        withUnsafeBytes(of: &header) { bytes += $0 }
        bytes += [UInt8](repeating: 0, count: Header.size - MemoryLayout<Header>.size)
        ids.withUnsafeBytes { bytes += $0 }
        scales.withUnsafeBytes { bytes += $0 }
        codes.withUnsafeBytes { bytes += $0 }
        let temporary = path + ".\(getpid()).part"
        if FileManager.default.createFile(atPath: temporary, contents: Data(bytes)), rename(temporary, path) == 0,
           let matrix = mapped(path, stamp: stamp) {
            return matrix
        }
        unlink(temporary)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return EmbeddingMatrix(stamp: stamp, dimension: dimension, stride: stride, count: ids.count,
                               base: UnsafeRawPointer(memory), length: bytes.count) { memory.deallocate() }
    }

    static func padded(_ dimension: Int) -> Int { (dimension + lane - 1) / lane * lane }

    private static func words(_ hex: String) -> (UInt64, UInt64) {
        (UInt64(hex.prefix(16), radix: 16) ?? 0, UInt64(hex.dropFirst(16).prefix(16), radix: 16) ?? 0)
    }
}
