import Foundation

/// A `LeaseStore` in one process. Share one instance between several `JobScheduler`s to
/// simulate a cluster in tests; on its own it is the store for a single-node deployment.
public actor InMemoryLeaseStore: LeaseStore {
    private struct Entry {
        var claimedFire: Date?
        var holder: JobLease?
    }

    private var entries: [String: Entry] = [:]

    public init() {}

    public func claim(job: String, fireTime: Date, node: String, ttl: TimeInterval, now: Date) -> LeaseClaim {
        var entry = entries[job, default: Entry()]
        if let claimed = entry.claimedFire, claimed >= fireTime {
            return .alreadyClaimed
        }
        entry.claimedFire = fireTime
        defer { entries[job] = entry }
        if let holder = entry.holder, holder.expiresAt > now {
            return .busy(holder: holder.node)
        }
        let lease = JobLease(job: job, node: node, fireTime: fireTime, expiresAt: now.addingTimeInterval(ttl))
        entry.holder = lease
        return .acquired(lease)
    }

    public func claimManual(job: String, node: String, ttl: TimeInterval, now: Date) -> LeaseClaim {
        var entry = entries[job, default: Entry()]
        if let holder = entry.holder, holder.expiresAt > now {
            return .busy(holder: holder.node)
        }
        let lease = JobLease(job: job, node: node, fireTime: nil, expiresAt: now.addingTimeInterval(ttl))
        entry.holder = lease
        entries[job] = entry
        return .acquired(lease)
    }

    /// Succeeds while the stored holder is still this node's lease for the same fire, even
    /// slightly past expiry as long as nobody else has taken it over — the same rule a SQL
    /// `UPDATE ... WHERE node = ? AND fire_time = ?` gives.
    public func renew(_ lease: JobLease, ttl: TimeInterval, now: Date) -> JobLease? {
        guard var entry = entries[lease.job], let holder = entry.holder,
              holder.node == lease.node, holder.fireTime == lease.fireTime
        else { return nil }
        var renewed = holder
        renewed.expiresAt = now.addingTimeInterval(ttl)
        entry.holder = renewed
        entries[lease.job] = entry
        return renewed
    }

    public func release(_ lease: JobLease) {
        guard var entry = entries[lease.job], let holder = entry.holder,
              holder.node == lease.node, holder.fireTime == lease.fireTime
        else { return }
        entry.holder = nil
        entries[lease.job] = entry
    }

    /// The current holder of a job's lease, expired or not; for tests and diagnostics.
    public func holder(of job: String) -> JobLease? {
        entries[job]?.holder
    }
}

/// The lease store for a single node: nothing else competes, so in-memory state is enough
/// (after a restart no run of this node is alive, and the run log remembers missed fires).
public typealias LocalLeaseStore = InMemoryLeaseStore
