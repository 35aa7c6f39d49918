import Foundation

/// A named unit of background work and when to run it.
public struct Job: Sendable {
    public var name: String
    public var schedule: Schedule
    /// Used by `JobContext.retrying` for the job's items; a failed run is not retried as a
    /// whole, the next fire is the retry.
    public var retry: RetryPolicy
    /// Run once on start-up when a fire was missed while no node was up (never a burst).
    public var runOnMissedFire: Bool
    public var work: @Sendable (JobContext) async throws -> Void

    public init(
        name: String, schedule: Schedule, retry: RetryPolicy = RetryPolicy(), runOnMissedFire: Bool = true,
        work: @escaping @Sendable (JobContext) async throws -> Void
    ) {
        self.name = name
        self.schedule = schedule
        self.retry = retry
        self.runOnMissedFire = runOnMissedFire
        self.work = work
    }
}

/// Receives run lifecycle events, e.g. for the server to broadcast to admins.
public protocol JobEventSink: Sendable {
    func jobStarted(_ run: JobRun) async
    func jobProgress(_ run: JobRun) async
    /// Also called for `skipped` runs, so every stored run is announced once.
    func jobFinished(_ run: JobRun) async
}

/// What the scheduler reports about one configured job.
public struct JobStatus: Sendable {
    public var name: String
    public var schedule: Schedule
    /// Nil when the schedule never fires again or the scheduler is not running.
    public var nextRunAt: Date?
    /// The run in progress on this node, if any, with its latest progress.
    public var running: JobRun?

    public init(name: String, schedule: Schedule, nextRunAt: Date?, running: JobRun?) {
        self.name = name
        self.schedule = schedule
        self.nextRunAt = nextRunAt
        self.running = running
    }
}

public enum SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownJob(String)
    case alreadyRunning(job: String, node: String)
    case shuttingDown
    /// The run log or lease store failed; the message is the underlying error.
    case storage(String)

    public var description: String {
        switch self {
        case let .unknownJob(name):
            return "there is no job named \"\(name)\""
        case let .alreadyRunning(job, node):
            return "job \"\(job)\" is already running on \(node)"
        case .shuttingDown:
            return "the scheduler is shutting down and starts no new runs"
        case let .storage(message):
            return "the run log or lease store failed: \(message)"
        }
    }
}
