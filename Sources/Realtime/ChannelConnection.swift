import Logging

/// One client socket as the hub sees it: its user and its bounded outbox.
///
/// Concurrency: the hub (and `ChannelHub.send(_:toConnection:)`) enqueue from any task; exactly
/// one writer consumes, either event-driven (`drain(with:)` then `poll()`, as the server's sockets
/// do) or as a task (`next()` / `for await event in connection.outbox`). Enqueueing never
/// suspends: it appends under a short lock and tells the drainer, or resumes a parked writer task.
/// See `OutboxPolicy` for the drop and close rules.
///
/// Memory: an idle connection is this object, a mutex and an empty queue (no task, no buffer).
public final class ChannelConnection: @unchecked Sendable {
    public typealias ID = UInt64

    /// Unique within one hub (node); never reused while the hub lives.
    public let id: ID
    public let user: ChannelUser
    let environment: ConnectionEnvironment

    /// How the connection's single writer consumes its outbox.
    public enum Writing: Sendable {
        /// A task iterates `outbox` (or calls `next()`) and blocks inside its socket writes: the
        /// writer taking nothing while messages wait counts as a stall.
        case task
        /// A drainer (`drain(with:)`, `poll()`) that tells `transport(writable:)` when the socket
        /// refuses and accepts bytes again: only time the socket refuses them counts as a stall.
        case eventDriven
    }

    private let lock = Lock()
    // Guarded by `lock`.
    private var state: OutboxState
    private var waiter: UnsafeContinuation<OutboxEvent?, Never>?
    private var writerCancelled = false
    private var closeHandler: (@Sendable (UInt16, String) -> Void)?
    /// Event-driven writing (`drain(with:)`/`poll`): told when there is work and no drain is pending.
    private var drainer: (any OutboxDrainer)?
    private var drainPending = false

    init(id: ID, user: ChannelUser, environment: ConnectionEnvironment, writing: Writing = .task) {
        self.id = id
        self.user = user
        self.environment = environment
        self.state = OutboxState(reportsWritability: writing == .eventDriven)
    }

    /// A connection outside any hub, for tests and tools; hub connections come from `ChannelHub.connect(user:)`.
    public convenience init(
        id: ID, user: ChannelUser, policy: OutboxPolicy = OutboxPolicy(), logger: Logger, writing: Writing = .task,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.init(id: id, user: user, environment: ConnectionEnvironment(policy: policy, logger: logger, now: now), writing: writing)
    }

    /// Registers a callback run once when the outbox decides to close (slow client, `close`).
    ///
    /// The `.close` event is also yielded to the writer; this hook is for a writer that may be
    /// stuck in a socket write that never completes (a peer that stopped reading): the server can
    /// use it to force the socket shut. Called outside the lock, on the deciding task; keep it short.
    public func onCloseRequest(_ handler: @escaping @Sendable (_ code: UInt16, _ reason: String) -> Void) {
        lock.withLock { closeHandler = handler }
    }

    /// Switches the connection to event-driven writing: `drainer` hears (outside the lock) whenever
    /// the outbox has something to write and no drain is pending; it then calls `poll()` until nil.
    ///
    /// Why: an idle connection then costs no parked writer task at all — with 10,000 sockets the
    /// tasks' stacks, not the queues, were most of the memory.
    public func drain(with drainer: any OutboxDrainer) {
        let report: Bool = lock.withLock {
            self.drainer = drainer
            guard state.hasPending, !drainPending else { return false }
            drainPending = true
            return true
        }
        if report { drainer.outboxesReady([self]) }
    }

    /// The next thing to write without waiting; nil when there is nothing to write now (the drain
    /// is over: the next enqueue calls the ready handler again) or the outbox is finished.
    public func poll() -> OutboxEvent? {
        lock.withLock {
            switch state.next(now: environment.now()) {
            case .event(let event):
                return event
            case .wait, .finished:
                drainPending = false
                return nil
            }
        }
    }

    /// Must be called with `lock` held: the drainer to tell once the lock is released, if any.
    private func takeDrainer() -> (any OutboxDrainer)? {
        guard let drainer, !drainPending, state.hasPending else { return nil }
        drainPending = true
        return drainer
    }

    /// The next thing to write, waiting while the outbox is empty; `nil` once the outbox is finished.
    ///
    /// Only one task may call this at a time. Cancelling the waiting task finishes the outbox
    /// (the writer is going away) and returns `nil`.
    public func next() async -> OutboxEvent? {
        let immediate: OutboxState.NextAction = lock.withLock {
            writerCancelled ? .finished : state.next(now: environment.now())
        }
        switch immediate {
        case .event(let event): return event
        case .finished: return nil
        case .wait: break
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<OutboxEvent?, Never>) in
                let action: OutboxState.NextAction = lock.withLock {
                    if writerCancelled { return .finished }
                    let action = state.next(now: environment.now())
                    if case .wait = action {
                        precondition(waiter == nil, "a ChannelConnection outbox supports exactly one writer")
                        waiter = continuation
                    }
                    return action
                }
                switch action {
                case .event(let event): continuation.resume(returning: event)
                case .finished: continuation.resume(returning: nil)
                case .wait: break
                }
            }
        } onCancel: {
            let parked: UnsafeContinuation<OutboxEvent?, Never>? = lock.withLock {
                writerCancelled = true
                state.finish()
                defer { waiter = nil }
                return waiter
            }
            parked?.resume(returning: nil)
        }
    }

    /// Queues `message` under the outbox policy; never waits. Logs and counts drops and closes.
    @discardableResult
    func enqueue(_ message: OutboundMessage, now: ContinuousClock.Instant) -> OutboxState.EnqueueResult {
        let (result, drainer) = queue(message, now: now)
        drainer?.outboxesReady([self])
        return result
    }

    /// Like `enqueue(_:now:)`, but a drainer to tell is added to `batch`, which the fan-out
    /// reports once at the end.
    @discardableResult
    func enqueue(_ message: OutboundMessage, now: ContinuousClock.Instant, into batch: inout ReadyBatch) -> OutboxState.EnqueueResult {
        let (result, drainer) = queue(message, now: now)
        if let drainer { batch.add(self, drainer: drainer) }
        return result
    }

    private func queue(_ message: OutboundMessage, now: ContinuousClock.Instant) -> (OutboxState.EnqueueResult, (any OutboxDrainer)?) {
        let (result, wake, handler, drainer) = lock.withLock {
            () -> (OutboxState.EnqueueResult, Wake?, (@Sendable (UInt16, String) -> Void)?, (any OutboxDrainer)?) in
            let result = state.enqueue(message, now: now, policy: environment.policy)
            let wake = takeWaiterIfReady(now: now)
            let drainer = takeDrainer()
            if case .closedSlow = result { return (result, wake, closeHandler, drainer) }
            return (result, wake, nil, drainer)
        }
        wake?.resume()
        if case .closedSlow(let reason, _) = result {
            environment.logger.warning(
                "closing slow realtime connection",
                metadata: ["connection": "\(id)", "user": "\(user.id)", "reason": "\(reason.rawValue)", "close_code": "1013"]
            )
            environment.metrics.slowClosed(reason)
            handler?(ChannelCloseCode.tryAgainLater, reason.rawValue)
        }
        return (result, drainer)
    }

    /// Asks the writer to close the socket with `code`; pending messages are discarded, or written
    /// first with `flush` (so a last error message reaches the client before the close frame).
    public func close(code: UInt16 = ChannelCloseCode.normal, reason: String = "", flush: Bool = false) {
        let (wake, handler, ready) = lock.withLock { () -> (Wake?, (@Sendable (UInt16, String) -> Void)?, (any OutboxDrainer)?) in
            guard state.close(code: code, reason: reason, flush: flush) else { return (nil, nil, nil) }
            return (takeWaiterIfReady(now: environment.now()), closeHandler, takeDrainer())
        }
        wake?.resume()
        ready?.outboxesReady([self])
        handler?(code, reason)
    }

    /// Ends the outbox: the writer's `next()` returns `nil`. Used by `ChannelHub.disconnect(_:)`.
    ///
    /// The drainer and close handler are released too: they usually reference the socket that
    /// references this connection, and that cycle must not outlive the socket.
    func finish() {
        let wake: Wake? = lock.withLock {
            state.finish()
            drainer = nil
            closeHandler = nil
            return takeWaiterIfReady(now: environment.now())
        }
        wake?.resume()
    }

    /// The event-driven writer's socket started (`false`) or stopped refusing bytes: the slow-client
    /// stall clock runs only while it refuses them (see `OutboxPolicy`). Ignored for `.task` writing.
    public func transport(writable: Bool) {
        lock.withLock { state.transport(writable: writable, now: environment.now()) }
    }

    /// Reports that `message` was written to the socket, for the delivery-latency timer.
    public func didWrite(_ message: OutboundMessage) {
        environment.metrics.deliveryLatency.recordNanoseconds((environment.now() - message.createdAt).nanoseconds)
    }

    /// Messages waiting in the outbox (for tests and diagnostics).
    public var queuedCount: Int { lock.withLock { state.queue.count } }

    /// Whether the outbox still accepts messages (not closing, not finished).
    public var isOpen: Bool { lock.withLock { state.status == .open } }

    /// A parked writer and what to resume it with, taken under the lock and resumed outside it.
    private struct Wake {
        let continuation: UnsafeContinuation<OutboxEvent?, Never>
        let event: OutboxEvent?
        func resume() { continuation.resume(returning: event) }
    }

    /// Must be called with `lock` held.
    private func takeWaiterIfReady(now: ContinuousClock.Instant) -> Wake? {
        guard let continuation = waiter else { return nil }
        switch state.next(now: now) {
        case .wait:
            return nil
        case .event(let event):
            waiter = nil
            return Wake(continuation: continuation, event: event)
        case .finished:
            waiter = nil
            return Wake(continuation: continuation, event: nil)
        }
    }
}

extension ChannelConnection: Hashable {
    public static func == (lhs: ChannelConnection, rhs: ChannelConnection) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// What all connections of one hub share: limits, clock, logger and metrics (one copy, not per connection).
final class ConnectionEnvironment: Sendable {
    let policy: OutboxPolicy
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    let metrics: RealtimeMetrics

    init(policy: OutboxPolicy, logger: Logger, now: @escaping @Sendable () -> ContinuousClock.Instant, metrics: RealtimeMetrics = .shared) {
        self.policy = policy
        self.logger = logger
        self.now = now
        self.metrics = metrics
    }
}
