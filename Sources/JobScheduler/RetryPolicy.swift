import Foundation

/// Capped exponential backoff for the items of a job (`JobContext.retrying`): transient
/// failures of one upstream call should not fail a run that processes thousands of items.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, including the first; 1 disables retrying.
    public var maxAttempts: Int
    public var initialDelay: TimeInterval
    public var multiplier: Double
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 3, initialDelay: TimeInterval = 2, multiplier: Double = 2, maxDelay: TimeInterval = 60) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait after failed attempt `attempt` (1-based): initialDelay × multiplier^(attempt-1), at most maxDelay.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        let raw = initialDelay * pow(max(1, multiplier), exponent)
        return max(0, min(raw.isFinite ? raw : maxDelay, maxDelay))
    }
}
