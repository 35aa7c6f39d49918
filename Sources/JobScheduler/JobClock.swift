import Foundation

/// The scheduler's source of time, injected so tests can drive fires, retries, lease
/// renewals and shutdown grace periods without sleeping.
public protocol JobClock: Sendable {
    func now() -> Date
    /// Suspends until `deadline` (returns at once if it has passed); throws `CancellationError`
    /// when the calling task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time.
public struct SystemClock: JobClock {
    /// Sleeps in bounded slices so a wall-clock step (NTP correction, VM resume) delays or
    /// advances a fire by at most this much instead of by the whole original interval.
    static let maximumSlice: TimeInterval = 60

    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        while true {
            try Task.checkCancellation()
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            let slice = min(remaining, Self.maximumSlice)
            try await Task.sleep(nanoseconds: UInt64((slice * 1_000_000_000).rounded(.up)))
        }
    }
}
