/// Edits in place of a UBJSON document as XGBoost writes its models, for tests that damage one on
/// purpose: keys are an `L`, a big-endian 8-byte length and the bytes.
public enum UBJSONEdit {
    /// `document` with `bytes` written from `offset` bytes after the first key `key`; nil when the
    /// key is absent. A typed int32 array's values start 13 bytes after its key (`[$l#L` and an
    /// 8-byte count).
    public static func replacing(_ document: [UInt8], after key: String, at offset: Int, with bytes: [UInt8]) -> [UInt8]? {
        let name = [UInt8(ascii: "L")] + bigEndian(Int64(key.utf8.count)) + Array(key.utf8)
        guard document.count >= name.count,
              let start = (0 ... document.count - name.count).first(where: { document[$0 ..< $0 + name.count].elementsEqual(name) }),
              start + name.count + offset + bytes.count <= document.count
        else { return nil }
        var edited = document
        edited.replaceSubrange(start + name.count + offset ..< start + name.count + offset + bytes.count, with: bytes)
        return edited
    }

    public static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0 ..< MemoryLayout<T>.size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
