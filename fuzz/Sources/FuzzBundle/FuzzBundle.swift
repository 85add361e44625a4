import Foundation
import GenreKit

/// A model bundle's JSON body, given the magic line and the checksum it needs (a mutated body would
/// otherwise never pass the checksum), is loaded and asked for one prediction on a row of its width.
func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let body = Data(bytes: start, count: count)
    let bytes = Data("GENREKIT-MODEL 1\nsha256 \(ModelBundleChecksum.hex(body))\n".utf8) + body
    guard let bundle = try? ModelBundle(data: bytes, path: "fuzz.genremodel") else { return 0 }
    // A row unlike the all-zero probe the loader already asked.
    let row = RowMatrix(rows: 1, columns: bundle.columns.count, values: (0 ..< bundle.columns.count).map { Float($0 % 7) - 3 })
    _ = try? bundle.pipeline.probabilities(row)
    return 0
}
