import Foundation
import Logging
import ServiceLifecycle

/// Housekeeping that keeps tables from growing without bound: expired sessions and job runs older
/// than the retention period are deleted hourly.
struct MaintenanceService: Service {
    let sessions: SessionStore
    let runs: JobRunStore
    let runRetention: TimeInterval
    let interval: Duration
    let schema: SchemaReadiness
    let logger: Logger

    func run() async throws {
        // A fresh data directory has no tables until the migrations in `beforeServerStarts` ran.
        guard (try? await cancelWhenGracefulShutdown({ await schema.wait() })) == true else { return }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await sessions.purgeExpired()
            } catch {
                logger.warning("expired sessions not purged", metadata: ["error": "\(error)"])
            }
            do {
                let removed = try await runs.purge(olderThan: Date().addingTimeInterval(-runRetention))
                if removed > 0 { logger.info("old job runs removed", metadata: ["runs": "\(removed)"]) }
            } catch {
                logger.warning("old job runs not purged", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
