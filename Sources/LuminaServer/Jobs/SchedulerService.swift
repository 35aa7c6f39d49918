import JobScheduler
import ServiceLifecycle

/// Runs the job scheduler once the schema exists (a fresh database has no `job_runs` table until
/// the migrations in `beforeServerStarts` ran).
struct SchedulerService: Service {
    let scheduler: JobScheduler
    let schema: SchemaReadiness

    func run() async throws {
        guard (try? await cancelWhenGracefulShutdown({ await schema.wait() })) == true else { return }
        try await scheduler.run()
    }
}
