import Foundation
import Testing
@testable import JobScheduler

@Suite("In-memory stores")
struct StoreTests {
    let t0 = instant("2025-06-01T10:00:00Z")

    @Test func leaseClaimsFiresOnceAndReportsBusyHolders() async {
        let store = InMemoryLeaseStore()
        let fire = t0
        guard case let .acquired(lease) = await store.claim(job: "j", fireTime: fire, node: "a", ttl: 60, now: t0) else {
            Issue.record("first claim should acquire")
            return
        }
        #expect(await store.claim(job: "j", fireTime: fire, node: "b", ttl: 60, now: t0) == .alreadyClaimed)
        #expect(await store.claim(job: "j", fireTime: fire.addingTimeInterval(-60), node: "b", ttl: 60, now: t0) == .alreadyClaimed)
        #expect(await store.claim(job: "j", fireTime: fire.addingTimeInterval(30), node: "b", ttl: 60, now: t0.addingTimeInterval(30)) == .busy(holder: "a"))
        #expect(await store.claimManual(job: "j", node: "b", ttl: 60, now: t0) == .busy(holder: "a"))
        let renewed = await store.renew(lease, ttl: 60, now: t0.addingTimeInterval(50))
        #expect(renewed?.expiresAt == t0.addingTimeInterval(110))
        // Expired: the next fire goes to another node and the old holder's renewal fails.
        guard case .acquired = await store.claim(job: "j", fireTime: fire.addingTimeInterval(120), node: "b", ttl: 60, now: t0.addingTimeInterval(120)) else {
            Issue.record("claim after expiry should acquire")
            return
        }
        #expect(await store.renew(lease, ttl: 60, now: t0.addingTimeInterval(121)) == nil)
        await store.release(lease) // not the holder any more: no effect
        #expect(await store.holder(of: "j")?.node == "b")
    }

    @Test func runLogQueriesNewestFirstWithFilters() async {
        let log = InMemoryRunLog()
        for index in 0..<5 {
            _ = await log.insert(JobRun(
                job: index.isMultiple(of: 2) ? "even" : "odd", trigger: index == 4 ? .manual : .schedule, node: "a",
                status: .succeeded, scheduledFor: index == 4 ? nil : t0.addingTimeInterval(Double(index) * 60),
                startedAt: t0.addingTimeInterval(Double(index) * 60)
            ))
        }
        #expect(await log.runs(RunQuery()).map(\.id) == [5, 4, 3, 2, 1])
        #expect(await log.runs(RunQuery(job: "even", limit: 2)).map(\.id) == [5, 3])
        #expect(await log.runs(RunQuery(beforeID: 3)).map(\.id) == [2, 1])
        #expect(await log.runs(RunQuery(since: t0.addingTimeInterval(60), until: t0.addingTimeInterval(180))).map(\.id) == [3, 2])
        #expect(await log.lastRun(job: "even")?.id == 5)
        #expect(await log.lastScheduledFire(job: "even") == t0.addingTimeInterval(120))
        #expect(await log.purge(olderThan: t0.addingTimeInterval(120)) == 2)
        #expect(await log.allRuns.map(\.id) == [3, 4, 5])
    }
}
