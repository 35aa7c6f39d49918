import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Work a request starts and does not wait for (cleaning after an upload, "Clean now"), run as
/// children of one service instead of loose tasks.
///
/// Why: a loose task outlives the server's shutdown and fails half-way against a closed database
/// pool. Here shutdown stops taking new work, gives running work `grace` to finish, then cancels
/// it; cleaning cut short leaves its dataset marked `cleaning`, which the scheduler redoes at the
/// next start. Registered before the scheduler, so it stops while the database and hub still run.
final class BackgroundWork: Service, Sendable {
    private struct Item: Sendable {
        let name: String
        let work: @Sendable () async -> Void
    }

    private let items: AsyncStream<Item>
    private let submissions: AsyncStream<Item>.Continuation
    private let grace: Duration
    private let logger: Logger
    private let running = NIOLockedValueBox(0)

    init(grace: Duration, logger: Logger) {
        (items, submissions) = AsyncStream.makeStream(of: Item.self)
        self.grace = grace
        self.logger = logger
    }

    /// Starts `work` now (or as soon as the service runs); refused once shutdown has begun.
    func submit(_ name: String, _ work: @escaping @Sendable () async -> Void) {
        if case .terminated = submissions.yield(Item(name: name, work: work)) {
            logger.notice("background work refused during shutdown", metadata: ["work": "\(name)"])
        }
    }

    /// Work still running (for tests and the shutdown wait).
    var runningCount: Int { running.withLockedValue { $0 } }

    func run() async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await item in items {
                    running.withLockedValue { $0 += 1 }
                    group.addTask { [running] in
                        await item.work()
                        running.withLockedValue { $0 -= 1 }
                    }
                }
            } onGracefulShutdown: {
                self.submissions.finish()
            }
            // Shutting down: running work gets the grace period, then is cancelled.
            let deadline = ContinuousClock.now + grace
            while runningCount > 0, ContinuousClock.now < deadline {
                do {
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    break
                }
            }
            if runningCount > 0 {
                logger.notice("cancelling background work still running after the shutdown grace period",
                              metadata: ["running": "\(runningCount)"])
                group.cancelAll()
            }
        }
    }
}
