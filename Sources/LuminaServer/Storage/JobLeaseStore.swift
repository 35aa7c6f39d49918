import Foundation
import JobScheduler
import SQLKit

/// Cluster leases in `job_leases`: one row per job, naming the node that runs it and until when.
///
/// Every claim runs in one transaction that locks the job's row (`SELECT ... FOR UPDATE` on
/// PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so when several nodes wake for the same fire exactly
/// one of them records it as claimed. The row also remembers the latest claimed fire time: a node
/// that arrives late for a fire another node took does nothing, not even a `skipped` run.
/// A node that dies keeps its lease only until `expires_at`; after that the next fire runs elsewhere.
struct JobLeaseStore: LeaseStore {
    let database: Database

    /// The "never" stored in a free row; real fires are always later.
    private static let distantPast = Date(timeIntervalSince1970: 0)

    func claim(job: String, fireTime: Date, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim {
        try await database.transaction { db in
            let current = try await lockedRow(job, in: db)
            if current.fireTime >= fireTime { return .alreadyClaimed }
            if current.isHeld(at: now) {
                try await db.update("job_leases").set("fire_time", to: SQLBind(fireTime)).where("job", .equal, SQLBind(job)).run()
                return .busy(holder: current.node)
            }
            try await abandonRuns(of: current, job: job, takenBy: node, now: now, in: db)
            return .acquired(try await take(job, node: node, fireTime: fireTime, ttl: ttl, now: now, in: db))
        }
    }

    func claimManual(job: String, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim {
        try await database.transaction { db in
            let current = try await lockedRow(job, in: db)
            if current.isHeld(at: now) { return .busy(holder: current.node) }
            try await abandonRuns(of: current, job: job, takenBy: node, now: now, in: db)
            return .acquired(try await take(job, node: node, fireTime: nil, ttl: ttl, now: now, in: db))
        }
    }

    func renew(_ lease: JobLease, ttl: TimeInterval, now: Date) async throws -> JobLease? {
        let expires = now.addingTimeInterval(ttl)
        let renewed = try await database.withConnection { db in
            try await db.update("job_leases").set("expires_at", to: SQLBind(expires))
                .where("job", .equal, SQLBind(lease.job)).where("node", .equal, SQLBind(lease.node))
                .returning("job").all().count
        }
        guard renewed == 1 else { return nil }
        var updated = lease
        updated.expiresAt = expires
        return updated
    }

    func release(_ lease: JobLease) async throws {
        try await database.withConnection { db in
            // Expire it now (acquired_at is in the past) but keep the fire time it claimed.
            try await db.update("job_leases").set("expires_at", to: SQLColumn("acquired_at"))
                .where("job", .equal, SQLBind(lease.job)).where("node", .equal, SQLBind(lease.node)).run()
        }
    }

    private struct Row {
        let fireTime: Date
        let node: String
        let expiresAt: Date
        func isHeld(at now: Date) -> Bool { !node.isEmpty && expiresAt > now }
    }

    /// The job's lease row, created free if missing, locked until the transaction ends.
    private func lockedRow(_ job: String, in db: any SQLDatabase) async throws -> Row {
        try await db.insert(into: "job_leases")
            .columns("job", "fire_time", "node", "acquired_at", "expires_at")
            .values(SQLBind(job), SQLBind(Self.distantPast), SQLBind(""), SQLBind(Self.distantPast), SQLBind(Self.distantPast))
            .ignoringConflicts(with: "job")
            .run()
        var select = db.select().columns("fire_time", "node", "expires_at").from("job_leases").where("job", .equal, SQLBind(job))
        if database.engine == .postgres { select = select.for(.update) }
        let row = try await select.first()!
        return Row(fireTime: try row.decode(column: "fire_time", as: Date.self), node: try row.decode(column: "node", as: String.self),
                   expiresAt: try row.decode(column: "expires_at", as: Date.self))
    }

    /// A lease that expired while its node still had a run `running` means that node died (or
    /// hung) mid-run: the run can no longer finish, so it is closed as `interrupted` where the
    /// admin will look for it, in the same transaction that hands the job to the next node.
    private func abandonRuns(of previous: Row, job: String, takenBy node: String, now: Date, in db: any SQLDatabase) async throws {
        guard !previous.node.isEmpty, previous.node != node else { return }
        try await db.update("job_runs")
            .set("status", to: SQLBind("interrupted"))
            .set("finished_at", to: SQLBind(now))
            .set("error", to: SQLBind("\(previous.node) stopped renewing its lease (the node died or hung); \(node) took the job over"))
            .where("job", .equal, SQLBind(job)).where("node", .equal, SQLBind(previous.node))
            .where("status", .equal, SQLBind("running"))
            .run()
    }

    private func take(_ job: String, node: String, fireTime: Date?, ttl: TimeInterval, now: Date, in db: any SQLDatabase) async throws -> JobLease {
        let expires = now.addingTimeInterval(ttl)
        var update = db.update("job_leases").set("node", to: SQLBind(node)).set("acquired_at", to: SQLBind(now))
            .set("expires_at", to: SQLBind(expires))
        if let fireTime { update = update.set("fire_time", to: SQLBind(fireTime)) }
        try await update.where("job", .equal, SQLBind(job)).run()
        return JobLease(job: job, node: node, fireTime: fireTime, expiresAt: expires)
    }
}
