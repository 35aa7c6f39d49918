import Foundation
import Logging
import ServiceLifecycle

/// Housekeeping that keeps tables and the data directory from growing without bound: expired
/// sessions, job runs older than the retention period and uploads abandoned mid-way go hourly.
struct MaintenanceService: Service {
    let sessions: SessionStore
    let runs: JobRunStore
    let runRetention: TimeInterval
    let uploads: UploadService
    let uploadExpiry: TimeInterval
    let interval: Duration
    let schema: SchemaReadiness
    let logger: Logger

    func run() async throws {
        // A fresh data directory has no tables until the migrations in `beforeServerStarts` ran.
        guard await cancelWhenGracefulShutdown({ await schema.wait() }) else { return }
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
                let expired = try await uploads.expire(before: Date().addingTimeInterval(-uploadExpiry))
                if expired > 0 { logger.info("unfinished uploads expired", metadata: ["uploads": "\(expired)"]) }
            } catch {
                logger.warning("unfinished uploads not expired", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
