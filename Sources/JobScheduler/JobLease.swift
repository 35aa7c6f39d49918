import Foundation

/// The right to run a job on one node until `expiresAt`, renewed while the run lasts.
public struct JobLease: Sendable, Equatable {
    public var job: String
    public var node: String
    /// The fire this lease was taken for; nil for a manual run.
    public var fireTime: Date?
    public var expiresAt: Date

    public init(job: String, node: String, fireTime: Date?, expiresAt: Date) {
        self.job = job
        self.node = node
        self.fireTime = fireTime
        self.expiresAt = expiresAt
    }
}

public enum LeaseClaim: Sendable, Equatable {
    case acquired(JobLease)
    /// Another node already took this fire.
    case alreadyClaimed
    /// The job is still running on `holder` and its lease has not expired.
    case busy(holder: String)
}

/// Cluster coordination: each fire runs on exactly one node, and never while an earlier run of
/// the same job is alive somewhere. A node that dies stops renewing, so its lease expires
/// after the TTL and the job becomes runnable elsewhere.
public protocol LeaseStore: Sendable {
    /// Atomically: if this fire was already claimed (stored fire time >= fireTime) → `.alreadyClaimed`;
    /// otherwise record fireTime as claimed and, if there is no unexpired holder, take the lease
    /// (`.acquired`), else `.busy(holder)` (the caller records a `skipped` run).
    func claim(job: String, fireTime: Date, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim
    /// Manual runs: take the lease if free or expired, else `.busy` (never `.alreadyClaimed`).
    func claimManual(job: String, node: String, ttl: TimeInterval, now: Date) async throws -> LeaseClaim
    /// Extends a held lease; nil if it was lost (taken over or released).
    func renew(_ lease: JobLease, ttl: TimeInterval, now: Date) async throws -> JobLease?
    func release(_ lease: JobLease) async throws
}
