import Foundation

/// A tensor read from a committed fixture.
public struct FixtureTensor: Sendable {
    public let shape: [Int]
    /// The values converted to Double whatever the stored dtype (F32, F64, I32, I64).
    public let values: [Double]

    public var floats: [Float] { values.map(Float.init) }
    public var scalar: Double { values[0] }
}

/// A golden fixture: a safetensors file of named tensors plus string metadata (the parameters
/// the reference implementation was called with). Made by `scripts/fixtures/*.py`.
public struct Fixture: Sendable {
    public let tensors: [String: FixtureTensor]
    public let metadata: [String: String]

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String), malformed(String, String), missingTensor(String, String)
        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read fixture \(path)"
            case .malformed(let path, let why): "fixture \(path) is malformed: \(why)"
            case .missingTensor(let path, let name): "fixture \(path) has no tensor '\(name)'"
            }
        }
    }

    public let path: String

    /// Loads `name` (e.g. `"stft.safetensors"`) from the `Fixtures` folder beside the calling test file.
    public static func load(_ name: String, testFile: String = #filePath) throws -> Fixture {
        let folder = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures")
        return try Fixture(path: folder.appendingPathComponent(name).path)
    }

    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path), data.count >= 8 else {
            throw LoadError.unreadable(path)
        }
        let headerLength = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard 8 + headerLength <= data.count,
              let header = try JSONSerialization.jsonObject(with: data[8 ..< 8 + headerLength]) as? [String: Any]
        else { throw LoadError.malformed(path, "bad header") }
        let body = data[(8 + headerLength)...]
        var tensors: [String: FixtureTensor] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = entry as? [String: String] ?? [:]
                continue
            }
            guard let info = entry as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else { throw LoadError.malformed(path, "bad entry \(name)") }
            let start = body.startIndex + offsets[0], end = body.startIndex + offsets[1]
            guard start <= end, end <= body.endIndex else { throw LoadError.malformed(path, "\(name) out of range") }
            let bytes = Data(body[start ..< end])
            let values: [Double] = try bytes.withUnsafeBytes { raw in
                switch dtype {
                case "F32": return raw.bindMemory(to: Float.self).map(Double.init)
                case "F64": return Array(raw.bindMemory(to: Double.self))
                case "I32": return raw.bindMemory(to: Int32.self).map(Double.init)
                case "I64": return raw.bindMemory(to: Int64.self).map(Double.init)
                default: throw LoadError.malformed(path, "unsupported dtype \(dtype)")
                }
            }
            guard values.count == shape.reduce(1, *) else { throw LoadError.malformed(path, "\(name) size") }
            tensors[name] = FixtureTensor(shape: shape, values: values)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    public func tensor(_ name: String) throws -> FixtureTensor {
        guard let tensor = tensors[name] else { throw LoadError.missingTensor(path, name) }
        return tensor
    }

    /// Names of tensors that start with `prefix`, sorted, for fixtures holding one case per prefix.
    public func names(withPrefix prefix: String) -> [String] {
        tensors.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    public func int(_ key: String) -> Int? { metadata[key].flatMap { Int($0) } }
    public func double(_ key: String) -> Double? { metadata[key].flatMap { Double($0) } }
}
