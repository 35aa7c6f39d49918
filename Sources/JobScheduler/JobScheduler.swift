import Foundation
import Logging
import ServiceLifecycle

/// Runs jobs on their schedules, coordinated across the nodes of a cluster through a
/// `LeaseStore` and recorded in a `RunLog`.
///
/// Each fire runs on exactly one node; a fire that finds the previous run still going is
/// recorded as `skipped` rather than queued, so a slow job cannot pile up work. A scheduler
/// that wakes late fires once for the latest missed time, and on start-up a fire missed while
/// no node was up runs once (never a burst of catch-up runs).
public actor JobScheduler: Service {
    private struct ActiveRun {
        var runID: Int64
        var recorder: RunRecorder
        var task: Task<Void, Never>?
        /// Set before cancelling so the run records why it stopped.
        var cancelReason: String?
    }

    private let jobsByName: [String: Job]
    private let jobOrder: [String]
    private let runLog: any RunLog
    private let leases: any LeaseStore
    private let events: (any JobEventSink)?
    private let clock: any JobClock
    public nonisolated let node: String
    private let leaseTTL: TimeInterval
    private let shutdownGrace: TimeInterval
    private let maxLogLines: Int
    private let logger: Logger

    private var nextFires: [String: Date] = [:]
    private var loopRunning = false
    private var stopping = false
    private var loopTask: Task<Void, Never>?
    /// Jobs with a run starting or in progress on this node; taken before any await so a
    /// fire and a manual run of the same job cannot both start here.
    private var reserved: Set<String> = []
    private var active: [String: ActiveRun] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    public init(
        jobs: [Job],
        runLog: any RunLog,
        leases: any LeaseStore,
        events: (any JobEventSink)? = nil,
        clock: any JobClock = SystemClock(),
        node: String,
        leaseTTL: TimeInterval = 120,
        shutdownGrace: TimeInterval = 30,
        logger: Logger,
        maxLogLines: Int = 200
    ) {
        var byName: [String: Job] = [:]
        var order: [String] = []
        var logger = logger
        logger[metadataKey: "node"] = "\(node)"
        for job in jobs {
            if byName[job.name] != nil {
                logger.error("two jobs share a name; only the first is scheduled", metadata: ["job": "\(job.name)"])
                continue
            }
            byName[job.name] = job
            order.append(job.name)
        }
        self.jobsByName = byName
        self.jobOrder = order
        self.runLog = runLog
        self.leases = leases
        self.events = events
        self.clock = clock
        self.node = node
        self.leaseTTL = leaseTTL
        self.shutdownGrace = shutdownGrace
        self.maxLogLines = maxLogLines
        self.logger = logger
    }

    // MARK: - Service

    /// Runs until graceful shutdown (or `shutdown()`), then gives running jobs up to
    /// `shutdownGrace` seconds of clock time before cancelling them. Returns normally on
    /// graceful shutdown; on task cancellation running jobs are cancelled at once.
    public func run() async throws {
        logger.info("job scheduler starting", metadata: ["jobs": "\(jobOrder.joined(separator: ","))"])
        do {
            let abandoned = try await runLog.markAbandoned(node: node, at: clock.now())
            if abandoned > 0 {
                logger.warning("marked runs left by a previous process of this node as interrupted", metadata: ["count": "\(abandoned)"])
            }
        } catch {
            logger.error("could not mark abandoned runs", metadata: ["error": "\(error)"])
        }

        if !stopping { await catchUpMissedFires() }

        let loop = Task { await self.fireLoop() }
        loopTask = loop
        if stopping { loop.cancel() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.value
            } onGracefulShutdown: {
                Task { await self.shutdown() }
            }
        } onCancel: {
            loop.cancel()
        }
        await drain(hard: Task.isCancelled)
        logger.info("job scheduler stopped")
    }

    /// Starts a graceful shutdown, as ServiceLifecycle's graceful shutdown does: no new fires
    /// or manual runs, running jobs get the grace period. `run()` returns when they are done.
    public func shutdown() {
        guard !stopping else { return }
        logger.info("job scheduler shutting down")
        stopping = true
        loopTask?.cancel()
    }

    // MARK: - Queries and manual runs

    public func jobs() async -> [JobStatus] {
        var result: [JobStatus] = []
        let now = clock.now()
        for name in jobOrder {
            guard let job = jobsByName[name] else { continue }
            let next = stopping ? nil : (loopRunning ? nextFires[name] : job.schedule.nextFire(after: now))
            let running = await active[name]?.recorder.snapshot
            result.append(JobStatus(name: name, schedule: job.schedule, nextRunAt: next, running: running))
        }
        return result
    }

    /// Starts a run immediately in the background and returns it as inserted (`running`, with id).
    public func runNow(_ name: String, trigger: RunTrigger = .manual) async throws(SchedulerError) -> JobRun {
        guard let job = jobsByName[name] else { throw .unknownJob(name) }
        guard !stopping else { throw .shuttingDown }
        guard !reserved.contains(name) else { throw .alreadyRunning(job: name, node: node) }
        reserved.insert(name)
        let claim: LeaseClaim
        do {
            claim = try await leases.claimManual(job: name, node: node, ttl: leaseTTL, now: clock.now())
        } catch {
            unreserve(name)
            throw .storage(String(describing: error))
        }
        switch claim {
        case let .acquired(lease):
            guard !stopping else {
                try? await leases.release(lease)
                unreserve(name)
                throw .shuttingDown
            }
            return try await start(job, lease: lease, trigger: trigger, scheduledFor: nil)
        case let .busy(holder):
            unreserve(name)
            throw .alreadyRunning(job: name, node: holder)
        case .alreadyClaimed:
            unreserve(name)
            throw .alreadyRunning(job: name, node: "another node")
        }
    }

    /// Returns once no run is starting or in progress on this node; for tests and shutdown.
    public func waitForIdle() async {
        if reserved.isEmpty && active.isEmpty { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    // MARK: - Firing

    private func catchUpMissedFires() async {
        let now = clock.now()
        for name in jobOrder {
            guard let job = jobsByName[name], job.runOnMissedFire,
                  let missed = job.schedule.previousFire(atOrBefore: now)
            else { continue }
            let last: Date?
            do {
                last = try await runLog.lastScheduledFire(job: name)
            } catch {
                logger.error("could not read the last fire; not catching up", metadata: ["job": "\(name)", "error": "\(error)"])
                continue
            }
            // A job that never ran has nothing to catch up on: its first fire is still ahead.
            guard let last, last < missed else { continue }
            logger.notice("a fire was missed while no node was running; running it once now", metadata: [
                "job": "\(name)", "missed_fire": "\(missed)", "last_fire": "\(last)",
            ])
            await fire(job, at: missed, trigger: .startup)
        }
    }

    private func fireLoop() async {
        loopRunning = true
        defer { loopRunning = false }
        let start = clock.now()
        for name in jobOrder {
            nextFires[name] = jobsByName[name]?.schedule.nextFire(after: start)
        }
        while !Task.isCancelled && !stopping {
            let now = clock.now()
            for name in jobOrder {
                guard let job = jobsByName[name], let due = nextFires[name], due <= now else { continue }
                let (latest, dropped) = Self.latestFire(of: job.schedule, from: due, upTo: now)
                if dropped > 0 {
                    logger.warning("woke late past several fires; running only the latest", metadata: [
                        "job": "\(name)", "dropped": "\(dropped)", "first_missed": "\(due)", "fire": "\(latest)",
                    ])
                    SchedulerMetrics.firesDropped(job: name, count: dropped)
                }
                nextFires[name] = job.schedule.nextFire(after: max(latest, now))
                await fire(job, at: latest, trigger: .schedule)
                if Task.isCancelled || stopping { return }
            }
            let deadline = nextFires.values.min() ?? .distantFuture
            do {
                try await clock.sleep(until: deadline)
            } catch {
                return
            }
        }
    }

    /// The latest fire at or before `now` starting from the due fire `first`, and how many
    /// earlier ones that skips.
    static func latestFire(of schedule: Schedule, from first: Date, upTo now: Date) -> (Date, Int) {
        var latest = first
        var dropped = 0
        while let next = schedule.nextFire(after: latest), next <= now {
            latest = next
            dropped += 1
            if dropped >= 10_000, let previous = schedule.previousFire(atOrBefore: now) {
                return (previous, dropped)
            }
        }
        return (latest, dropped)
    }

    private func fire(_ job: Job, at fireTime: Date, trigger: RunTrigger) async {
        let name = job.name
        let overlapsLocalRun = reserved.contains(name)
        if !overlapsLocalRun { reserved.insert(name) }
        let claim: LeaseClaim
        do {
            claim = try await leases.claim(job: name, fireTime: fireTime, node: node, ttl: leaseTTL, now: clock.now())
        } catch {
            logger.error("could not claim a fire; it is not run", metadata: ["job": "\(name)", "fire": "\(fireTime)", "error": "\(error)"])
            if !overlapsLocalRun { unreserve(name) }
            return
        }
        switch claim {
        case .alreadyClaimed:
            logger.debug("another node took this fire", metadata: ["job": "\(name)", "fire": "\(fireTime)"])
            if !overlapsLocalRun { unreserve(name) }
        case let .busy(holder):
            if !overlapsLocalRun { unreserve(name) }
            await recordSkipped(job, fireTime: fireTime, trigger: trigger, reason: RunLogMessages.stillRunning(on: holder))
        case let .acquired(lease):
            if overlapsLocalRun {
                // Our own run outlived its lease (renewals failed); it is about to stop, but
                // this fire must not overlap it.
                try? await leases.release(lease)
                await recordSkipped(job, fireTime: fireTime, trigger: trigger, reason: RunLogMessages.stillRunning(on: node))
                return
            }
            do {
                _ = try await start(job, lease: lease, trigger: trigger, scheduledFor: fireTime)
            } catch {
                logger.error("could not start a run", metadata: ["job": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func recordSkipped(_ job: Job, fireTime: Date, trigger: RunTrigger, reason: String) async {
        let now = clock.now()
        var run = JobRun(job: job.name, trigger: trigger, node: node, status: .skipped, scheduledFor: fireTime, startedAt: now)
        run.finish(.skipped, at: now, error: reason)
        logger.notice("skipped a fire", metadata: ["job": "\(job.name)", "fire": "\(fireTime)", "reason": "\(reason)"])
        do {
            run = try await runLog.insert(run)
        } catch {
            logger.error("could not record a skipped fire", metadata: ["job": "\(job.name)", "error": "\(error)"])
            return
        }
        SchedulerMetrics.runFinished(job: job.name, status: .skipped, durationMs: nil)
        await events?.jobFinished(run)
    }

    /// Inserts the run and launches its task. The caller holds the reservation and the lease;
    /// both are given back here on failure.
    private func start(_ job: Job, lease: JobLease, trigger: RunTrigger, scheduledFor: Date?) async throws(SchedulerError) -> JobRun {
        let name = job.name
        var run = JobRun(job: name, trigger: trigger, node: node, status: .running, scheduledFor: scheduledFor, startedAt: clock.now())
        do {
            run = try await runLog.insert(run)
        } catch {
            try? await leases.release(lease)
            unreserve(name)
            throw .storage(String(describing: error))
        }
        if stopping {
            run.finish(.interrupted, at: clock.now(), error: RunLogMessages.shutdown)
            try? await runLog.update(run)
            try? await leases.release(lease)
            unreserve(name)
            throw .shuttingDown
        }

        var runLogger = logger
        runLogger[metadataKey: "job"] = "\(name)"
        runLogger[metadataKey: "run_id"] = "\(run.id)"
        runLogger[metadataKey: "trigger"] = "\(trigger.rawValue)"
        let recorder = RunRecorder(run: run, runLog: runLog, events: events, clock: clock, logger: runLogger, maxLogLines: maxLogLines)
        let context = JobContext(run: run, retryPolicy: job.retry, clock: clock, recorder: recorder, logger: runLogger)
        active[name] = ActiveRun(runID: run.id, recorder: recorder)
        SchedulerMetrics.running(job: name, true)

        let execution = RunExecution(
            job: job, run: run, lease: lease, context: context, recorder: recorder,
            leases: leases, events: events, clock: clock, leaseTTL: leaseTTL, logger: runLogger
        )
        let runID = run.id
        // The task is isolated to this actor only for the bookkeeping at its end; the work runs
        // off the actor inside `execute`.
        let task = Task {
            await execution.execute { await self.cancelReason(job: name, runID: runID) }
            self.runEnded(job: name, runID: runID)
        }
        active[name]?.task = task
        return run
    }

    private func cancelReason(job: String, runID: Int64) -> String? {
        guard let entry = active[job], entry.runID == runID else { return nil }
        return entry.cancelReason
    }

    private func runEnded(job: String, runID: Int64) {
        guard active[job]?.runID == runID else { return }
        active.removeValue(forKey: job)
        SchedulerMetrics.running(job: job, false)
        unreserve(job)
    }

    private func unreserve(_ job: String) {
        reserved.remove(job)
        guard reserved.isEmpty && active.isEmpty else { return }
        let waiters = idleWaiters
        idleWaiters = []
        waiters.forEach { $0.resume() }
    }

    // MARK: - Shutdown

    private func cancelActive(reason: String) {
        for (name, entry) in active where entry.task != nil {
            logger.warning("cancelling a running job", metadata: ["job": "\(name)", "run_id": "\(entry.runID)", "reason": "\(reason)"])
            active[name]?.cancelReason = reason
            entry.task?.cancel()
        }
    }

    private func drain(hard: Bool) async {
        stopping = true
        let tasks = active.values.compactMap(\.task)
        if !tasks.isEmpty {
            if hard {
                cancelActive(reason: RunLogMessages.shutdown)
            } else {
                logger.notice("waiting for running jobs to finish", metadata: [
                    "count": "\(tasks.count)", "grace_seconds": "\(shutdownGrace)",
                ])
                let deadline = clock.now().addingTimeInterval(shutdownGrace)
                let clock = self.clock
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        for task in tasks { await task.value }
                        return true
                    }
                    group.addTask {
                        do {
                            try await clock.sleep(until: deadline)
                            return false
                        } catch {
                            return true
                        }
                    }
                    let finishedInTime = await group.next() ?? true
                    if !finishedInTime { self.cancelActive(reason: RunLogMessages.shutdown) }
                    group.cancelAll()
                }
            }
            for task in tasks { await task.value }
        }
        await waitForIdle()
    }
}
