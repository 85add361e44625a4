import GenreSupport
import Hummingbird

/// Answers a path the service has, asked with a method it does not take, with 405 and `Allow`
/// (Hummingbird's router answers 404 for an unknown path and an unknown method alike).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each path's methods; filled in once every route is added, as the middleware must come first.
    let methods: Locked<[String: [String]]>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // A route's own 404 (a song not in the index) comes from a method the path takes.
            guard let allowed = methods.withLock({ $0[request.uri.path] }), !allowed.contains(request.method.rawValue) else { throw error }
            let allow = allowed.joined(separator: ", ")
            throw ServiceError(status: .methodNotAllowed, code: "method-not-allowed",
                               detail: "\(request.uri.path) takes \(allow), not \(request.method)", headers: [.allow: allow])
        }
    }

    /// The methods of each of `router`'s paths.
    static func methods(of router: Router<Context>) -> [String: [String]] {
        Dictionary(grouping: router.routes) { $0.path.description }.mapValues { $0.map(\.method.rawValue).sorted() }
    }
}
