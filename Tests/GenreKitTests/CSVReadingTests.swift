import Foundation
import GenreKit
import Testing
import TestSupport

/// How manifests and feature tables read CSV: RFC 4180 quoting, line ends, empty fields, the line
/// an error names, and numbers exactly as `Float(String)` reads them.
@Suite struct CSVReadingTests {
    let root: TemporaryFolder

    init() throws { root = try TemporaryFolder() }

    private func write(_ text: String, to name: String) throws -> String {
        try text.write(toFile: root.file(name), atomically: true, encoding: .utf8)
        return root.file(name)
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let manifest = """
            path,label,artist
            "/m/a, b.mp3",rock,"The ""Quoted"" Band"
            /m/c.mp3,jazz,"two
            lines"
            "/m/d.mp3",pop,
            """
        let dataset = try AudioDataset(manifest: try write(manifest, to: "m.csv"))
        #expect(dataset.tracks.map(\.path) == ["/m/a, b.mp3", "/m/c.mp3", "/m/d.mp3"])
        #expect(dataset.tracks.map(\.group) == ["The \"Quoted\" Band", "two\nlines", "d"])

        // The line break inside quotes counts: the record after it starts on line 6.
        let broken = try write(manifest + "\n,pop,x\n", to: "n.csv")
        #expect(throws: DatasetError.malformedRow(path: broken, line: 6, reason: "empty path or label")) {
            try AudioDataset(manifest: broken)
        }
    }

    @Test func crlfLineEndsAndBlankLinesCountAsLines() throws {
        let path = try write("path,label\r\n/a.mp3,rock\r\n\r\n/b.mp3,pop\r\n", to: "m.csv")
        let dataset = try AudioDataset(manifest: path)
        #expect(dataset.tracks.map(\.label) == ["rock", "pop"])
        #expect(dataset.tracks.map(\.path) == ["/a.mp3", "/b.mp3"])

        let broken = try write("path,label\r\n/a.mp3,rock\r\n\r\n/b.mp3,\r\n", to: "n.csv")
        #expect(throws: DatasetError.malformedRow(path: broken, line: 4, reason: "empty path or label")) {
            try AudioDataset(manifest: broken)
        }
    }

    /// Empty fields stay empty, a record shorter than the header reads as padded, and an empty
    /// feature is not a number.
    @Test func emptyFieldsAndShortRecords() throws {
        let manifest = try write("path,label,group,split\n/a.mp3,rock,,train\n/b.mp3,pop\n", to: "m.csv")
        let dataset = try AudioDataset(manifest: manifest)
        #expect(dataset.tracks.map(\.group) == ["a", "b"])   // no group: the track is its own
        #expect(dataset.tracks.map(\.split) == ["train", nil])

        try expectNotANumber("filename,a,b,label\nx.wav,1,2,rock\ny.wav,3,,rock\n", line: 3, field: "", column: "b")
        try expectNotANumber("filename,label,a,b\nx.wav,rock,1,2\ny.wav,rock,3\n", line: 3, field: "", column: "b")
    }

    @Test func badNumberNamesItsLineAndColumn() throws {
        try expectNotANumber("filename,a,b,label\n\"x.wav\",1,2,rock\n\ny.wav,3,1.5x,rock\n", line: 4, field: "1.5x", column: "b")
        for text in ["nan", "inf", "-infinity", "1e39", "1,5", "0x", "--1", "1e", ".", "1.2.3", " 1"] where Float(text)?.isFinite != true {
            try expectNotANumber("filename,a,label\nx.wav,\"\(text)\",rock\n", line: 2, field: text, column: "a")
        }
    }

    /// Reading `table` fails with the error that names `line`, `field` and `column`.
    private func expectNotANumber(_ table: String, line: Int, field: String, column: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try write(table, to: "t.csv")
        let error = DatasetError.malformedRow(path: path, line: line, reason: "'\(field)' in column \(column) is not a finite number")
        #expect(throws: error, sourceLocation: sourceLocation) { try FeatureDataset(table: path) }
    }

    @Test func unclosedQuoteNamesTheLineItOpensOn() throws {
        let path = try write("path,label\n/a.mp3,rock\n/b.mp3,\"pop\n/c.mp3,jazz\n", to: "m.csv")
        #expect(throws: DatasetError.malformedRow(path: path, line: 3, reason: "a quoted field is not closed before the end of the file")) {
            try AudioDataset(manifest: path)
        }
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstColumnName() throws {
        let path = root.file("bom.csv")
        try Data([0xEF, 0xBB, 0xBF] + Array("path,label\n/a.mp3,rock\n".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(try AudioDataset(manifest: path).tracks.map(\.path) == ["/a.mp3"])
    }

    /// Decimal texts of every shape a table holds (1 to 25 digits, a point anywhere, exponents,
    /// signs), numbers within a hair of a tie between two Floats, and spellings only the library
    /// reads: each gives the Float that `Float(String)` gives, to the bit.
    @Test func numbersReadAsFloatStringReadsThem() throws {
        var generator = SplitMix(seed: 13)
        var texts = ["+1.5", "1.", ".5", "-0", "-0.0", "0", "007", "1e5", "1E-5", "2.5e+3", "0x1p-3", "1e-40",
                     "3.4028235e38", "3.4028236e38", "1.1754944e-38", "123456789012345678901234567890",
                     "0.000000000000000000000000123", "16777217", "16777219"]
        for _ in 0 ..< 20_000 {
            let digits = String((0 ..< 1 + Int(generator.next() % 25)).map { _ in Character(String(generator.next() % 10)) })
            let point = Int(generator.next() % UInt64(digits.count + 1))
            var text = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
            if text.hasSuffix(".") && generator.next() % 2 == 0 { text.removeLast() }
            if generator.next() % 3 == 0 { text += "e" + String(Int(generator.next() % 61) - 30) }
            if generator.next() % 2 == 0 { text = "-" + text }
            texts.append(text)
        }
        for _ in 0 ..< 2_000 {
            // The midpoint of a Float (between 2^-20 and 2^40) and the next one up, exact in a
            // Double, then just below and above it.
            let exponent = UInt32(107 + generator.next() % 61), fraction = UInt32(generator.next() % (1 << 23))
            let float = Float(bitPattern: exponent << 23 | fraction)
            let tie = (Double(float) + Double(float.nextUp)) / 2
            texts += [tie.description, tie.nextDown.description, tie.nextUp.description]
        }
        let readable = texts.filter { Float($0)?.isFinite == true }
        #expect(readable.count > 20_000)
        var csv = "filename,a,label\n"
        for (row, text) in readable.enumerated() { csv += "r\(row).wav,\(text),x\n" }
        let dataset = try FeatureDataset(table: try write(csv, to: "numbers.csv"))
        let mismatches = zip(readable, dataset.x.values).filter { Float($0)!.bitPattern != $1.bitPattern }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
