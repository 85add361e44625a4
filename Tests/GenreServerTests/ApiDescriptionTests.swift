import Foundation
import GenreKit
import GenreLibrary
import GenreServer
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import Yams

/// What the service says about itself stays true: openapi.yaml lists exactly the routes the router
/// has, its schemas have exactly the keys real answers have, and /metrics counts what was served.
@Suite(.serialized) struct ApiDescriptionTests {
    /// With an (empty) library, so that every route is there.
    static func service() throws -> GenreService {
        try GenreService(bundle: try ModelBundle.embedded(), limits: ServiceLimits(),
                         library: try LibraryDatabase(path: emptyLibrary, create: true))
    }

    static let emptyLibrary = NSTemporaryDirectory() + "genrekit-api-tests-\(UUID().uuidString)/library.sqlite"

    /// The spec as the service serves it.
    static func spec(_ client: some TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/openapi.yaml", method: .get) { response in
            #expect(response.status == .ok && response.headers[.contentType] == "application/yaml")
            return try #require(try Yams.load(yaml: String(buffer: response.body)) as? [String: Any])
        }
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func theSpecListsEveryRouteAndNoOther() async throws {
        let service = try Self.service()
        let routes = Set(service.router().routes.map { "\($0.method.rawValue) \($0.path)" })
        try await Application(router: service.router()).test(.router) { client in
            let spec = try await Self.spec(client)
            let paths = try #require(spec["paths"] as? [String: [String: Any]])
            let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(described == routes)
        }
    }

    /// Every key an answer has is one its schema names, and every key the schema requires is
    /// there; with a timeline, every key the schema names is there too.
    @Test func answersHaveTheKeysTheSchemasName() async throws {
        let audio = try ServiceTests.body(ServiceTests.example)
        try await Application(router: try Self.service().router()).test(.router) { client in
            let spec = try await Self.spec(client)
            let schemas = try #require((spec["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
            func conforms(_ object: [String: Any], _ name: String, complete: Bool, _ uri: String) throws {
                let schema = try #require(schemas[name], "\(name)")
                let properties = Set(try #require(schema["properties"] as? [String: Any], "\(name)").keys)
                let required = Set(schema["required"] as? [String] ?? []), keys = Set(object.keys)
                #expect(keys.isSubset(of: properties) && required.isSubset(of: keys), "\(uri): \(keys.sorted()) against \(name)")
                #expect(!complete || keys == properties, "\(uri): \(keys.sorted()) against \(name)")
            }
            func check(_ uri: String, _ method: HTTPRequest.Method, body: ByteBuffer? = nil, _ schema: String,
                       complete: Bool = false, inside: (String, String)? = nil) async throws {
                try await client.execute(uri: uri, method: method, body: body) { response in
                    let answer = try Self.json(response)
                    try conforms(answer, schema, complete: complete, uri)
                    if let (key, itemSchema) = inside {
                        let first = try #require((answer[key] as? [[String: Any]])?.first, "\(uri) \(key)")
                        try conforms(first, itemSchema, complete: true, uri)
                    }
                }
            }
            try await check("/v1/classify?timeline=true", .post, body: audio, "GenreReport", complete: true, inside: ("windows", "GenreWindow"))
            try await check("/v1/classify", .post, body: audio, "GenreReport", inside: ("genres", "Genre"))
            try await check("/v1/tags?timeline=true&top=2", .post, body: audio, "TagReport", complete: true, inside: ("windows", "TagWindow"))
            try await check("/v1/tags", .post, body: audio, "TagReport", inside: ("tags", "Tag"))
            try await check("/v1/models", .get, "Models", complete: true, inside: nil)
            try await check("/v1/classify?top=0", .post, body: audio, "Error", complete: true)
        }
    }

    /// The spec's enumerations are the service's: aggregations, networks, error codes it documents.
    @Test func theSpecsValuesAreTheServices() async throws {
        try await Application(router: try Self.service().router()).test(.router) { client in
            let spec = try await Self.spec(client)
            let paths = try #require(spec["paths"] as? [String: [String: [String: Any]]])
            func values(_ path: String, _ parameter: String) throws -> [String] {
                let parameters = try #require(paths[path]?["post"]?["parameters"] as? [[String: Any]])
                let named = try #require(parameters.first { $0["name"] as? String == parameter })
                return try #require((named["schema"] as? [String: Any])?["enum"] as? [String])
            }
            #expect(try values("/v1/classify", "aggregation").sorted() == Aggregation.allCases.map(\.rawValue).sorted())
            #expect(try values("/v1/tags", "network").sorted() == TaggingNetworks.names.sorted())
        }
    }

    /// Including a known path asked with another method: 405 with `Allow`.
    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await Application(router: try Self.service().router()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/classify?top=0", method: .post, body: ByteBuffer(string: "x")) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/nowhere", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/classify", method: .get) { response in
                #expect(response.status == .methodNotAllowed && response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                for line in [#"genre_http_requests_total{route="/healthz",method="GET",status="200"} 1"#,
                             #"genre_http_requests_total{route="/v1/classify",method="POST",status="400"} 1"#,
                             #"genre_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
                             #"genre_http_requests_total{route="unmatched",method="GET",status="405"} 1"#,
                             #"genre_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 1"#,
                             "genre_analyses_running 0.0", "genre_analyses_queued 0.0"] {
                    #expect(text.split(separator: "\n").contains { $0 == line }, "\(line) in\n\(text)")
                }
            }
        }
    }

    @Test func thePageIsServedWholeWithItsFileInput() async throws {
        try await Application(router: try Self.service().router()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok && response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.contains(#"<input id="file" type="file""#) && page.contains("v1/classify") && page.contains("v1/tags"))
                // Self-contained: nothing fetched from another host.
                #expect(!page.contains("http://") && !page.contains("https://"))
            }
        }
    }
}
