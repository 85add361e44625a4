import ArgumentParser
import Foundation
import GenreKit
import GenreLibrary
import GenreServer
import Hummingbird

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the classifier and the taggers over HTTP.",
        discussion: """
            POST audio (the raw body or a multipart file) to /v1/classify or /v1/tags (query: top, \
            timeline, aggregation, network) for the JSON 'genre classify --format json' gives; GET \
            /v1/models, /healthz, /metrics (Prometheus), /openapi.yaml; / is a page to drop a song on. \
            With --db, /v1/library/songs, /similar, /playlists/GENRE.m3u8 and /audio serve an indexed library. \
            Listens on loopback unless --host says otherwise. SIGTERM or Ctrl-C lets requests in \
            flight finish.
            """)

    @Option(help: "The address to listen on (0.0.0.0: every interface).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: ArgumentHelp("A model bundle made by 'genre train' (default: the model shipped with GenreKit).", valueName: "file"),
            completion: .file(extensions: ["genremodel"]))
    var bundle: String?

    @Option(name: .customLong("max-upload-mb"), help: ArgumentHelp("The largest upload accepted, in MB (larger: 413).", valueName: "MB"))
    var maxUploadMB = 50

    @Option(name: .customLong("max-duration"), help: ArgumentHelp(
        "The longest audio accepted, in seconds or with a unit (90m) (longer: 422).", valueName: "duration"))
    var maxDuration = DurationLimit(seconds: 3600)

    @Option(help: ArgumentHelp("Analyses run at once (default: one per core); as many more wait four deep per slot, the rest get 503.",
                               valueName: "count"))
    var analyses: Int?

    @Option(help: ArgumentHelp("Seconds one request may take (longer: 504).", valueName: "seconds"))
    var timeout = 120.0

    @Option(help: ArgumentHelp("A library database made by 'genre library scan': serves its songs, similar songs, playlists and audio under /v1/library.",
                               valueName: "file"))
    var db: String?

    func validate() throws {
        guard (1 ... 65535).contains(port) else { throw ValidationError("--port must be 1 to 65535, got \(port)") }
        guard maxUploadMB >= 1 else { throw ValidationError("--max-upload-mb must be at least 1, got \(maxUploadMB)") }
        if let analyses, analyses < 1 { throw ValidationError("--analyses must be at least 1, got \(analyses)") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") }
    }

    func run() async throws {
        let model = try bundle.map { path throws(BundleError) in try ModelBundle(contentsOf: path) } ?? ModelBundle.embedded()
        var limits = ServiceLimits()
        limits.maxUploadBytes = maxUploadMB * 1_000_000
        limits.maxDurationSeconds = maxDuration.seconds
        if let analyses {
            limits.maxRunning = analyses
            limits.maxQueued = 4 * analyses
        }
        limits.timeoutSeconds = timeout
        let service = try GenreService(bundle: model, limits: limits, library: try db.map { path throws(LibraryError) in
            try LibraryDatabase(path: path, create: false)
        })
        let app = Application(router: service.router(), configuration: .init(address: .hostname(host, port: port), serverName: "genre"))
        report("serving on http://\(host):\(port)/ (Ctrl-C stops)")
        try await app.runService()
    }
}
