import Foundation
import Testing
@testable import JobScheduler

/// Every test drives a `TestClock`; nothing sleeps in real time beyond the clock's settling.
@Suite("Job scheduler", .timeLimit(.minutes(1)))
struct JobSchedulerTests {
    let t0 = instant("2025-06-01T10:00:00Z")
    func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    @Test func firesAtScheduledTimes() async throws {
        let cluster = Cluster(start: at(0.5))
        let times = Tally<Date>()
        let clock = cluster.clock
        let scheduler = cluster.scheduler([Job(name: "refresh", schedule: .every(minutes: 15)) { _ in await times.append(clock.now()) }])
        let task = start(scheduler)
        await clock.waitForSleeper(until: at(15))
        #expect(await scheduler.jobs().first?.nextRunAt == at(15))
        for fire in [15.0, 30, 45] {
            await clock.advance(to: at(fire))
            await clock.waitForSleeper(until: at(fire + 15))
            await scheduler.waitForIdle()
        }
        try await stop(scheduler, task)
        #expect(await times.items == [at(15), at(30), at(45)])
        let runs = await cluster.runLog.allRuns
        #expect(runs.map(\.status) == [.succeeded, .succeeded, .succeeded])
        #expect(runs.map(\.scheduledFor) == [at(15), at(30), at(45)])
        #expect(runs.allSatisfy { $0.trigger == .schedule && $0.node == "node-a" && $0.durationMs == 0 })
        #expect(await cluster.sink.kinds == ["started", "finished", "started", "finished", "started", "finished"])
    }

    @Test func overlappingFireIsSkippedWithReason() async throws {
        let cluster = Cluster(start: at(0.5))
        let clock = cluster.clock
        let job = Job(name: "export", schedule: .every(minutes: 15)) { context in
            try await clock.sleep(until: context.now.addingTimeInterval(20 * 60))
        }
        let scheduler = cluster.scheduler([job])
        let task = start(scheduler)
        await clock.waitForSleeper(until: at(15))
        await clock.advance(to: at(15))
        await clock.waitForSleeper(until: at(30))
        await clock.advance(to: at(30))
        await clock.waitForSleeper(until: at(45))
        await clock.advance(to: at(36))
        await scheduler.waitForIdle()
        try await stop(scheduler, task)

        let runs = await cluster.runLog.allRuns
        #expect(runs.count == 2)
        #expect(runs.last?.status == .skipped)
        #expect(runs.last?.scheduledFor == at(30))
        #expect(runs.last?.error == "previous run still in progress on node-a")
        #expect(runs.first?.status == .succeeded)
        #expect(runs.first?.scheduledFor == at(15))
        #expect(runs.first?.durationMs == Int64(20 * 60 * 1000))
    }

    @Test func missedFiresRunOnceOnStartup() async throws {
        let cluster = Cluster(start: at(14))
        // The last fire recorded was 08:45; 09:00, 09:15, 09:30, 09:45 and 10:00 were missed.
        _ = await cluster.runLog.insert(JobRun(
            job: "sync", trigger: .schedule, node: "node-old", status: .succeeded,
            scheduledFor: at(-75), startedAt: at(-75), finishedAt: at(-74)
        ))
        let count = Tally<Date?>()
        let scheduler = cluster.scheduler([
            Job(name: "sync", schedule: .every(minutes: 15)) { context in await count.append(context.scheduledFor) },
        ])
        let task = start(scheduler)
        await cluster.clock.waitForSleeper(until: at(15))
        await scheduler.waitForIdle()
        try await stop(scheduler, task)

        #expect(await count.items == [at(0)])
        let runs = await cluster.runLog.runs(RunQuery(job: "sync"))
        #expect(runs.count == 2)
        #expect(runs.first?.trigger == .startup)
        #expect(runs.first?.scheduledFor == at(0))
        #expect(runs.first?.status == .succeeded)
    }

    @Test func noStartupRunForAJobThatNeverRanOrOptedOut() async throws {
        let cluster = Cluster(start: at(14))
        _ = await cluster.runLog.insert(JobRun(
            job: "opted-out", trigger: .schedule, node: "node-a", status: .succeeded, scheduledFor: at(-60), startedAt: at(-60)
        ))
        let calls = Tally<String>()
        let scheduler = cluster.scheduler([
            Job(name: "fresh", schedule: .every(minutes: 15)) { _ in await calls.append("fresh") },
            Job(name: "opted-out", schedule: .every(minutes: 15), runOnMissedFire: false) { _ in await calls.append("opted-out") },
        ])
        let task = start(scheduler)
        await cluster.clock.waitForSleeper(until: at(15))
        await scheduler.waitForIdle()
        try await stop(scheduler, task)
        #expect(await calls.items.isEmpty)
        #expect(await cluster.runLog.allRuns.count == 1)
    }

    @Test func twoNodesRunEachFireExactlyOnce() async throws {
        let cluster = Cluster(start: at(0.5))
        let executions = Tally<String>()
        let job = Job(name: "digest", schedule: .every(minutes: 15)) { context in await executions.append(context.node) }
        let a = cluster.scheduler([job], node: "node-a")
        let b = cluster.scheduler([job], node: "node-b")
        let taskA = start(a)
        let taskB = start(b)
        let clock = cluster.clock
        await clock.waitForSleepers(2, until: at(15))
        for fire in [15.0, 30, 45, 60] {
            await clock.advance(to: at(fire))
            await clock.waitForSleepers(2, until: at(fire + 15))
            await a.waitForIdle()
            await b.waitForIdle()
        }
        try await stop(a, taskA)
        try await stop(b, taskB)

        #expect(await executions.count == 4)
        let runs = await cluster.runLog.allRuns
        #expect(runs.count == 4)
        #expect(runs.allSatisfy { $0.status == .succeeded })
        #expect(Set(runs.compactMap(\.scheduledFor)) == [at(15), at(30), at(45), at(60)])
    }

    @Test func nodeThatStopsRenewingLosesItsLeaseAndTheNextFireRunsElsewhere() async throws {
        let cluster = Cluster(start: at(0.5))
        let clock = cluster.clock
        let job = Job(name: "reindex", schedule: .every(minutes: 15)) { context in
            if context.node == "node-a" {
                try await clock.sleep(until: context.now.addingTimeInterval(3600))
            }
        }
        let partitionable = PartitionableLeaseStore(cluster.leases)
        let a = cluster.scheduler([job], node: "node-a", leases: partitionable, leaseTTL: 120)
        let taskA = start(a)
        await clock.waitForSleeper(until: at(15))
        await clock.advance(to: at(15))
        await clock.waitForSleeper(until: at(30))
        #expect(await cluster.leases.holder(of: "reindex")?.node == "node-a")

        let b = cluster.scheduler([job], node: "node-b")
        let taskB = start(b)
        await clock.waitForSleepers(2, until: at(30))
        await partitionable.partition()
        await clock.advance(to: at(30))
        await clock.waitForSleepers(2, until: at(45))
        await a.waitForIdle()
        await b.waitForIdle()
        try await stop(a, taskA)
        try await stop(b, taskB)

        let runs = await cluster.runLog.allRuns
        #expect(runs.count == 2)
        #expect(runs.first?.node == "node-a")
        #expect(runs.first?.status == .interrupted)
        #expect(runs.first?.error == RunLogMessages.leaseLost)
        // Renewals at 10:15:40 and 10:16:20 failed; at 10:17:00 the lease had expired.
        #expect(runs.first?.finishedAt == at(17))
        #expect(runs.last?.node == "node-b")
        #expect(runs.last?.scheduledFor == at(30))
        #expect(runs.last?.status == .succeeded)
    }

    @Test func retryBackoffDoublesAndCaps() async throws {
        let cluster = Cluster(start: at(0))
        let clock = cluster.clock
        let attempts = Tally<Date>()
        let job = Job(name: "fetch", schedule: nextNewYear, retry: RetryPolicy(maxAttempts: 5, initialDelay: 2, multiplier: 2, maxDelay: 5)) { context in
            _ = try await context.retrying("rates") { () async throws -> Int in
                await attempts.append(clock.now())
                throw TestFailure(description: "upstream returned 503")
            }
        }
        let scheduler = cluster.scheduler([job])
        let run = try await scheduler.runNow("fetch")
        #expect(run.status == .running && run.id > 0 && run.trigger == .manual && run.scheduledFor == nil)
        await clock.waitForSleeper(until: at(0).addingTimeInterval(2))
        await clock.advance(by: 60)
        await scheduler.waitForIdle()

        let offsets = await attempts.items.map { $0.timeIntervalSince(at(0)) }
        #expect(offsets == [0, 2, 6, 11, 16])
        let stored = try #require(await cluster.runLog.run(id: run.id))
        #expect(stored.status == .failed)
        #expect(stored.error == "upstream returned 503")
        #expect(stored.log.map(\.message).first == "rates: attempt 1 of 5 failed: upstream returned 503; retrying in 2 s")
        #expect(stored.log.map(\.message).last == "rates: attempt 5 of 5 failed: upstream returned 503; giving up")
        #expect(stored.log.map(\.level) == ["warning", "warning", "warning", "warning", "error"])
    }

    @Test func retryPolicyDelays() {
        let policy = RetryPolicy()
        #expect((1...7).map(policy.delay(afterAttempt:)) == [2, 4, 8, 16, 32, 60, 60])
    }

    @Test func gracefulShutdownLetsShortJobsFinishAndInterruptsLongOnes() async throws {
        let cluster = Cluster(start: at(0))
        let clock = cluster.clock
        let short = Job(name: "short", schedule: nextNewYear) { context in
            try await clock.sleep(until: context.now.addingTimeInterval(10))
        }
        let long = Job(name: "long", schedule: nextNewYear) { context in
            try await clock.sleep(until: context.now.addingTimeInterval(3600))
        }
        let scheduler = cluster.scheduler([short, long], shutdownGrace: 30)
        let task = start(scheduler)
        await clock.waitForSleeper(until: instant("2026-01-01T00:00:00Z"))
        let shortRun = try await scheduler.runNow("short")
        let longRun = try await scheduler.runNow("long")
        await clock.waitForSleeper(until: at(0).addingTimeInterval(10))
        await clock.waitForSleeper(until: at(60))
        await scheduler.shutdown()
        await clock.waitForSleeper(until: at(0.5))
        await #expect(throws: SchedulerError.shuttingDown) { try await scheduler.runNow("short") }
        await clock.advance(by: 30)
        try await task.value

        let storedShort = try #require(await cluster.runLog.run(id: shortRun.id))
        let storedLong = try #require(await cluster.runLog.run(id: longRun.id))
        #expect(storedShort.status == .succeeded)
        #expect(storedShort.finishedAt == at(0).addingTimeInterval(10))
        #expect(storedLong.status == .interrupted)
        #expect(storedLong.error == "interrupted by shutdown")
        #expect(storedLong.finishedAt == at(0.5))
        #expect(await cluster.leases.holder(of: "long") == nil)
    }

    @Test func runNowRefusesWhileRunningHereOrElsewhere() async throws {
        let cluster = Cluster(start: at(0))
        let clock = cluster.clock
        let job = Job(name: "rebuild", schedule: nextNewYear) { context in
            try await clock.sleep(until: context.now.addingTimeInterval(600))
        }
        let a = cluster.scheduler([job], node: "node-a")
        let b = cluster.scheduler([job], node: "node-b")
        let first = try await a.runNow("rebuild")
        await clock.waitForSleeper(until: at(10))
        await #expect(throws: SchedulerError.alreadyRunning(job: "rebuild", node: "node-a")) { try await a.runNow("rebuild") }
        await #expect(throws: SchedulerError.alreadyRunning(job: "rebuild", node: "node-a")) { try await b.runNow("rebuild") }
        await #expect(throws: SchedulerError.unknownJob("nope")) { try await a.runNow("nope") }
        #expect(await a.jobs().first?.running?.id == first.id)
        await clock.advance(by: 600)
        await a.waitForIdle()
        #expect(await a.jobs().first?.running == nil)
        let second = try await b.runNow("rebuild")
        #expect(second.node == "node-b")
        await clock.waitForSleeper(until: at(20))
        await clock.advance(by: 600)
        await b.waitForIdle()
        #expect(await cluster.runLog.allRuns.map(\.status) == [.succeeded, .succeeded])
    }

    @Test func failedJobRecordsItsError() async throws {
        let cluster = Cluster(start: at(0))
        let scheduler = cluster.scheduler([
            Job(name: "import", schedule: nextNewYear) { context in
                await context.log(.info, "reading source")
                throw TestFailure(description: "source file sales.csv is missing")
            },
        ])
        let run = try await scheduler.runNow("import")
        await scheduler.waitForIdle()
        let stored = try #require(await cluster.runLog.run(id: run.id))
        #expect(stored.status == .failed)
        #expect(stored.error == "source file sales.csv is missing")
        #expect(stored.finishedAt == at(0))
        #expect(stored.durationMs == 0)
        #expect(stored.log.map(\.message) == ["reading source"])
        #expect(await cluster.sink.kinds == ["started", "finished"])
        #expect(await cluster.sink.events.last?.1.status == .failed)
    }

    @Test func runLogLinesAreBoundedAndProgressIsStored() async throws {
        let cluster = Cluster(start: at(0))
        let scheduler = cluster.scheduler([
            Job(name: "chatty", schedule: nextNewYear) { context in
                await context.setTotal(450)
                for index in 1...450 {
                    await context.log(.debug, "line \(index)")
                    await context.advance()
                }
            },
        ])
        let run = try await scheduler.runNow("chatty")
        await scheduler.waitForIdle()
        let stored = try #require(await cluster.runLog.run(id: run.id))
        #expect(stored.status == .succeeded)
        #expect(stored.itemsDone == 450)
        #expect(stored.itemsTotal == 450)
        #expect(stored.log.count == 201)
        #expect(stored.log.first?.message == "line 1")
        #expect(stored.log[99].message == "line 100")
        #expect(stored.log[100].message == "… 250 lines omitted")
        #expect(stored.log[101].message == "line 351")
        #expect(stored.log.last?.message == "line 450")
        // Progress went out in batches, not once per line.
        let progress = await cluster.sink.kinds.filter { $0 == "progress" }.count
        #expect(progress > 0 && progress < 100)
    }

    @Test func lateWakeFiresOnceAndDropsTheRest() async throws {
        let cluster = Cluster(start: at(0.5))
        let scheduler = cluster.scheduler([Job(name: "tick", schedule: .every(minutes: 15)) { _ in }])
        let task = start(scheduler)
        await cluster.clock.waitForSleeper(until: at(15))
        await cluster.clock.jump(to: at(65))
        await cluster.clock.waitForSleeper(until: at(75))
        await scheduler.waitForIdle()
        try await stop(scheduler, task)
        let runs = await cluster.runLog.allRuns
        #expect(runs.map(\.scheduledFor) == [at(60)])
        #expect(runs.first?.startedAt == at(65))
    }

    @Test func abandonedRunsOfThisNodeAreMarkedOnStart() async throws {
        let cluster = Cluster(start: at(0))
        let mine = await cluster.runLog.insert(JobRun(job: "x", trigger: .manual, node: "node-a", startedAt: at(-5)))
        let other = await cluster.runLog.insert(JobRun(job: "x", trigger: .manual, node: "node-b", startedAt: at(-5)))
        let scheduler = cluster.scheduler([Job(name: "x", schedule: nextNewYear) { _ in }])
        let task = start(scheduler)
        await cluster.clock.waitForSleeper(until: instant("2026-01-01T00:00:00Z"))
        try await stop(scheduler, task)
        let marked = try #require(await cluster.runLog.run(id: mine.id))
        #expect(marked.status == .interrupted)
        #expect(marked.error == "the node stopped while the run was in progress")
        #expect(await cluster.runLog.run(id: other.id)?.status == .running)
    }
}
