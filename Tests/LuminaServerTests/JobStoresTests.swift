import Foundation
import JobScheduler
import LuminaTestSupport
import Testing
@testable import LuminaServer

/// The run log and the cluster leases as the database stores them (SQLite and PostgreSQL).
@Suite("job run log and leases in the database") struct JobStoresTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func leasesGrantEachFireOnceAndExpireWithTheirHolder() async throws {
        try await TestServer.run { client in
            let leases = JobLeaseStore(database: client.services.database)
            let fire = Self.t0
            let first = try await leases.claim(job: "backup", fireTime: fire, node: "a", ttl: 60, now: fire)
            guard case .acquired(let lease) = first else { throw TestFailure("a should own the first fire: \(first)") }
            #expect(lease.node == "a")
            // The same fire seen late by another node: already taken, not even a skip to record.
            #expect(try await leases.claim(job: "backup", fireTime: fire, node: "b", ttl: 60, now: fire.addingTimeInterval(1)) == .alreadyClaimed)
            // The next fire while a still runs: b is told who holds it.
            let next = fire.addingTimeInterval(30)
            #expect(try await leases.claim(job: "backup", fireTime: next, node: "b", ttl: 60, now: next) == .busy(holder: "a"))
            #expect(try await leases.claim(job: "backup", fireTime: next, node: "c", ttl: 60, now: next) == .alreadyClaimed)
            #expect(try await leases.claimManual(job: "backup", node: "b", ttl: 60, now: next) == .busy(holder: "a"))
            // Renewing keeps it; a node that is not the holder cannot renew.
            let renewed = try #require(try await leases.renew(lease, ttl: 60, now: next))
            #expect(renewed.expiresAt == next.addingTimeInterval(60))
            #expect(try await leases.renew(JobLease(job: "backup", node: "b", fireTime: nil, expiresAt: next), ttl: 60, now: next) == nil)
            // a stops renewing (dies): after its lease expires, the next fire goes to b.
            let later = next.addingTimeInterval(61)
            guard case .acquired(let taken) = try await leases.claim(job: "backup", fireTime: later, node: "b", ttl: 60, now: later) else {
                throw TestFailure("b should take the expired lease")
            }
            #expect(try await leases.renew(lease, ttl: 60, now: later) == nil)
            // Released: free at once for a manual run elsewhere.
            try await leases.release(taken)
            guard case .acquired = try await leases.claimManual(job: "backup", node: "c", ttl: 60, now: later.addingTimeInterval(1)) else {
                throw TestFailure("a released lease should be free")
            }
        }
    }

    @Test func runLogStoresFiltersAndClosesRuns() async throws {
        try await TestServer.run { client in
            let log = JobRunStore(database: client.services.database)
            func run(_ job: String, _ status: RunStatus, trigger: RunTrigger = .schedule, node: String = "n1", at offset: TimeInterval,
                     fire: Date? = nil) -> JobRun {
                JobRun(id: 0, job: job, trigger: trigger, node: node, status: status, scheduledFor: fire,
                       startedAt: Self.t0.addingTimeInterval(offset), finishedAt: nil, durationMs: nil, itemsDone: 0,
                       itemsTotal: nil, error: nil, log: [])
            }
            var first = try await log.insert(run("backup", .running, at: 0, fire: Self.t0))
            #expect(first.id > 0)
            first.status = .failed
            first.error = "disk full on /data"
            first.finishedAt = Self.t0.addingTimeInterval(2)
            first.durationMs = 2_000
            first.itemsDone = 3
            first.itemsTotal = 10
            first.log = [RunLogLine(at: Self.t0, level: "error", message: "disk full on /data")]
            try await log.update(first)
            let stored = try #require(try await log.run(id: first.id))
            #expect(stored.status == .failed && stored.error == "disk full on /data" && stored.itemsTotal == 10 && stored.durationMs == 2_000)
            #expect(stored.log.map(\.message) == ["disk full on /data"])
            #expect(stored.scheduledFor == Self.t0)

            _ = try await log.insert(run("backup", .succeeded, trigger: .manual, at: 3600))
            _ = try await log.insert(run("backup", .running, trigger: .startup, node: "n2", at: 7200, fire: Self.t0.addingTimeInterval(7200)))
            _ = try await log.insert(run("export", .running, at: 7300))
            #expect(try await log.runs(RunQuery(job: "backup")).count == 3)
            #expect(try await log.runs(RunQuery(job: "backup", status: .failed)).map(\.id) == [first.id])
            #expect(try await log.lastScheduledFire(job: "backup") == Self.t0.addingTimeInterval(7200))
            #expect(try await log.lastScheduledFire(job: "nothing") == nil)
            #expect(try await log.lastRun(job: "backup")?.node == "n2")

            // A restart of n1 closes what it left running; n2's run is untouched.
            #expect(try await log.markAbandoned(node: "n1", at: Self.t0.addingTimeInterval(8000)) == 1)
            #expect(try await log.runs(RunQuery(job: "export")).first?.status == .interrupted)
            #expect(try await log.runs(RunQuery(job: "backup", status: .running)).count == 1)

            // Retention removes finished runs older than the cut-off, never running ones.
            #expect(try await log.purge(olderThan: Self.t0.addingTimeInterval(7250)) == 2)
            #expect(try await log.runs(RunQuery(job: "backup")).count == 1)
        }
    }
}
