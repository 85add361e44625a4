import Foundation

/// A CSV file read whole (RFC 4180: quoted fields may hold commas, quotes and line breaks), with
/// columns found by header name. Rows shorter than the header are padded with empty fields.
struct CSVFile {
    let path: String
    /// Column names; with several header rows (FMA's `tracks.csv`), `group.field`.
    let header: [String]
    /// Data rows with their 1-based line numbers in the file, for error messages.
    let numberedRows: [(line: Int, fields: [String])]

    init(path: String, headerRows: Int = 1) throws(DatasetError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path)
                ? "not a readable file" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        var records = Self.parse(text)
        guard records.count >= headerRows else { throw .empty(path: path, reason: "the file has no header") }
        let headers = records.prefix(headerRows).map { $0.fields.map { $0.trimmingCharacters(in: .whitespaces) } }
        records.removeFirst(headerRows)
        // pandas writes a multi-row header's index name on a row of its own (`track_id,,,`).
        if headerRows > 1, let first = records.first, first.fields.dropFirst().allSatisfy(\.isEmpty) {
            records.removeFirst()
        }
        let width = headers.map(\.count).max() ?? 0
        header = (0 ..< width).map { column in
            headers.map { column < $0.count ? $0[column] : "" }.filter { !$0.isEmpty }.joined(separator: ".")
        }
        numberedRows = records.map { record in
            (record.line, record.fields + Array(repeating: "", count: max(0, width - record.fields.count)))
        }
    }

    var rows: [[String]] { numberedRows.map(\.fields) }

    func column(_ name: String, or alias: String? = nil) throws(DatasetError) -> Int {
        guard let index = optionalColumn(name, or: alias) else { throw .missingColumn(path: path, column: name) }
        return index
    }

    func optionalColumn(_ name: String, or alias: String? = nil) -> Int? {
        let names = [name, alias].compactMap { $0?.lowercased() }
        return header.firstIndex { names.contains($0.lowercased()) }
    }

    /// Records of `text` with the line each starts on; blank lines are skipped.
    static func parse(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, closedQuote = false, line = 1, recordLine = 1
        func endRecord() {
            fields.append(field)
            if fields.count > 1 || !fields[0].isEmpty { records.append((recordLine, fields)) }
            fields = []
            field = ""
        }
        for character in text {
            if quoted {
                if character == "\"" { quoted = false; closedQuote = true } else { field.append(character) }
                if character == "\n" || character == "\r\n" { line += 1 }
                continue
            }
            switch character {
            case "\"":
                // `""` inside a quoted field is one quote: the first closed the quoting, this reopens it.
                if closedQuote { field.append("\"") }
                quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default: field.append(character)
            }
            closedQuote = false
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
