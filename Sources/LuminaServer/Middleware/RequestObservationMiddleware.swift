import Foundation
import Hummingbird
import Logging
import Metrics

/// One structured access-log line and the Prometheus request metrics per request.
///
/// Labels use the matched route template (`/api/v1/dashboards/{id}`), never the raw path, so ids do not
/// explode the number of series; unmatched paths count as `unmatched`.
struct RequestObservationMiddleware: RouterMiddleware {
    typealias Context = LuminaRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Errors are rendered by ErrorMiddleware inside this one; anything reaching here is unexpected.
            record(request, context: context, status: 500, start: start)
            throw error
        }
        record(request, context: context, status: Int(response.status.code), start: start)
        return response
    }

    private func record(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        let dimensions = [("route", route), ("method", request.method.rawValue), ("status", String(status))]
        Counter(label: "lumina_http_requests_total", dimensions: dimensions).increment()
        Timer(label: "lumina_http_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(Int64(seconds * 1e9))
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
            "status": "\(status)", "duration_ms": "\(String(format: "%.2f", seconds * 1000))",
            "address": "\(context.remoteAddress)",
        ])
    }
}
