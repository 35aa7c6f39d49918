import Foundation
import Logging

/// Owns the state of one run while it executes and writes it to the run log, throttled so a
/// job that reports progress per item does not turn into one database write per item.
actor RunRecorder {
    private var run: JobRun
    private let runLog: any RunLog
    private let events: (any JobEventSink)?
    private let clock: any JobClock
    private let logger: Logger
    private let maxLogLines: Int
    private let persistInterval: TimeInterval
    private let persistEveryLines: Int

    private var head: [RunLogLine] = []
    private var tail: [RunLogLine] = []
    private var omitted = 0
    private var lastPersist: Date
    private var linesSincePersist = 0
    private var persisting = false
    private var dirty = false
    private var persistWaiters: [CheckedContinuation<Void, Never>] = []
    private var finished = false

    init(
        run: JobRun, runLog: any RunLog, events: (any JobEventSink)?, clock: any JobClock, logger: Logger,
        maxLogLines: Int, persistInterval: TimeInterval = 0.5, persistEveryLines: Int = 20
    ) {
        self.run = run
        self.runLog = runLog
        self.events = events
        self.clock = clock
        self.logger = logger
        self.maxLogLines = max(2, maxLogLines)
        self.persistInterval = persistInterval
        self.persistEveryLines = persistEveryLines
        self.lastPersist = clock.now()
    }

    var snapshot: JobRun { run }

    func setTotal(_ total: Int) async {
        guard !finished else { return }
        run.itemsTotal = total
        await persistIfDue()
    }

    func advance(by count: Int) async {
        guard !finished else { return }
        run.itemsDone += count
        await persistIfDue()
    }

    func append(_ line: RunLogLine) async {
        guard !finished else { return }
        let headLimit = maxLogLines / 2
        let tailLimit = maxLogLines - headLimit
        if head.count < headLimit {
            head.append(line)
        } else {
            tail.append(line)
            if tail.count > tailLimit {
                tail.removeFirst()
                omitted += 1
            }
        }
        run.log = renderedLog
        linesSincePersist += 1
        await persistIfDue()
    }

    /// The first and last lines with a marker between them, so both how the run started and
    /// how it ended survive a job that logs far too much.
    private var renderedLog: [RunLogLine] {
        guard omitted > 0, let firstKept = tail.first else { return head + tail }
        let marker = RunLogLine(at: firstKept.at, level: "notice", message: "… \(omitted) lines omitted")
        return head + [marker] + tail
    }

    /// Writes the final state after any in-flight progress write, so a late progress write can
    /// never overwrite the final status.
    func finish(_ status: RunStatus, error: String?) async -> JobRun {
        finished = true
        while persisting {
            await withCheckedContinuation { persistWaiters.append($0) }
        }
        run.finish(status, at: clock.now(), error: error)
        do {
            try await runLog.update(run)
        } catch {
            logger.error("could not store the final state of the run", metadata: ["error": "\(error)"])
        }
        return run
    }

    private func persistIfDue() async {
        let now = clock.now()
        guard now.timeIntervalSince(lastPersist) >= persistInterval || linesSincePersist >= persistEveryLines else {
            return
        }
        lastPersist = now
        linesSincePersist = 0
        dirty = true
        guard !persisting else { return }
        persisting = true
        while dirty && !finished {
            dirty = false
            let current = run
            do {
                try await runLog.update(current)
            } catch {
                logger.warning("could not store run progress", metadata: ["error": "\(error)"])
            }
            await events?.jobProgress(current)
        }
        persisting = false
        let waiters = persistWaiters
        persistWaiters = []
        waiters.forEach { $0.resume() }
    }
}
