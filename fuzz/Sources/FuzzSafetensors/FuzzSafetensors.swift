import Foundation
import GenreKit

/// Arbitrary bytes read as a safetensors file, and each tensor it holds asked for by its shape.
func testOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    guard let file = try? SafetensorsFile(data: Data(bytes: start, count: count)) else { return 0 }
    for (name, tensor) in file.tensors { _ = try? file.tensor(name, shape: tensor.shape) }
    return 0
}
