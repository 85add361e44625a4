import Foundation
import Hummingbird
import Prometheus

/// What `GET /metrics` tells Prometheus: requests by route, method and status, their latency, and
/// the analyses running and queued. A registry of its own per service (not swift-metrics' global
/// one, which a process can set only once).
final class ServiceMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let running: Gauge, queued: Gauge
    /// Latency buckets from a health check (under a millisecond) to a long song's analysis.
    private static let buckets: [Duration] = [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map { .milliseconds(Int($0 * 1000)) }

    init() {
        running = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "genre", metricName: "analyses_running", unitName: "", helpText: "Analyses running now."))
        queued = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "genre", metricName: "analyses_queued", unitName: "", helpText: "Analyses waiting for a slot."))
    }

    /// Counts a finished request and its latency, by the route it matched.
    func record(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let labels = [("route", route), ("method", method.rawValue), ("status", String(status.code))]
        registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "genre", metricName: "http_requests", unitName: "total", helpText: "Requests answered, by route, method and status."),
            labels: labels).increment()
        registry.makeDurationHistogram(descriptor: MetricNameDescriptor(
            namespace: "genre", metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer a request."),
            labels: labels, buckets: Self.buckets).record(ContinuousClock.now - start)
    }

    /// The Prometheus text format, with the gate's load as it is now.
    func exposition(load: (running: Int, queued: Int)) -> String {
        running.set(Double(load.running))
        queued.set(Double(load.queued))
        return registry.emitToString()
    }
}

/// Times every request, including those that end in an error; requests that match no route are
/// counted as `unmatched` (their paths are the client's to choose, too many to label by).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        func record(_ status: HTTPResponse.Status) {
            // Hummingbird names the route of an unknown path "NotFound".
            let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
            metrics.record(route: route, method: request.method, status: status, since: start)
        }
        do {
            let response = try await next(request, context)
            record(response.status)
            return response
        } catch {
            record((error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }
}
