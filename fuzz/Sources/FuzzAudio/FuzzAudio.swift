import FuzzSupport
import GenreKit

/// Arbitrary bytes through what `genre features --set gtzan57` does to a file: FFmpeg decodes them
/// (recognised by content, as the file has no extension), libsoxr resamples them to 22050 Hz and
/// the gtzan57 features are computed. Errors are expected; crashes, hangs and huge allocations not.
private let extractor = FeatureExtractor(featureSet: GTZAN57())

func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    _ = try? extractor.rows(for: InputFile.write(start, count, name: "input"))
    return 0
}
