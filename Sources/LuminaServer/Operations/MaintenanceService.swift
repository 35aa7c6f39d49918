import Foundation
import Logging
import ServiceLifecycle

/// Housekeeping that keeps tables from growing without bound: expired sessions are deleted hourly.
struct MaintenanceService: Service {
    let sessions: SessionStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await sessions.purgeExpired()
            } catch {
                logger.warning("expired sessions not purged", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
