import FuzzSupport
import GenreKit

/// Arbitrary bytes read as each kind of CSV GenreKit takes: a feature table, a manifest and FMA's
/// `tracks.csv`.
func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let path = InputFile.write(start, count, name: "input.csv")
    _ = try? FeatureDataset(table: path)
    _ = try? AudioDataset(manifest: path)
    _ = try? AudioDataset(fmaTracks: path, audioFolder: "audio")
    return 0
}
