import JobScheduler
import Logging
import ServiceLifecycle

/// Runs the job scheduler once the schema exists (a fresh database has no `job_runs` table until
/// the migrations in `beforeServerStarts` ran), and redoes cleaning a crash interrupted.
struct SchedulerService: Service {
    let scheduler: JobScheduler
    let schema: SchemaReadiness
    let dueWork: DueWorkStore
    let logger: Logger

    func run() async throws {
        guard await cancelWhenGracefulShutdown({ await schema.wait() }) else { return }
        // A dataset left `cleaning` by a crash is cleaned again at once, not an hour later.
        if let stuck = try? await dueWork.datasetsToClean(), stuck.contains(where: { $0.status == "cleaning" }) {
            let scheduler = self.scheduler, logger = self.logger
            Task {
                do {
                    _ = try await scheduler.runNow(LuminaJobs.dataCleaning, trigger: .startup)
                } catch {
                    logger.info("interrupted cleaning is left to the running job", metadata: ["reason": "\(error)"])
                }
            }
        }
        try await scheduler.run()
    }
}
