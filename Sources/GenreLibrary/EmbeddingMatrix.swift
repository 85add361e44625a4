import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The present songs' embeddings as one flat matrix, for similar-song queries over a million songs
/// in tens of milliseconds: each embedding scaled to unit length and quantised to 8 bits, so that a
/// query is one vectorised pass over a quarter of the bytes the float values take; the few best are
/// then rescored exactly from the database. Kept beside the database (`library.sqlite.vectors`,
/// mapped into memory) as a cache of it: the file names the database state it was made from (the
/// library's id and its change count) and is remade when they differ, so it can be deleted at will.
///
/// Layout, little-endian: the 8-byte magic, a 64-byte header (`Header`), then one record per song:
/// its id (Int64), the factor that brings its bytes back to the unit vector (Float32), 4 zero bytes
/// and `stride` signed bytes (the values, zero-padded to whole 32-byte vectors).
final class EmbeddingMatrix: @unchecked Sendable {
    struct Stamp: Equatable {
        let library: String
        let generation: Int64
    }

    private struct Header {
        static let size = 64
        var library: (UInt64, UInt64)
        var generation: Int64
        var dimension: Int32
        var stride: Int32
        var count: Int64
    }

    static let magic = Array("GKVECS01".utf8)
    static let lane = 32
    private static let recordHead = 16
    private static let dataStart = magic.count + Header.size
    let stamp: Stamp
    let dimension: Int
    let stride: Int
    let count: Int
    private let map: UnsafeRawPointer
    private let length: Int

    private init(stamp: Stamp, header: Header, map: UnsafeRawPointer, length: Int) {
        self.stamp = stamp
        dimension = Int(header.dimension)
        stride = Int(header.stride)
        count = Int(header.count)
        self.map = map
        self.length = length
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: map), length) }

    private static func byteCount(count: Int, stride: Int) -> Int { dataStart + count * (recordHead + stride) }

    static func padded(_ dimension: Int) -> Int { (dimension + lane - 1) / lane * lane }

    // MARK: Queries

    /// The ids of the `k` rows whose quantised cosine with `query` is highest, best first.
    func nearest(to query: [Float], k: Int) -> [(id: Int64, score: Float)] {
        guard query.count == dimension, k > 0 else { return [] }
        let (codedQuery, _) = Self.quantised(query, stride: stride)
        let recordSize = Self.recordHead + stride
        var best: [(id: Int64, score: Float)] = []
        best.reserveCapacity(k + 1)
        var floor = -Float.infinity
        codedQuery.withUnsafeBytes { queryBytes in
            var record = map + Self.dataStart
            for _ in 0 ..< count {
                defer { record += recordSize }
                let score = Float(Self.dot(queryBytes.baseAddress!, record + Self.recordHead, stride))
                    * record.load(fromByteOffset: 8, as: Float.self)
                guard score > floor || best.count < k else { continue }
                best.insert((record.load(as: Int64.self), score), at: best.firstIndex { $0.score < score } ?? best.count)
                if best.count > k { best.removeLast() }
                if best.count == k { floor = best[k - 1].score }
            }
        }
        return best
    }

    /// The dot product of two rows of signed bytes. A plain loop of wrapping operations, which the
    /// compiler turns into vector code for the CPU built for (AVX2 here); products of two bytes and
    /// their sums over a row fit 32 bits.
    private static func dot(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Int32 {
        let x = a.assumingMemoryBound(to: Int8.self), y = b.assumingMemoryBound(to: Int8.self)
        var sum: Int32 = 0
        for index in 0 ..< length { sum &+= Int32(x[index]) &* Int32(y[index]) }
        return sum
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
        guard fstat(descriptor, &status) == 0, status.st_size >= dataStart else { return nil }
        let length = Int(status.st_size)
        guard let map = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), map != MAP_FAILED else { return nil }
        let base = UnsafeRawPointer(map)
        let header = base.loadUnaligned(fromByteOffset: magic.count, as: Header.self)
        let found = Stamp(library: AudioHash.hex([header.library.0, header.library.1]), generation: header.generation)
        // A file of another state, another version or a wrong size (cut short, crafted) is remade.
        guard Array(UnsafeRawBufferPointer(start: base, count: magic.count)) == magic, found == stamp,
              (1 ... 1 << 16).contains(header.dimension), Int(header.stride) == padded(Int(header.dimension)),
              (0 ... 1 << 32).contains(header.count), length == byteCount(count: Int(header.count), stride: Int(header.stride))
        else {
            munmap(map, length)
            return nil
        }
        return EmbeddingMatrix(stamp: stamp, header: header, map: base, length: length)
    }

    /// The matrix of the present songs of `db` (read in one transaction, whose state `stamp` is),
    /// written record by record to `path` through a temporary file and a rename; where that folder
    /// cannot be written, to a file in the temporary folder that is gone once mapped. Rows of
    /// another dimension than most songs' (another model's) are left out: they cannot be compared.
    static func make(_ db: Database, stamp: Stamp, path: String) throws -> EmbeddingMatrix? {
        let dimension = try Int.fetchOne(db, sql: """
            SELECT length(embedding) / 4 AS dimension FROM song WHERE present GROUP BY dimension ORDER BY count(*) DESC LIMIT 1
            """) ?? 1
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM song WHERE present AND length(embedding) = ?",
                                     arguments: [4 * dimension]) ?? 0
        var header = Header(library: (UInt64(stamp.library.prefix(16), radix: 16) ?? 0,
                                      UInt64(stamp.library.dropFirst(16), radix: 16) ?? 0),
                            generation: stamp.generation, dimension: Int32(dimension), stride: Int32(padded(dimension)),
                            count: Int64(count))
        let beside = path + ".\(getpid()).part"
        let elsewhere = NSTemporaryDirectory() + "/genrekit-vectors-\(getpid())-\(UInt64.random(in: 0 ... .max))"
        for (temporary, keep) in [(beside, true), (elsewhere, false)] {
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let file = FileHandle(forWritingAtPath: temporary) else { continue }
            defer { unlink(temporary) }
            do {
                var bytes = magic
                withUnsafeBytes(of: &header) { bytes += $0 }
                bytes += [UInt8](repeating: 0, count: dataStart - bytes.count)
                let rows = try Row.fetchCursor(db, sql: "SELECT id, embedding FROM song WHERE present AND length(embedding) = ?",
                                               arguments: [4 * dimension])
                while let row = try rows.next() {
                    let (id, data): (Int64, Data) = (row[0], row[1])
                    let (codes, scale) = data.withUnsafeBytes { quantised($0.bindMemory(to: Float.self), stride: padded(dimension)) }
                    withUnsafeBytes(of: (id, scale, Int32(0))) { bytes += $0 }
                    codes.withUnsafeBytes { bytes += $0 }
                    if bytes.count >= 1 << 20 {
                        try file.write(contentsOf: bytes)
                        bytes.removeAll(keepingCapacity: true)
                    }
                }
                try file.write(contentsOf: bytes)
                try file.close()
            } catch let error as DatabaseError {
                throw error
            } catch {
                continue
            }
            if keep && rename(temporary, path) == 0 { return mapped(path, stamp: stamp) }
            if let matrix = mapped(temporary, stamp: stamp) { return matrix }
        }
        return nil
    }
}
