import Foundation

/// A manually advanced clock for deterministic tests of anything that sleeps on a `JobClock`.
///
/// Sleepers are resumed in deadline order while advancing, and after each step the clock
/// waits briefly for woken tasks to settle (register their next sleep), so a renewal every
/// 40 s inside a 15-minute advance happens at the right clock times instead of all at the end.
public final class TestClock: JobClock, @unchecked Sendable {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var condition: @Sendable ([Date]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private let lock = NSLock()
    private var current: Date
    private var sleepers: [UInt64: Sleeper] = [:]
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0
    /// Changes on every registration or wake-up; settling waits for it to stop changing.
    private var generation: UInt64 = 0

    public init(now: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        current = now
    }

    public func now() -> Date {
        lock.withLock { current }
    }

    /// Deadlines of the currently suspended sleepers, earliest first.
    public var sleeperDeadlines: [Date] {
        lock.withLock { sleepers.values.map(\.deadline).sorted() }
    }

    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: [CheckedContinuation<Void, Never>]
                lock.lock()
                if Task.isCancelled {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                if deadline <= current {
                    lock.unlock()
                    continuation.resume()
                    return
                }
                sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                generation &+= 1
                ready = takeSatisfiedWaiters()
                lock.unlock()
                ready.forEach { $0.resume() }
            }
        } onCancel: {
            let sleeper: Sleeper? = lock.withLock {
                generation &+= 1
                return sleepers.removeValue(forKey: id)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Advances by `interval`, waking sleepers whose deadlines pass, in order.
    public func advance(by interval: TimeInterval) async {
        await advance(to: now().addingTimeInterval(interval))
    }

    /// Advances to `target`, stepping through each sleeper deadline on the way.
    public func advance(to target: Date) async {
        // Tasks started just before (a run launched by `runNow`) get to register their sleeps
        // before time moves past them.
        await settle()
        while true {
            let woken: [CheckedContinuation<Void, any Error>] = lock.withLock {
                guard let earliest = sleepers.values.map(\.deadline).min(), earliest <= target else {
                    if target > current { current = target }
                    return []
                }
                if earliest > current { current = earliest }
                let due = sleepers.filter { $0.value.deadline <= current }
                for key in due.keys { sleepers.removeValue(forKey: key) }
                generation &+= 1
                return due.map(\.value.continuation)
            }
            if woken.isEmpty { break }
            woken.forEach { $0.resume() }
            await settle()
        }
        await settle()
    }

    /// Sets the time to `target` in one step and wakes every sleeper that is due, as when a
    /// process was suspended (laptop lid, VM pause) and wakes late past several deadlines.
    public func jump(to target: Date) async {
        let woken: [CheckedContinuation<Void, any Error>] = lock.withLock {
            if target > current { current = target }
            let due = sleepers.filter { $0.value.deadline <= current }
            for key in due.keys { sleepers.removeValue(forKey: key) }
            generation &+= 1
            return due.map(\.value.continuation)
        }
        woken.forEach { $0.resume() }
        await settle()
    }

    /// Suspends until at least `count` sleepers are waiting on this clock.
    public func waitForSleepers(_ count: Int) async {
        await waitUntil { $0.count >= count }
    }

    /// Suspends until some task sleeps until exactly `deadline`: for a scheduler, proof that it
    /// has handled everything before and is waiting for that fire.
    public func waitForSleeper(until deadline: Date) async {
        await waitUntil { $0.contains(deadline) }
    }

    /// Suspends until at least `count` tasks sleep until exactly `deadline`, e.g. every node of
    /// a simulated cluster waiting for the same fire.
    public func waitForSleepers(_ count: Int, until deadline: Date) async {
        await waitUntil { $0.filter { $0 == deadline }.count >= count }
    }

    private func waitUntil(_ condition: @escaping @Sendable ([Date]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if condition(sleepers.values.map(\.deadline)) {
                lock.unlock()
                continuation.resume()
                return
            }
            waiters.append(Waiter(condition: condition, continuation: continuation))
            lock.unlock()
        }
    }

    /// Must be called with the lock held.
    private func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
        let deadlines = sleepers.values.map(\.deadline)
        var ready: [CheckedContinuation<Void, Never>] = []
        waiters.removeAll { waiter in
            guard waiter.condition(deadlines) else { return false }
            ready.append(waiter.continuation)
            return true
        }
        return ready
    }

    /// Gives woken tasks real time to run until nothing registers or wakes for a few polls
    /// (bounded, so a task that never sleeps again cannot stall the test).
    private func settle() async {
        var last = lock.withLock { generation }
        var quiet = 0
        for _ in 0..<400 where quiet < 4 {
            await Task.yield()
            try? await Task.sleep(nanoseconds: 250_000)
            let now = lock.withLock { generation }
            if now == last { quiet += 1 } else { quiet = 0; last = now }
        }
    }
}
