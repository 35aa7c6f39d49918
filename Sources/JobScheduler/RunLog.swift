import Foundation

/// A filter over stored runs; results are newest first.
public struct RunQuery: Sendable, Hashable {
    public var job: String?
    public var status: RunStatus?
    /// Runs started at or after this instant.
    public var since: Date?
    /// Runs started before this instant.
    public var until: Date?
    public var limit: Int
    /// Keyset pagination: only runs with a smaller id than this.
    public var beforeID: Int64?

    public init(job: String? = nil, status: RunStatus? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 50, beforeID: Int64? = nil) {
        self.job = job
        self.status = status
        self.since = since
        self.until = until
        self.limit = limit
        self.beforeID = beforeID
    }

    public func matches(_ run: JobRun) -> Bool {
        if let job, run.job != job { return false }
        if let status, run.status != status { return false }
        if let since, run.startedAt < since { return false }
        if let until, run.startedAt >= until { return false }
        if let beforeID, run.id >= beforeID { return false }
        return true
    }
}

/// Durable history of job runs, shared by all nodes of a cluster. The scheduler also reads it
/// back to find fires that were missed while no node was up.
public protocol RunLog: Sendable {
    /// Stores a new run and returns it with its id set.
    func insert(_ run: JobRun) async throws -> JobRun
    /// Replaces a stored run (progress, log lines, final status).
    func update(_ run: JobRun) async throws
    func run(id: Int64) async throws -> JobRun?
    /// Newest first.
    func runs(_ query: RunQuery) async throws -> [JobRun]
    func lastRun(job: String) async throws -> JobRun?
    /// The latest `scheduledFor` over the job's runs triggered by `.schedule` or `.startup`, of any status.
    func lastScheduledFire(job: String) async throws -> Date?
    /// Runs of `node` still `running` (left by a crash) become `interrupted` with
    /// `RunLogMessages.abandoned`; returns how many.
    func markAbandoned(node: String, at: Date) async throws -> Int
    /// Deletes finished runs started before `olderThan`; returns how many.
    func purge(olderThan: Date) async throws -> Int
}

/// Fixed texts stored in runs, shared with other `RunLog` implementations so every backend
/// reports the same words.
public enum RunLogMessages {
    public static let abandoned = "the node stopped while the run was in progress"
    public static let shutdown = "interrupted by shutdown"
    public static let leaseLost = "the cluster lease was lost, so another node may run this job"
    public static func stillRunning(on node: String) -> String {
        "previous run still in progress on \(node)"
    }
}
