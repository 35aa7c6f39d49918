import Foundation

/// Counts failed sign-ins per account and per address in a sliding window.
///
/// Kept in memory per node: a cluster of N nodes allows up to N times the limit, which still stops
/// guessing at any useful rate while needing no extra table writes on every attempt.
actor LoginRateLimiter {
    private let limits: LoginLimits
    private var failuresByAccount: [String: [Date]] = [:]
    private var failuresByAddress: [String: [Date]] = [:]
    private let now: @Sendable () -> Date

    init(limits: LoginLimits, now: @escaping @Sendable () -> Date = Date.init) {
        self.limits = limits
        self.now = now
    }

    enum Verdict: Equatable, Sendable {
        case allowed
        case blocked(retryAfter: Int, reason: String)
    }

    /// Whether a sign-in for `account` from `address` may be tried now.
    func check(account: String, address: String) -> Verdict {
        let current = now()
        prune(current)
        if let retry = retryAfter(failuresByAccount[account] ?? [], limit: limits.perAccount, now: current) {
            return .blocked(retryAfter: retry, reason: "Too many failed sign-in attempts for this account.")
        }
        if let retry = retryAfter(failuresByAddress[address] ?? [], limit: limits.perAddress, now: current) {
            return .blocked(retryAfter: retry, reason: "Too many failed sign-in attempts from your network address.")
        }
        return .allowed
    }

    func recordFailure(account: String, address: String) {
        let current = now()
        failuresByAccount[account, default: []].append(current)
        failuresByAddress[address, default: []].append(current)
    }

    func recordSuccess(account: String) {
        failuresByAccount[account] = nil
    }

    private func retryAfter(_ failures: [Date], limit: Int, now: Date) -> Int? {
        guard failures.count >= limit, let oldest = failures.suffix(limit).first else { return nil }
        return max(1, Int((oldest.addingTimeInterval(limits.window).timeIntervalSince(now)).rounded(.up)))
    }

    /// Forgets failures older than the window so the maps cannot grow without bound.
    private func prune(_ now: Date) {
        let cutoff = now.addingTimeInterval(-limits.window)
        failuresByAccount = failuresByAccount.compactMapValues { let kept = $0.filter { $0 > cutoff }; return kept.isEmpty ? nil : kept }
        failuresByAddress = failuresByAddress.compactMapValues { let kept = $0.filter { $0 > cutoff }; return kept.isEmpty ? nil : kept }
    }
}
