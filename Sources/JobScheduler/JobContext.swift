import Foundation
import Logging

/// Handed to a job's work: where it reports progress and log lines, and how it retries items.
public final class JobContext: Sendable {
    public let runID: Int64
    public let job: String
    public let trigger: RunTrigger
    /// The node this run executes on.
    public let node: String
    /// When the fire this run belongs to was due; nil for manual runs.
    public let scheduledFor: Date?
    /// Carries `job` and `run_id` metadata so server logs can be joined with stored runs.
    public let logger: Logger

    let retryPolicy: RetryPolicy
    let clock: any JobClock
    let recorder: RunRecorder

    init(run: JobRun, retryPolicy: RetryPolicy, clock: any JobClock, recorder: RunRecorder, logger: Logger) {
        self.runID = run.id
        self.job = run.job
        self.trigger = run.trigger
        self.node = run.node
        self.scheduledFor = run.scheduledFor
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.recorder = recorder
        self.logger = logger
    }

    /// The current clock time, so jobs measure durations on the same clock as the scheduler.
    public var now: Date { clock.now() }

    /// The run as stored so far, with the latest progress.
    public var run: JobRun {
        get async { await recorder.snapshot }
    }

    public func setTotal(_ total: Int) async {
        await recorder.setTotal(total)
    }

    /// Counts `count` more items as done.
    public func advance(by count: Int = 1) async {
        await recorder.advance(by: count)
    }

    /// Writes to the run's stored log (what admins see) and to the server log.
    public func log(_ level: Logger.Level, _ message: String) async {
        logger.log(level: level, "\(message)")
        await recorder.append(RunLogLine(at: clock.now(), level: Self.levelName(level), message: message))
    }

    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error, .critical: return "error"
        }
    }

    /// Runs `operation` for one item, retrying failures with capped exponential backoff on the
    /// scheduler's clock; logs each failed attempt and rethrows the last error after the last
    /// attempt. Cancellation is never retried.
    public func retrying<T: Sendable>(_ item: String, _ operation: @Sendable () async throws -> T) async throws -> T {
        let attempts = max(1, retryPolicy.maxAttempts)
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                return try await operation()
            } catch let error as CancellationError {
                throw error
            } catch {
                let reason = Self.describe(error)
                if attempt >= attempts {
                    await log(.error, "\(item): attempt \(attempt) of \(attempts) failed: \(reason); giving up")
                    throw error
                }
                let delay = retryPolicy.delay(afterAttempt: attempt)
                await log(.warning, "\(item): attempt \(attempt) of \(attempts) failed: \(reason); retrying in \(Self.seconds(delay))")
                try await clock.sleep(until: clock.now().addingTimeInterval(delay))
                attempt += 1
            }
        }
    }

    /// A human-readable error: `LocalizedError.errorDescription` when provided, otherwise the
    /// error's own description.
    static func describe(_ error: any Error) -> String {
        if let localized = error as? any LocalizedError, let text = localized.errorDescription {
            return text
        }
        return String(describing: error)
    }

    private static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() ? "\(Int(interval)) s" : "\(interval) s"
    }
}
