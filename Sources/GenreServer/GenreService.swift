import Foundation
import GenreKit
import GenreLibrary
import GenreSupport
import Hummingbird

/// The HTTP API over the classifier and the taggers (`genre serve`): version 1.
///
/// ```
/// POST /v1/classify?top=3&timeline=true&aggregation=mean   body: audio in any format the CLI reads,
/// POST /v1/tags?network=MSD_musicnn&top=10&timeline=true         raw or as a multipart/form-data file
/// GET  /v1/models    GET /healthz    GET /metrics    GET /openapi.yaml    GET / (the page)
/// GET  /v1/library/... (with a library database: `LibraryRoutes`)
/// ```
/// Answers are the command line's JSON (`genre classify --format json`'s elements); errors are
/// `{"error": code, "detail": sentence}` with 400 (a bad query), 413 (upload over the limit), 422
/// (audio that cannot be used, naming why), 503 with Retry-After (busy) or 504 (too slow).
public struct GenreService: Sendable {
    public let limits: ServiceLimits
    let classifier: GenreClassifier
    let gate: AnalysisGate
    let metrics = ServiceMetrics()
    /// Where uploads wait for FFmpeg, each in a file of its own for the length of its request.
    let uploadFolder: String

    /// The library's routes, with `--db`.
    let library: LibraryRoutes?

    public init(bundle: ModelBundle, limits: ServiceLimits, uploadFolder: String = NSTemporaryDirectory(),
                library: LibraryDatabase? = nil) throws {
        self.limits = limits
        self.uploadFolder = uploadFolder
        self.library = library.map(LibraryRoutes.init)
        classifier = try GenreClassifier(bundle: bundle, maxDurationSeconds: limits.maxDurationSeconds)
        gate = AnalysisGate(maxRunning: limits.maxRunning, maxQueued: limits.maxQueued)
    }

    /// The routes, for an `Application` or a test client.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let methods = Locked<[String: [String]]>([:])
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: MethodNotAllowedMiddleware(methods: methods))
        router.get("/") { _, _ in try resource("index.html", type: "text/html; charset=utf-8") }
        router.get("openapi.yaml") { _, _ in try resource("openapi.yaml", type: "application/yaml") }
        router.get("metrics") { [metrics, gate] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition(load: await gate.load))))
        }
        router.get("healthz") { _, _ in "ok\n" }
        router.get("v1/models") { _, _ in try json(models) }
        router.post("v1/classify") { request, _ in
            let query = try Query(request, defaultTop: 3)
            let aggregation = try request.uri.queryParameters["aggregation"].map { name in
                guard let method = Aggregation(rawValue: String(name)) else {
                    throw ServiceError.badQuery("aggregation must be one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
                }
                return method
            }
            let prediction = try await analyse(request, query: query) { [classifier] path in
                try classifier.classify(path, aggregation: aggregation)
            }
            return try json(SongReport(prediction: prediction, top: query.top, timeline: query.timeline))
        }
        router.post("v1/tags") { request, _ in
            let query = try Query(request, defaultTop: 10)
            let name = request.uri.queryParameters["network"].map(String.init) ?? "MSD_musicnn"
            guard TaggingNetworks.names.contains(name) else {
                throw ServiceError.badQuery("network must be one of \(TaggingNetworks.names.joined(separator: ", ")), got \(name)")
            }
            let tagger = SongTagger(network: try TaggingNetworks.named(name), maxDurationSeconds: limits.maxDurationSeconds)
            let prediction = try await analyse(request, query: query) { path in try tagger.tags(path) }
            return try json(SongReport(prediction: prediction, top: query.top, timeline: query.timeline, labels: .tags(network: name)))
        }
        library?.add(to: router)
        methods.withLock { $0 = MethodNotAllowedMiddleware.methods(of: router) }
        return router
    }

    /// What `GET /v1/models` lists: the classifier's genres and windows, and the taggers.
    var models: [String: [String: [String]]] {
        ["classifier": ["genres": classifier.bundle.classes, "feature_set": [classifier.bundle.featureSet]],
         "taggers": ["networks": TaggingNetworks.names]]
    }

    /// Collects the upload (up to the limit), waits for a turn, and runs `work` on it in a file of
    /// its own, which is removed when the work ends, whatever happens to the request. The upload is
    /// the body, or a multipart body's file part (whose filename names it unless `name` does).
    private func analyse(_ request: Request, query: Query,
                         _ work: @escaping @Sendable (String) throws -> SongPrediction) async throws -> SongPrediction {
        var request = request
        let boundary = MultipartFile.boundary(contentType: request.headers[.contentType])
        let tooLarge = ServiceError(status: .contentTooLarge, code: "upload-too-large",
                                    detail: "the upload is larger than the limit of \(String(format: "%g", Double(limits.maxUploadBytes) / 1e6)) MB (--max-upload-mb)")
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limits.maxUploadBytes + (boundary == nil ? 0 : Self.multipartEnvelopeBytes))
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        }
        let audio: Data, name: String
        if let boundary {
            let file = try MultipartFile(body, boundary: boundary)
            guard file.bytes.count <= limits.maxUploadBytes else { throw tooLarge }
            audio = file.bytes
            name = query.name ?? file.filename.flatMap { $0.isEmpty ? nil : $0 } ?? "upload"
        } else {
            audio = Data(body.readableBytesView)
            name = query.name ?? "upload"
        }
        let upload = try Upload(audio, name: name, folder: uploadFolder)
        guard await gate.enter() else {
            upload.remove()
            throw ServiceError(status: .serviceUnavailable, code: "busy",
                               detail: "every analysis slot and queue place is taken; try again shortly", headers: [.retryAfter: "5"])
        }
        let outcome = try await finishing(within: limits.timeoutSeconds) { [gate] in
            defer {
                upload.remove()
                Task { await gate.leave() }
            }
            return Result { try work(upload.path) }
        }
        switch outcome {
        case .success(let prediction): return prediction.named(name)
        case .failure(let error as AudioError): throw ServiceError.unusableAudio(error, upload: upload.path, name: name)
        case .failure(let error as FeatureError): throw ServiceError.unusableAudio(error, upload: upload.path, name: name)
        case .failure(let error as MusicnnInputError): throw ServiceError.unusableAudio(error, upload: upload.path, name: name)
        case .failure(let error): throw error
        }
    }

    /// What a multipart body may hold beyond its file: boundaries, part headers, small form fields.
    static let multipartEnvelopeBytes = 64 * 1024

    /// `work` on a thread of its own (analysis is long CPU work, which must not hold the threads
    /// that serve requests); its result, or a 504 after `seconds` (the work then ends unobserved).
    private func finishing<T: Sendable>(within seconds: Double, _ work: @escaping @Sendable () -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let answered = Locked(false)
            let answer: @Sendable (Result<T, any Error>) -> Void = { result in
                if answered.withLock({ done in defer { done = true }; return !done }) { continuation.resume(with: result) }
            }
            Thread.detachNewThread { answer(.success(work())) }
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                answer(.failure(ServiceError(status: .gatewayTimeout, code: "timeout",
                                             detail: "the analysis took longer than \(Int(seconds)) s (--timeout)")))
            }
        }
    }
}

/// The query every analysis takes: `top`, `timeline`, and `name` (the path the answer names).
private struct Query {
    let top: Int
    let timeline: Bool
    let name: String?

    init(_ request: Request, defaultTop: Int) throws {
        let parameters = request.uri.queryParameters
        guard let top = parameters["top"].map({ Int(String($0)) }) ?? defaultTop, top >= 1 else {
            throw ServiceError.badQuery("top must be a whole number of at least 1, got \(parameters["top"] ?? "")")
        }
        let timeline = parameters["timeline"].map(String.init) ?? "false"
        guard ["true", "false", "1", "0"].contains(timeline) else {
            throw ServiceError.badQuery("timeline must be true or false, got \(timeline)")
        }
        self.top = top
        self.timeline = timeline == "true" || timeline == "1"
        name = parameters["name"].map(String.init)
    }
}

/// An upload in a temporary file of its own (FFmpeg reads files), removed by `remove`.
private final class Upload: Sendable {
    let path: String

    init(_ audio: Data, name: String, folder: String) throws {
        // The extension helps FFmpeg guess formats without a header (raw AAC, say); the name is never a path.
        let suffix = URL(fileURLWithPath: name).pathExtension.filter { $0.isLetter || $0.isNumber }.prefix(8)
        path = (folder as NSString).appendingPathComponent("genrekit-upload-" + UUID().uuidString + (suffix.isEmpty ? "" : ".\(suffix)"))
        guard FileManager.default.createFile(atPath: path, contents: audio, attributes: [.posixPermissions: 0o600]) else {
            throw ServiceError(status: .internalServerError, code: "storage", detail: "the upload could not be stored in \(folder)")
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A file the service ships (the page, the API's description), read per request: small, and
/// served rarely.
private func resource(_ name: String, type: String) throws -> Response {
    let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
    guard let path = Resources.path(name, module: "GenreServer", sourceFolder: sources), let contents = FileManager.default.contents(atPath: path) else {
        throw ServiceError(status: .internalServerError, code: "missing-resource", detail: "\(name) is missing from the installation")
    }
    return Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(bytes: contents)))
}

func json(_ value: some Encodable) throws -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"],
             body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder.sorted.encode(value) + Data("\n".utf8))))
}
