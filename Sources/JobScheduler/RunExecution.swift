import Foundation
import Logging

/// Everything one run needs off the scheduler actor: the job's work runs alongside a lease
/// renewal loop, and the outcome is recorded, announced and measured in one place.
struct RunExecution: Sendable {
    let job: Job
    let run: JobRun
    let lease: JobLease
    let context: JobContext
    let recorder: RunRecorder
    let leases: any LeaseStore
    let events: (any JobEventSink)?
    let clock: any JobClock
    let leaseTTL: TimeInterval
    let logger: Logger

    private enum ChildResult: Sendable {
        case work(Result<Void, any Error>)
        case leaseLost
        case renewalStopped
    }

    func execute(cancelReason: @Sendable () async -> String?) async {
        await events?.jobStarted(run)
        logger.info("run started", metadata: run.scheduledFor.map { ["fire": "\($0)"] } ?? [:])

        let (result, leaseLost) = await withTaskGroup(of: ChildResult.self) { group -> (Result<Void, any Error>, Bool) in
            group.addTask {
                do {
                    try await job.work(context)
                    return .work(.success(()))
                } catch {
                    return .work(.failure(error))
                }
            }
            group.addTask {
                await renewUntilLost() ? .leaseLost : .renewalStopped
            }
            var lost = false
            while let child = await group.next() {
                switch child {
                case let .work(result):
                    group.cancelAll()
                    return (result, lost)
                case .leaseLost:
                    // Another node may start this job now; stop rather than run twice.
                    lost = true
                    group.cancelAll()
                case .renewalStopped:
                    continue
                }
            }
            return (.failure(CancellationError()), lost)
        }

        let status: RunStatus
        var message: String?
        switch result {
        case .success:
            status = .succeeded
        case let .failure(error):
            if leaseLost {
                status = .interrupted
                message = RunLogMessages.leaseLost
            } else if let reason = await cancelReason() {
                status = .interrupted
                message = reason
            } else if error is CancellationError && Task.isCancelled {
                status = .interrupted
                message = "cancelled"
            } else {
                status = .failed
                message = JobContext.describe(error)
            }
        }

        let final = await recorder.finish(status, error: message)
        var metadata: Logger.Metadata = ["status": "\(status.rawValue)", "duration_ms": "\(final.durationMs ?? 0)"]
        if let message { metadata["error"] = "\(message)" }
        logger.log(level: status == .succeeded ? .info : (status == .failed ? .error : .warning), "run finished", metadata: metadata)
        SchedulerMetrics.runFinished(job: job.name, status: status, durationMs: final.durationMs)
        do {
            try await leases.release(lease)
        } catch {
            logger.warning("could not release the lease; it expires on its own", metadata: ["error": "\(error)"])
        }
        await events?.jobFinished(final)
    }

    /// Renews every third of the TTL; returns true when the lease is lost, false when cancelled.
    private func renewUntilLost() async -> Bool {
        var current = lease
        let interval = max(leaseTTL / 3, 0.001)
        while true {
            do {
                try await clock.sleep(until: clock.now().addingTimeInterval(interval))
            } catch {
                return false
            }
            do {
                guard let renewed = try await leases.renew(current, ttl: leaseTTL, now: clock.now()) else {
                    if Task.isCancelled { return false }
                    logger.error("the lease was taken over; stopping the run")
                    return true
                }
                current = renewed
            } catch {
                if Task.isCancelled { return false }
                logger.warning("could not renew the lease", metadata: ["error": "\(error)"])
                if clock.now() >= current.expiresAt {
                    logger.error("the lease expired while it could not be renewed; stopping the run")
                    return true
                }
            }
        }
    }
}
