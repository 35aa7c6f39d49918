import Foundation
import JobScheduler

/// A run as the contract spells it in JSON (`GET /api/v1/jobs/runs`, `job_started`, `job_finished`).
struct JobRunView: Codable, Sendable {
    let id: Int64
    let job: String
    let trigger: String
    let node: String
    let status: String
    let scheduledFor: Date?
    let startedAt: Date
    let finishedAt: Date?
    let durationMs: Int64?
    /// Items done; `items_total` says how many were due (nil while unknown).
    let items: Int
    let itemsTotal: Int?
    let error: String?
    let log: [RunLogLine]

    init(_ run: JobRun) {
        id = run.id
        job = run.job
        trigger = run.trigger.rawValue
        node = run.node
        status = run.status.rawValue
        scheduledFor = run.scheduledFor
        startedAt = run.startedAt
        finishedAt = run.finishedAt
        durationMs = run.durationMs
        items = run.itemsDone
        itemsTotal = run.itemsTotal
        error = run.error
        log = run.log
    }

    enum CodingKeys: String, CodingKey {
        case id, job, trigger, node, status, items, error, log
        case scheduledFor = "scheduled_for", startedAt = "started_at", finishedAt = "finished_at"
        case durationMs = "duration_ms", itemsTotal = "items_total"
    }

    /// Absent values are written as `null`, so every run has the same keys.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(job, forKey: .job)
        try c.encode(trigger, forKey: .trigger)
        try c.encode(node, forKey: .node)
        try c.encode(status, forKey: .status)
        try c.encode(scheduledFor, forKey: .scheduledFor)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(items, forKey: .items)
        try c.encode(itemsTotal, forKey: .itemsTotal)
        try c.encode(error, forKey: .error)
        try c.encode(log, forKey: .log)
    }
}

/// A job as `GET /api/v1/jobs` lists it.
struct JobView: Codable, Sendable {
    let name: String
    let schedule: String
    let nextRunAt: Date?
    let running: JobRunView?
    let lastRun: JobRunView?

    enum CodingKeys: String, CodingKey {
        case name, schedule, running
        case nextRunAt = "next_run_at", lastRun = "last_run"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(nextRunAt, forKey: .nextRunAt)
        try c.encode(running, forKey: .running)
        try c.encode(lastRun, forKey: .lastRun)
    }
}
