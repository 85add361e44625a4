import Foundation
import Hummingbird

/// The file part of a `multipart/form-data` body (RFC 7578), as a browser's form or `curl -F
/// file=@song.mp3` sends it: the first part with a `filename`, or else the part named `file`.
struct MultipartFile {
    let filename: String?
    let bytes: Data

    /// The boundary a `multipart/form-data` Content-Type names; nil for any other type.
    static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.first?.lowercased() == "multipart/form-data" else { return nil }
        return fields.dropFirst().lazy.compactMap { field in
            field.lowercased().hasPrefix("boundary=") ? unquoted(field.dropFirst("boundary=".count)) : nil
        }.first ?? ""
    }

    init(_ body: ByteBuffer, boundary: String) throws(ServiceError) {
        guard !boundary.isEmpty else { throw .badMultipart("the Content-Type names no boundary") }
        let body = Data(body.readableBytesView)
        let delimiter = Data("--\(boundary)".utf8), separator = Data("\r\n\r\n".utf8)
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw .badMultipart("the body does not contain its boundary")
        }
        var named: MultipartFile?
        // Each part: its delimiter, CRLF, headers, a blank line, content up to CRLF and the next delimiter.
        while body[cursor...].starts(with: Data("\r\n".utf8)) {
            guard let headersEnd = body.range(of: separator, in: cursor ..< body.endIndex),
                  let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headersEnd.upperBound ..< body.endIndex) else {
                throw .badMultipart("a part is not closed by the boundary")
            }
            let headers = String(decoding: body[cursor ..< headersEnd.lowerBound], as: UTF8.self)
            let disposition = Self.disposition(headers)
            let part = MultipartFile(filename: disposition["filename"], bytes: body[headersEnd.upperBound ..< next.lowerBound])
            if part.filename != nil { self = part; return }
            if disposition["name"] == "file" { named = part }
            cursor = next.upperBound
        }
        guard let named else {
            throw .badMultipart("no part holds a file (send the audio as a part with a filename, as curl -F file=@song.mp3 does)")
        }
        self = named
    }

    private init(filename: String?, bytes: Data) {
        self.filename = filename
        self.bytes = bytes
    }

    /// The parameters of a part's Content-Disposition (`form-data; name="file"; filename="a.mp3"`).
    private static func disposition(_ headers: String) -> [String: String] {
        let line = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") } ?? ""
        return Dictionary(line.split(separator: ";").dropFirst().compactMap { parameter -> (String, String)? in
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            return (pair[0].trimmingCharacters(in: .whitespaces).lowercased(), unquoted(pair[1]))
        }, uniquingKeysWith: { first, _ in first })
    }

    private static func unquoted(_ value: Substring) -> String {
        let value = value.trimmingCharacters(in: .whitespaces)
        return value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
    }
}
