import Foundation
import GenreKit
import Hummingbird

/// A request the service cannot answer, as an HTTP status and a JSON body `{"error", "detail"}`:
/// `error` a stable code for programs, `detail` the sentence the command line would print.
struct ServiceError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let detail: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder.sorted.encode(["error": code, "detail": detail])
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func badQuery(_ detail: String) -> ServiceError { ServiceError(status: .badRequest, code: "bad-query", detail: detail) }

    static func badMultipart(_ detail: String) -> ServiceError {
        ServiceError(status: .badRequest, code: "bad-multipart", detail: "the multipart/form-data body cannot be read: \(detail)")
    }

    /// The audio's own fault (not audio, damaged, too long, too short): 422, saying why as the CLI
    /// does, of the upload by the name the client gave it (never the server's temporary file).
    static func unusableAudio(_ error: any Error, upload: String, name: String) -> ServiceError {
        let code = switch error {
        case AudioError.tooLong: "audio-too-long"
        case AudioError.emptyFile: "empty-upload"
        default: "unusable-audio"
        }
        return ServiceError(status: .unprocessableContent, code: code,
                            detail: "\(error)".replacingOccurrences(of: upload, with: name))
    }
}

extension JSONEncoder {
    /// The command line's JSON: sorted snake_case keys, slashes unescaped.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
