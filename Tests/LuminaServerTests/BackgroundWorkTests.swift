import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing
@testable import LuminaServer

/// Work started by requests stops in order on shutdown: finished if it can within the grace
/// period, cancelled (not abandoned) if it cannot, and nothing new starts once shutdown began.
@Suite("background work") struct BackgroundWorkTests {
    static func group(_ work: BackgroundWork) -> ServiceGroup {
        ServiceGroup(configuration: .init(services: [.init(service: work)], logger: Logger(label: "test")))
    }

    /// The short work ends when the test releases it, just after shutdown began, rather than after
    /// a fixed sleep: on a busy two-core machine the suite can stall for seconds, and a sleep and
    /// the grace period that both ran out during the stall could resume in either order.
    @Test func shutdownWaitsForShortWorkAndCancelsLongWork() async throws {
        let work = BackgroundWork(grace: .seconds(3), logger: Logger(label: "test"))
        let outcomes = NIOLockedValueBox([String]())
        let (release, releaser) = AsyncStream<Void>.makeStream()
        work.submit("short") {
            for await _ in release { break }
            outcomes.withLockedValue { $0.append(Task.isCancelled ? "short cancelled" : "short finished") }
        }
        work.submit("long") {
            do {
                try await Task.sleep(for: .seconds(30))
                outcomes.withLockedValue { $0.append("long finished") }
            } catch {
                outcomes.withLockedValue { $0.append("long cancelled") }
            }
        }
        let group = Self.group(work)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while work.runningCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
            await group.triggerGracefulShutdown()
            releaser.yield()
            try await tasks.waitForAll()
        }
        // Waiting for the long work would have taken 30 s and recorded "long finished".
        #expect(outcomes.withLockedValue { $0.sorted() } == ["long cancelled", "short finished"])
        work.submit("late") { outcomes.withLockedValue { $0.append("late ran") } }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!outcomes.withLockedValue { $0 }.contains("late ran"), "nothing starts after shutdown")
    }
}
