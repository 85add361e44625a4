import Foundation
import GenreKit
import GenreServer
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The API through Hummingbird's test client: answers as the command line gives them, and every
/// limit and bad input as its documented status with `{"error", "detail"}`.
/// Serialized: each test counts the temporary files uploads leave in the suite's upload folder.
@Suite(.serialized) struct ServiceTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Examples/awol-food.mp3").standardized.path

    static func app(_ change: (inout ServiceLimits) -> Void = { _ in }) throws -> some ApplicationProtocol {
        var limits = ServiceLimits()
        change(&limits)
        return Application(router: try GenreService(bundle: try ModelBundle.embedded(), limits: limits, uploadFolder: uploads).router())
    }

    static func body(_ path: String) throws -> ByteBuffer { ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func error(_ response: TestResponse) throws -> [String: String] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String])
    }

    /// This suite's own, so that other suites' uploads running alongside do not count.
    static let uploads: String = {
        let path = NSTemporaryDirectory() + "genrekit-service-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static var uploadsLeft: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []).filter { $0.hasPrefix("genrekit-upload-") }.count
    }

    @Test func classifyAnswersWhatTheCommandLineAnswers() async throws {
        let before = Self.uploadsLeft
        let expected = try JSONEncoder.sortedForTests.encode(
            SongReport(prediction: try GenreClassifier(bundle: try ModelBundle.embedded()).classify(Self.example), top: 3, timeline: true))
        try await Self.app().test(.router) { client in
            try await client.execute(uri: "/v1/classify?timeline=true&name=\(Self.example)", method: .post, body: try Self.body(Self.example)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(Data(response.body.readableBytesView) == expected + Data("\n".utf8))
            }
            try await client.execute(uri: "/v1/tags?network=MTT_musicnn&top=5", method: .post, body: try Self.body(Self.example)) { response in
                let song = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(response.status == .ok && song["network"] as? String == "MTT_musicnn" && (song["tags"] as? [Any])?.count == 5)
                #expect(song["path"] as? String == "upload")
            }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains("\"genres\":[\"blues\""))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
        #expect(Self.uploadsLeft == before)
    }

    @Test func badInputsAndLimitsGetTheirStatusAndAReason() async throws {
        let folder = try TemporaryFolder()
        try WAVWriter.tone(folder.file("four.wav"), seconds: 4, sampleRate: 22050)
        let four = try Self.body(folder.file("four.wav"))
        let before = Self.uploadsLeft
        try await Self.app { $0.maxUploadBytes = 200_000; $0.maxDurationSeconds = 2 }.test(.router) { client in
            let cases: [(String, ByteBuffer, HTTPResponse.Status, String, String)] = [
                ("/v1/classify", try Self.body(Self.example), .contentTooLarge, "upload-too-large", "limit of 0.2 MB"),
                ("/v1/classify", four, .unprocessableContent, "audio-too-long", "more than the limit of 2.0 s"),
                ("/v1/tags", four, .unprocessableContent, "audio-too-long", "limit"),
                ("/v1/classify", ByteBuffer(string: "<html>not found</html>"), .unprocessableContent, "unusable-audio", "not in any audio format"),
                ("/v1/classify", ByteBuffer(), .unprocessableContent, "empty-upload", "is empty"),
                ("/v1/classify?top=0", ByteBuffer(string: "x"), .badRequest, "bad-query", "top must be"),
                ("/v1/classify?aggregation=median", ByteBuffer(string: "x"), .badRequest, "bad-query", "aggregation must be"),
                ("/v1/tags?network=nope", ByteBuffer(string: "x"), .badRequest, "bad-query", "network must be"),
            ]
            for (uri, body, status, code, detail) in cases {
                try await client.execute(uri: uri, method: .post, body: body) { response in
                    let error = try Self.error(response)
                    #expect(response.status == status && error["error"] == code, "\(uri) \(code): \(error)")
                    #expect(error["detail"]?.contains(detail) == true, "\(uri) \(code): \(error)")
                    // The client's name for the upload, never the server's temporary file.
                    #expect(error["detail"]?.contains("genrekit-upload") == false, "\(error)")
                }
            }
        }
        #expect(Self.uploadsLeft == before)
    }

    /// A multipart/form-data body as a browser's form or `curl -F` sends it, `fields` before the file.
    static func multipart(_ audio: ByteBuffer, filename: String?, fields: [String: String] = [:],
                          boundary: String = "----genrekit-test") -> (HTTPFields, ByteBuffer) {
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        let file = filename.map { "; filename=\"\($0)\"" } ?? ""
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"\(file)\r\nContent-Type: audio/mpeg\r\n\r\n")
        body.writeImmutableBuffer(audio)
        body.writeString("\r\n--\(boundary)--\r\n")
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], body)
    }

    /// A file part answers as the same audio sent raw, named by its filename unless `name` says
    /// otherwise; the upload limit is the file's, and a body without a file says what is missing.
    @Test func multipartUploadsAnswerAsRawOnes() async throws {
        let audio = try Self.body(Self.example)
        let before = Self.uploadsLeft
        try await Self.app { $0.maxUploadBytes = audio.readableBytes }.test(.router) { client in
            let raw = try await client.execute(uri: "/v1/classify?timeline=true&name=awol-food.mp3", method: .post, body: audio) {
                Data($0.body.readableBytesView)
            }
            let (headers, body) = Self.multipart(audio, filename: "awol-food.mp3", fields: ["note": "a field before the file"])
            try await client.execute(uri: "/v1/classify?timeline=true", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .ok && Data(response.body.readableBytesView) == raw)
            }
            let (unnamedHeaders, unnamed) = Self.multipart(audio, filename: nil, boundary: "xyz")
            try await client.execute(uri: "/v1/tags?top=2&name=given.mp3", method: .post, headers: unnamedHeaders, body: unnamed) { response in
                let song = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(response.status == .ok && song["path"] as? String == "given.mp3")
            }
            var larger = audio
            larger.writeString("x")
            let (largerHeaders, largerBody) = Self.multipart(larger, filename: "big.mp3")
            let (noFileHeaders, noFile) = Self.multipart(ByteBuffer(string: "x"), filename: nil, boundary: "b")
            let cases: [(HTTPFields, ByteBuffer, HTTPResponse.Status, String, String)] = [
                (largerHeaders, largerBody, .contentTooLarge, "upload-too-large", "larger than the limit"),
                ([.contentType: "multipart/form-data; boundary=b"], ByteBuffer(string: String(decoding: noFile.readableBytesView, as: UTF8.self)
                    .replacingOccurrences(of: "name=\"file\"", with: "name=\"other\"")), .badRequest, "bad-multipart", "no part holds a file"),
                (noFileHeaders, ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nnever closed"),
                 .badRequest, "bad-multipart", "not closed"),
                ([.contentType: "multipart/form-data"], noFile, .badRequest, "bad-multipart", "no boundary"),
                ([.contentType: "multipart/form-data; boundary=elsewhere"], noFile, .badRequest, "bad-multipart", "does not contain its boundary"),
            ]
            for (headers, body, status, code, detail) in cases {
                try await client.execute(uri: "/v1/classify", method: .post, headers: headers, body: body) { response in
                    let error = try Self.error(response)
                    #expect(response.status == status && error["error"] == code, "\(code): \(error)")
                    #expect(error["detail"]?.contains(detail) == true, "\(code): \(error)")
                }
            }
        }
        #expect(Self.uploadsLeft == before)
    }

    /// One analysis at a time and no queue: of three at once, some are turned away with 503 and
    /// Retry-After; a timeout of a millisecond answers 504 (the work finishes unobserved).
    @Test func aBusyOrSlowServiceSaysSo() async throws {
        let before = Self.uploadsLeft
        try await Self.app { $0.maxRunning = 1; $0.maxQueued = 0 }.test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0 ..< 3 {
                    group.addTask {
                        try await client.execute(uri: "/v1/classify", method: .post, body: try Self.body(Self.example)) {
                            ($0.status, $0.headers[.retryAfter])
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.contains { $0.0 == .ok })
            #expect(statuses.contains { $0 == (.serviceUnavailable, "5") }, "\(statuses)")
        }
        try await Self.app { $0.timeoutSeconds = 0.001 }.test(.router) { client in
            try await client.execute(uri: "/v1/classify", method: .post, body: try Self.body(Self.example)) { response in
                let error = try Self.error(response)
                #expect(response.status == .gatewayTimeout && error["error"] == "timeout")
            }
        }
        // The timed-out analysis removes its upload when it ends.
        for _ in 0 ..< 300 where Self.uploadsLeft != before { try await Task.sleep(for: .milliseconds(100)) }
        #expect(Self.uploadsLeft == before)
    }
}

extension JSONEncoder {
    /// The service's JSON (and the command line's).
    static var sortedForTests: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
