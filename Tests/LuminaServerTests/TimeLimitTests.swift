import NIOConcurrencyHelpers
import Testing
@testable import LuminaServer

/// A call that ignores cancellation (a pooled database call while the database is down) must not
/// hold its caller past the limit: shutdown of a node whose database is gone depends on it.
@Suite("time limits") struct TimeLimitTests {
    /// The operation ends only when the test lets it (or after a minute), not after a fixed time:
    /// on a busy two-core machine the whole suite can stall for seconds, and an operation that ends
    /// on the clock might end during the stall, before the time limit's own task got to run.
    @Test func givesUpWithoutWaitingForAnOperationThatIgnoresCancellation() async throws {
        let finished = NIOLockedValueBox(false)
        let released = NIOLockedValueBox(false)
        await #expect(throws: TimeLimitExceeded.self) {
            try await withTimeLimit(.milliseconds(100)) {
                let end = ContinuousClock.now + .seconds(60)
                while !released.withLockedValue({ $0 }), ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
                finished.withLockedValue { $0 = true }
            }
        }
        #expect(!finished.withLockedValue { $0 }, "the caller got its answer before the operation ended")
        released.withLockedValue { $0 = true }
    }

    @Test func passesResultsAndErrorsThrough() async throws {
        #expect(try await withTimeLimit(.seconds(5)) { 42 } == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await withTimeLimit(.seconds(5)) { throw Refused() } }
    }
}
