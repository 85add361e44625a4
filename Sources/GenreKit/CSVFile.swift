import Foundation

/// A CSV file read whole (RFC 4180: quoted fields may hold commas, quotes and line breaks), with
/// columns found by header name. A record shorter than the header reads as if padded with empty
/// fields.
struct CSVFile {
    let path: String
    /// Column names; with several header rows (FMA's `tracks.csv`), `group.field`.
    let header: [String]
    /// The data records, in file order.
    let records: [Record]

    init(path: String, headerRows: Int = 1) throws(DatasetError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path)
                ? "not a readable file" : "no such file")
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        var records = try CSVText.records(of: data, path: path)
        guard records.count >= headerRows else { throw .empty(path: path, reason: "the file has no header") }
        let headers = records.prefix(headerRows).map { record in
            (0 ..< record.count).map { record[$0].trimmingCharacters(in: .whitespaces) }
        }
        records.removeFirst(headerRows)
        // pandas writes a multi-row header's index name on a row of its own (`track_id,,,`).
        if headerRows > 1, let first = records.first, (0 ..< first.count).dropFirst().allSatisfy({ first[$0].isEmpty }) {
            records.removeFirst()
        }
        let width = headers.map(\.count).max() ?? 0
        header = (0 ..< width).map { column in
            headers.map { column < $0.count ? $0[column] : "" }.filter { !$0.isEmpty }.joined(separator: ".")
        }
        self.records = records
    }

    func column(_ name: String, or alias: String? = nil) throws(DatasetError) -> Int {
        guard let index = optionalColumn(name, or: alias) else { throw .missingColumn(path: path, column: name) }
        return index
    }

    func optionalColumn(_ name: String, or alias: String? = nil) -> Int? {
        let names = [name, alias].compactMap { $0?.lowercased() }
        return header.firstIndex { names.contains($0.lowercased()) }
    }

    /// One record: its fields, read from the file's text only when asked for.
    struct Record {
        /// The 1-based line the record starts on, for error messages.
        let line: Int
        fileprivate let text: CSVText
        /// The record's fields: indices into `text`'s fields.
        fileprivate let fields: Range<Int>

        /// How many fields the record has (it may be fewer than the header's columns).
        var count: Int { fields.count }

        /// Field `column`, or "" past the record's end.
        subscript(column: Int) -> String {
            column < count ? String(decoding: text.bytes[text.range(of: fields.lowerBound + column)], as: UTF8.self) : ""
        }

        /// Field `column` as a number, as `Float(String)` reads it; nil past the record's end.
        func float(_ column: Int) -> Float? {
            guard column < count else { return nil }
            return text.bytes.withUnsafeBufferPointer { bytes in
                DecimalText.float(UnsafeBufferPointer(rebasing: bytes[text.range(of: fields.lowerBound + column)]))
            }
        }
    }
}

/// The fields of a CSV text, unquoted, one after another in one buffer: parsing rewrites the file's
/// bytes in place (a field never takes more bytes than it did in the file), so a 30 MB table makes
/// no String and no array per field.
private final class CSVText {
    let bytes: [UInt8]
    /// Where each field ends in `bytes`; it starts where the one before ends.
    let fieldEnds: [Int]

    private init(bytes: [UInt8], fieldEnds: [Int]) {
        self.bytes = bytes
        self.fieldEnds = fieldEnds
    }

    func range(of field: Int) -> Range<Int> {
        (field == 0 ? 0 : fieldEnds[field - 1]) ..< fieldEnds[field]
    }

    /// The records of `data`; blank lines are skipped. Quoting is lenient: a quote anywhere in a
    /// field starts a quoted part, and `""` inside one is a quote. A quoted part still open at the
    /// end of the file is an error (it would have swallowed every record after it), named by the
    /// line of its record.
    static func records(of data: Data, path: String) throws(DatasetError) -> [CSVFile.Record] {
        var bytes = [UInt8](data)
        var parser = Parser()
        bytes.withUnsafeMutableBufferPointer { parser.parse($0) }
        if let line = parser.unclosedQuoteLine {
            throw .malformedRow(path: path, line: line, reason: "a quoted field is not closed before the end of the file")
        }
        bytes.removeLast(bytes.count - parser.written)
        let text = CSVText(bytes: bytes, fieldEnds: parser.fieldEnds)
        return parser.records.map { CSVFile.Record(line: $0.line, text: text, fields: $0.fields) }
    }

    /// The state of one pass over the bytes.
    private struct Parser {
        var fieldEnds: [Int] = []
        var records: [(line: Int, fields: Range<Int>)] = []
        /// Bytes of unquoted field text written so far, at the buffer's start.
        var written = 0
        var unclosedQuoteLine: Int?
        private var line = 1, recordLine = 1
        private var recordStart = 0, fieldStart = 0

        mutating func parse(_ b: UnsafeMutableBufferPointer<UInt8>) {
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
            var quoted = false, closedQuote = false
            var i = 0
            // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of the first column's name.
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            while i < b.count {
                let byte = b[i]
                i += 1
                if quoted {
                    if byte == quote {
                        quoted = false
                        closedQuote = true
                    } else {
                        b[written] = byte
                        written += 1
                        // CR LF counts once, at its LF.
                        if byte == lf || (byte == cr && (i == b.count || b[i] != lf)) { line += 1 }
                    }
                    continue
                }
                switch byte {
                case quote:
                    // `""` inside a quoted field is one quote: the first closed the quoting, this reopens it.
                    if closedQuote {
                        b[written] = quote
                        written += 1
                    }
                    quoted = true
                case comma:
                    endField()
                case lf, cr:
                    if byte == cr, i < b.count, b[i] == lf { i += 1 }
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    b[written] = byte
                    written += 1
                }
                closedQuote = false
            }
            if quoted { unclosedQuoteLine = recordLine }
            if written > fieldStart || fieldEnds.count > recordStart { endRecord() }
        }

        private mutating func endField() {
            fieldEnds.append(written)
            fieldStart = written
        }

        /// Ends the record, or drops it if it is a blank line (one empty field).
        private mutating func endRecord() {
            let empty = written == fieldStart
            endField()
            if fieldEnds.count - recordStart == 1 && empty {
                fieldEnds.removeLast()
            } else {
                records.append((recordLine, recordStart ..< fieldEnds.count))
            }
            recordStart = fieldEnds.count
        }
    }
}
