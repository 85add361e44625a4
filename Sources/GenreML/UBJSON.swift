/// A UBJSON value (ubjson.org) of the form XGBoost saves its models in: objects, arrays with a
/// count, typed arrays of float32, uint8, int32 and int64, integers, float32 numbers and strings.
enum UBJSON: Equatable {
    case object([String: UBJSON])
    case array([UBJSON])
    case integer(Int64)
    case number(Float)
    case string(String)
    case floats([Float])
    case bytes([UInt8])
    case int32s([Int32])
    case int64s([Int64])

    /// Parses `bytes`, which must hold one value and nothing after it. XGBoost's own reader trusts
    /// every length it reads; this one checks each against the bytes left before it allocates
    /// anything, and limits nesting, so that damaged bytes are an error and never a crash or a
    /// runaway allocation.
    init(parsing bytes: [UInt8]) throws(ModelError) {
        var reader = UBJSONReader(bytes: bytes)
        self = try reader.value()
        guard reader.offset == bytes.count else { throw reader.error("bytes follow the model") }
    }
}

private struct UBJSONReader {
    let bytes: [UInt8]
    var offset = 0
    var depth = 0

    /// XGBoost's models nest five deep; the limit keeps the recursion from exhausting the stack.
    static let maximumDepth = 32

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ why: String) -> ModelError {
        .corruptState("the XGBoost model is not valid UBJSON: \(why) (byte \(offset) of \(bytes.count))")
    }

    mutating func value() throws(ModelError) -> UBJSON {
        let marker = try byte()
        switch marker {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error("nested too deep") }
            depth += 1
            defer { depth -= 1 }
            return marker == UInt8(ascii: "{") ? try object() : try array()
        case UInt8(ascii: "S"): return .string(try string())
        case UInt8(ascii: "i"): return .integer(Int64(Int8(bitPattern: try byte())))
        case UInt8(ascii: "U"): return .integer(Int64(try byte()))
        case UInt8(ascii: "I"): return .integer(Int64(try bigEndian(Int16.self)))
        case UInt8(ascii: "l"): return .integer(Int64(try bigEndian(Int32.self)))
        case UInt8(ascii: "L"): return .integer(try bigEndian(Int64.self))
        case UInt8(ascii: "d"): return .number(Float(bitPattern: try bigEndian(UInt32.self)))
        default: throw error("unexpected marker \(marker)")
        }
    }

    /// Keys are strings without the `S` marker, as in XGBoost's writer; a repeated key is refused,
    /// since XGBoost would keep the first and this the last.
    private mutating func object() throws(ModelError) -> UBJSON {
        var members: [String: UBJSON] = [:]
        while try peek() != UInt8(ascii: "}") {
            let key = try string()
            guard members.updateValue(try value(), forKey: key) == nil else { throw error("the key \(key) repeats") }
        }
        offset += 1
        return .object(members)
    }

    /// `[$<type>#L<count>` then the values, or `[#L<count>` then as many values.
    private mutating func array() throws(ModelError) -> UBJSON {
        guard try peek() == UInt8(ascii: "$") else {
            let count = try self.count(bytesEach: 1)
            var values: [UBJSON] = []
            values.reserveCapacity(count)
            for _ in 0 ..< count { values.append(try value()) }
            return .array(values)
        }
        offset += 1
        let type = try byte()
        switch type {
        case UInt8(ascii: "d"): return .floats(try typed(UInt32.self).map(Float.init(bitPattern:)))
        case UInt8(ascii: "U"): return .bytes(try typed(UInt8.self))
        case UInt8(ascii: "l"): return .int32s(try typed(Int32.self))
        case UInt8(ascii: "L"): return .int64s(try typed(Int64.self))
        default: throw error("unexpected typed array of \(type)")
        }
    }

    private mutating func typed<T: FixedWidthInteger>(_: T.Type) throws(ModelError) -> [T] {
        let count = try self.count(bytesEach: MemoryLayout<T>.size)
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0 ..< count { values.append(try bigEndian(T.self)) }
        return values
    }

    /// `#L<count>`: a count of values of at least `bytesEach` bytes, which the bytes left must hold.
    private mutating func count(bytesEach: Int) throws(ModelError) -> Int {
        guard try byte() == UInt8(ascii: "#"), try byte() == UInt8(ascii: "L") else { throw error("an array without a count") }
        let count = try bigEndian(Int64.self)
        guard count >= 0, count <= (bytes.count - offset) / bytesEach else { throw error("a count of \(count) past the end") }
        return Int(count)
    }

    /// `L<length>` then that many bytes of UTF-8.
    private mutating func string() throws(ModelError) -> String {
        guard try byte() == UInt8(ascii: "L") else { throw error("a string without a length") }
        let length = try bigEndian(Int64.self)
        guard length >= 0, length <= bytes.count - offset else { throw error("a string of \(length) bytes past the end") }
        let end = offset + Int(length)
        guard let text = String(validating: bytes[offset ..< end], as: UTF8.self) else { throw error("a string that is not UTF-8") }
        offset = end
        return text
    }

    private func peek() throws(ModelError) -> UInt8 {
        guard offset < bytes.count else { throw error("the model ends early") }
        return bytes[offset]
    }

    private mutating func byte() throws(ModelError) -> UInt8 {
        let value = try peek()
        offset += 1
        return value
    }

    private mutating func bigEndian<T: FixedWidthInteger>(_: T.Type) throws(ModelError) -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else { throw error("the model ends early") }
        var value: T = 0
        for byte in bytes[offset ..< offset + size] { value = value << 8 | T(byte) }
        offset += size
        return value
    }
}
