import Foundation
import JobScheduler
import SQLKit

/// The scheduler's run log in the database: one `job_runs` row per run, its bounded log as JSON.
struct JobRunStore: RunLog {
    let database: Database

    func insert(_ run: JobRun) async throws -> JobRun {
        let id = try await database.withConnection { db in
            try await db.insert(into: "job_runs")
                .columns("job", "trigger", "node", "status", "scheduled_for", "started_at", "finished_at", "duration_ms",
                         "items_done", "items_total", "error", "log")
                .values(SQLBind(run.job), SQLBind(run.trigger.rawValue), SQLBind(run.node), SQLBind(run.status.rawValue),
                        SQLBind(run.scheduledFor), SQLBind(run.startedAt), SQLBind(run.finishedAt), SQLBind(run.durationMs),
                        SQLBind(run.itemsDone), SQLBind(run.itemsTotal), SQLBind(run.error), SQLBind(try Self.encodeLog(run.log)))
                .returning("id").first()!.decode(column: "id", as: Int64.self)
        }
        var inserted = run
        inserted.id = id
        return inserted
    }

    func update(_ run: JobRun) async throws {
        try await database.withConnection { db in
            try await db.update("job_runs")
                .set("status", to: SQLBind(run.status.rawValue))
                .set("finished_at", to: SQLBind(run.finishedAt))
                .set("duration_ms", to: SQLBind(run.durationMs))
                .set("items_done", to: SQLBind(run.itemsDone))
                .set("items_total", to: SQLBind(run.itemsTotal))
                .set("error", to: SQLBind(run.error))
                .set("log", to: SQLBind(try Self.encodeLog(run.log)))
                .where("id", .equal, SQLBind(run.id))
                .run()
        }
    }

    func run(id: Int64) async throws -> JobRun? {
        try await database.withConnection { db in
            try await db.select().column("*").from("job_runs").where("id", .equal, SQLBind(id)).first().map(Self.decode)
        }
    }

    func runs(_ query: RunQuery) async throws -> [JobRun] {
        try await database.withConnection { db in
            try await filtered(db.select().column("*").from("job_runs"), query, includeBefore: true)
                .orderBy("id", .descending).limit(max(1, min(query.limit, 500))).all().map(Self.decode)
        }
    }

    /// How many runs match `query`'s filters (all pages), for the list's `count`.
    func count(_ query: RunQuery) async throws -> Int {
        try await database.withConnection { db in
            try await filtered(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("job_runs"), query,
                               includeBefore: false)
                .first()!.decode(column: "n", as: Int.self)
        }
    }

    private func filtered(_ select: SQLSelectBuilder, _ query: RunQuery, includeBefore: Bool) -> SQLSelectBuilder {
        var select = select
        if let job = query.job { select = select.where("job", .equal, SQLBind(job)) }
        if let status = query.status { select = select.where("status", .equal, SQLBind(status.rawValue)) }
        if let since = query.since { select = select.where("started_at", .greaterThanOrEqual, SQLBind(since)) }
        if let until = query.until { select = select.where("started_at", .lessThan, SQLBind(until)) }
        if includeBefore, let before = query.beforeID { select = select.where("id", .lessThan, SQLBind(before)) }
        return select
    }

    func lastRun(job: String) async throws -> JobRun? {
        try await database.withConnection { db in
            try await db.select().column("*").from("job_runs").where("job", .equal, SQLBind(job))
                .orderBy("id", .descending).limit(1).first().map(Self.decode)
        }
    }

    func lastScheduledFire(job: String) async throws -> Date? {
        try await database.withConnection { db in
            try await db.select().column(SQLFunction("MAX", args: SQLColumn("scheduled_for")), as: "fire")
                .from("job_runs").where("job", .equal, SQLBind(job))
                .where("trigger", .in, [RunTrigger.schedule.rawValue, RunTrigger.startup.rawValue])
                .first()?.decode(column: "fire", as: Date?.self)
        }
    }

    func markAbandoned(node: String, at date: Date) async throws -> Int {
        try await database.withConnection { db in
            let rows = try await db.update("job_runs")
                .set("status", to: SQLBind(RunStatus.interrupted.rawValue))
                .set("finished_at", to: SQLBind(date))
                .set("error", to: SQLBind("the node stopped while the run was in progress"))
                .where("node", .equal, SQLBind(node)).where("status", .equal, SQLBind(RunStatus.running.rawValue))
                .returning("id").all()
            return rows.count
        }
    }

    func purge(olderThan date: Date) async throws -> Int {
        try await database.withConnection { db in
            try await db.delete(from: "job_runs").where("started_at", .lessThan, SQLBind(date))
                .where("status", .notEqual, SQLBind(RunStatus.running.rawValue))
                .returning("id").all().count
        }
    }

    private static func encodeLog(_ lines: [RunLogLine]) throws -> String {
        String(decoding: try JSONEncoder.lumina.encode(lines), as: UTF8.self)
    }

    private static func decode(_ row: any SQLRow) throws -> JobRun {
        let logText = try row.decode(column: "log", as: String.self)
        let log = (try? JSONDecoder.lumina.decode([RunLogLine].self, from: Data(logText.utf8))) ?? []
        return JobRun(
            id: try row.decode(column: "id", as: Int64.self),
            job: try row.decode(column: "job", as: String.self),
            trigger: RunTrigger(rawValue: try row.decode(column: "trigger", as: String.self)) ?? .schedule,
            node: try row.decode(column: "node", as: String.self),
            status: RunStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            scheduledFor: try row.decode(column: "scheduled_for", as: Date?.self),
            startedAt: try row.decode(column: "started_at", as: Date.self),
            finishedAt: try row.decode(column: "finished_at", as: Date?.self),
            durationMs: try row.decode(column: "duration_ms", as: Int64?.self),
            itemsDone: try row.decode(column: "items_done", as: Int.self),
            itemsTotal: try row.decode(column: "items_total", as: Int?.self),
            error: try row.decode(column: "error", as: String?.self),
            log: log
        )
    }
}
