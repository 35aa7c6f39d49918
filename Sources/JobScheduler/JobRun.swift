import Foundation

/// What started a run.
public enum RunTrigger: String, Sendable, Codable {
    case schedule, manual, startup
}

public enum RunStatus: String, Sendable, Codable {
    case running, succeeded, failed, interrupted, skipped
}

/// One line of a run's own log, kept with the run so admins can read why it failed
/// without access to the server's log files.
public struct RunLogLine: Sendable, Codable, Hashable {
    public var at: Date
    /// "debug", "info", "notice", "warning" or "error".
    public var level: String
    public var message: String

    public init(at: Date, level: String, message: String) {
        self.at = at
        self.level = level
        self.message = message
    }
}

/// One execution (or skipped fire) of a job, as stored in the `RunLog`.
public struct JobRun: Sendable, Codable, Hashable {
    /// Assigned by the `RunLog` on insert; 0 before.
    public var id: Int64
    public var job: String
    public var trigger: RunTrigger
    /// The node that ran (or skipped) it.
    public var node: String
    public var status: RunStatus
    /// The fire time this run belongs to; nil for manual runs.
    public var scheduledFor: Date?
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationMs: Int64?
    public var itemsDone: Int
    public var itemsTotal: Int?
    public var error: String?
    /// Bounded by the scheduler: the first and last lines are kept with a marker between them.
    public var log: [RunLogLine]

    public init(
        id: Int64 = 0, job: String, trigger: RunTrigger, node: String, status: RunStatus = .running,
        scheduledFor: Date? = nil, startedAt: Date, finishedAt: Date? = nil, durationMs: Int64? = nil,
        itemsDone: Int = 0, itemsTotal: Int? = nil, error: String? = nil, log: [RunLogLine] = []
    ) {
        self.id = id
        self.job = job
        self.trigger = trigger
        self.node = node
        self.status = status
        self.scheduledFor = scheduledFor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.itemsDone = itemsDone
        self.itemsTotal = itemsTotal
        self.error = error
        self.log = log
    }

    /// Sets the final status with `finishedAt` and `durationMs` derived from `at`.
    public mutating func finish(_ status: RunStatus, at: Date, error: String? = nil) {
        self.status = status
        self.finishedAt = at
        self.durationMs = Int64((max(0, at.timeIntervalSince(startedAt)) * 1000).rounded())
        if let error { self.error = error }
    }
}
