import Foundation
import Logging
@testable import JobScheduler

let quietLogger: Logger = {
    var logger = Logger(label: "lumina.jobs.test")
    logger.logLevel = .critical
    return logger
}()

/// Collects lifecycle events in order.
actor CollectingSink: JobEventSink {
    private(set) var events: [(String, JobRun)] = []
    func jobStarted(_ run: JobRun) { events.append(("started", run)) }
    func jobProgress(_ run: JobRun) { events.append(("progress", run)) }
    func jobFinished(_ run: JobRun) { events.append(("finished", run)) }
    var kinds: [String] { events.map(\.0) }
}

/// A thread-safe list the jobs under test append to.
actor Tally<Element: Sendable> {
    private(set) var items: [Element] = []
    func append(_ item: Element) { items.append(item) }
    var count: Int { items.count }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

struct Partitioned: Error {}

/// Simulates a node cut off from the database: once partitioned, every lease call fails.
actor PartitionableLeaseStore: LeaseStore {
    let base: InMemoryLeaseStore
    var partitioned = false

    init(_ base: InMemoryLeaseStore) { self.base = base }

    func partition() { partitioned = true }

    func claim(job: String, fireTime: Date, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim {
        if partitioned { throw Partitioned() }
        return await base.claim(job: job, fireTime: fireTime, node: node, ttl: ttl, now: now)
    }

    func claimManual(job: String, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim {
        if partitioned { throw Partitioned() }
        return await base.claimManual(job: job, node: node, ttl: ttl, now: now)
    }

    func renew(_ lease: JobLease, ttl: TimeInterval, now: Date) async throws -> JobLease? {
        if partitioned { throw Partitioned() }
        return await base.renew(lease, ttl: ttl, now: now)
    }

    func release(_ lease: JobLease) async throws {
        if partitioned { throw Partitioned() }
        await base.release(lease)
    }
}

/// One simulated cluster: a clock, a run log and a lease store shared by its nodes.
struct Cluster {
    let clock: TestClock
    let runLog = InMemoryRunLog()
    let leases = InMemoryLeaseStore()
    let sink = CollectingSink()

    init(start: Date) {
        clock = TestClock(now: start)
    }

    func scheduler(
        _ jobs: [Job], node: String = "node-a", leases: (any LeaseStore)? = nil,
        leaseTTL: TimeInterval = 120, shutdownGrace: TimeInterval = 30, maxLogLines: Int = 200
    ) -> JobScheduler {
        JobScheduler(
            jobs: jobs, runLog: runLog, leases: leases ?? self.leases, events: sink, clock: clock, node: node,
            leaseTTL: leaseTTL, shutdownGrace: shutdownGrace, logger: quietLogger, maxLogLines: maxLogLines
        )
    }
}

func start(_ scheduler: JobScheduler) -> Task<Void, any Error> {
    Task { try await scheduler.run() }
}

func stop(_ scheduler: JobScheduler, _ task: Task<Void, any Error>) async throws {
    await scheduler.shutdown()
    try await task.value
}

/// A schedule that never fires during a test that starts in June 2025.
let nextNewYear = Schedule.cron(try! CronExpression("0 0 1 1 *"), timeZone: utc)
