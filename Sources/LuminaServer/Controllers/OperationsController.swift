import Foundation
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz` and `/metrics` for load balancers and Prometheus.
struct OperationsController: Sendable {
    let database: Database
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<LuminaRequestContext>) {
        router.get("healthz") { _, _ in try Response.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let ready = await database.ping()
            return try Response.json(["status": ready ? "ok" : "database_unavailable"], status: ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
