import Foundation

/// A safetensors file that does not hold what was asked of it.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(source: String)
    case truncated(source: String, reason: String)
    case malformedHeader(source: String, reason: String)
    case unsupportedDType(source: String, tensor: String, dtype: String)
    case badExtent(source: String, tensor: String, reason: String)
    case missingTensor(source: String, tensor: String)
    case shapeMismatch(source: String, tensor: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .unreadable(let source): "cannot read safetensors file \(source)"
        case .truncated(let source, let reason): "safetensors file \(source) is truncated: \(reason)"
        case .malformedHeader(let source, let reason): "safetensors file \(source) has a malformed header: \(reason)"
        case .unsupportedDType(let source, let tensor, let dtype):
            "safetensors file \(source): tensor '\(tensor)' is \(dtype); GenreNN reads F32 only (convert it with safetensors in Python)"
        case .badExtent(let source, let tensor, let reason): "safetensors file \(source): tensor '\(tensor)' \(reason)"
        case .missingTensor(let source, let tensor): "safetensors file \(source) has no tensor '\(tensor)'; is it for this model?"
        case .shapeMismatch(let source, let tensor, let expected, let found):
            "safetensors file \(source): tensor '\(tensor)' has shape \(found) but the model needs \(expected); is it for this model?"
        }
    }
}

/// Named F32 tensors and string metadata in the safetensors format of Hugging Face's `safetensors`:
/// an 8-byte little-endian header length, a JSON header giving each tensor's dtype, shape and byte
/// range (`data_offsets`) and an optional `__metadata__` map, then the raw little-endian data.
public struct SafetensorsFile: Equatable, Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]
    /// Tensors of other dtypes, by name, with their dtype: read past, not loaded (PyTorch's int64
    /// `num_batches_tracked` sits beside the batch-norm weights of every checkpoint).
    public private(set) var otherDTypes: [String: String] = [:]

    /// The header size that Python's `safetensors` refuses beyond (100 MB).
    static let maximumHeaderBytes = 100_000_000

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SafetensorsError.unreadable(source: url.path)
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses the bytes of a file; `source` names it in errors.
    public init(data: Data, source: String = "<data>") throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(source: source, reason: "\(bytes.count) bytes, fewer than the 8 of the header length")
        }
        let headerLength = bytes[0 ..< 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw SafetensorsError.malformedHeader(source: source, reason: "header length \(headerLength) is implausible")
        }
        let bodyStart = 8 + Int(headerLength)
        guard bodyStart <= bytes.count else {
            throw SafetensorsError.truncated(source: source, reason: "the header needs \(headerLength) bytes, \(bytes.count - 8) are there")
        }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8 ..< bodyStart])) } catch {
            throw SafetensorsError.malformedHeader(source: source, reason: "not JSON")
        }
        guard let header = json as? [String: Any] else {
            throw SafetensorsError.malformedHeader(source: source, reason: "not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var otherDTypes: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                guard let map = entry as? [String: String] else {
                    throw SafetensorsError.malformedHeader(source: source, reason: "__metadata__ is not a map of strings")
                }
                metadata = map
                continue
            }
            if let dtype = (entry as? [String: Any])?["dtype"] as? String, dtype != "F32" {
                otherDTypes[name] = dtype
                continue
            }
            tensors[name] = try Self.tensor(name, entry: entry, bytes: bytes, bodyStart: bodyStart, source: source)
        }
        self.tensors = tensors
        self.metadata = metadata
        self.otherDTypes = otherDTypes
    }

    private static func tensor(_ name: String, entry: Any, bytes: [UInt8], bodyStart: Int, source: String) throws -> Tensor {
        guard let info = entry as? [String: Any], info["dtype"] is String,
              let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
        else {
            throw SafetensorsError.malformedHeader(source: source, reason: "entry '\(name)' lacks dtype, shape or data_offsets")
        }
        guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw SafetensorsError.badExtent(source: source, tensor: name, reason: "has shape \(shape) and data_offsets \(offsets)")
        }
        // Multiplied with checks: the header's numbers can be anything, and an overflow would trap.
        let count = shape.reduce(Optional(1)) { product, dimension in
            product.flatMap { product in
                let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
                return overflow || next > Int.max / 4 ? nil : next
            }
        }
        guard let count, offsets[1] - offsets[0] == count * 4 else {
            throw SafetensorsError.badExtent(source: source, tensor: name,
                                             reason: "has shape \(shape) (\(count.map { "\($0 * 4)" } ?? "too many") bytes) but data_offsets \(offsets)")
        }
        guard offsets[1] <= bytes.count - bodyStart else {
            throw SafetensorsError.truncated(source: source, reason: "tensor '\(name)' ends at byte \(offsets[1]) of the data, which has \(bytes.count - bodyStart)")
        }
        let start = bodyStart + offsets[0]
        let scalars = (0 ..< count).map { i in
            let at = start + 4 * i
            let bits = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            return Float(bitPattern: bits)
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The tensor called `name`, which must have `shape`.
    public func tensor(_ name: String, shape: [Int], source: String = "") throws -> Tensor {
        guard let tensor = tensors[name] else {
            if let dtype = otherDTypes[name] { throw SafetensorsError.unsupportedDType(source: source, tensor: name, dtype: dtype) }
            throw SafetensorsError.missingTensor(source: source, tensor: name)
        }
        guard tensor.shape == shape else {
            throw SafetensorsError.shapeMismatch(source: source, tensor: name, expected: shape, found: tensor.shape)
        }
        return tensor
    }

    /// The bytes as Python's `safetensors` writes them: metadata first, tensors in name order with
    /// consecutive data, the header padded with spaces to a multiple of 8 bytes.
    public func data() -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + 4 * tensor.count)]}")
            offset += 4 * tensor.count
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var bytes = littleEndianBytes(UInt64(header.count)) + header
        bytes.reserveCapacity(bytes.count + offset)
        for name in names {
            for value in tensors[name]!.scalars { bytes += littleEndianBytes(value.bitPattern) }
        }
        return Data(bytes)
    }

    public func write(to url: URL) throws {
        try data().write(to: url, options: .atomic)
    }
}

private func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0 ..< T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// A JSON string literal escaped as serde_json (which Python's `safetensors` uses) escapes it:
/// quote, backslash and control characters only, everything else as UTF-8.
private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
