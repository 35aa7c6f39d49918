import DequeModule

/// The outbox of one connection as a pure state machine: queueing, dropping and closing.
///
/// `ChannelConnection` runs it under its lock and does the waking; keeping the policy here,
/// free of I/O and tasks, lets tests drive every transition with an explicit clock.
struct OutboxState {
    enum Status: Equatable {
        case open
        /// A close was decided; the writer still has to receive the `.close` event (after the
        /// queued messages when the close asked for them to be flushed).
        case closing(code: UInt16, reason: String, flush: Bool)
        case finished
    }

    /// Why a connection was cut off for being slow (metric dimension and log metadata).
    enum SlowReason: String, Sendable {
        case queueFull = "queue_full"
        case stalled
    }

    enum EnqueueResult: Equatable {
        /// Queued; `dropped` older non-essential messages were discarded to make room.
        case enqueued(dropped: Int)
        /// The connection is now closing because it is too slow; its queue was released.
        case closedSlow(SlowReason, dropped: Int)
        /// The connection was already closing or finished; nothing was queued.
        case rejected
    }

    enum NextAction {
        case event(OutboxEvent)
        case wait
        case finished
    }

    private(set) var queue: Deque<OutboundMessage> = []
    private(set) var queuedBytes = 0
    private(set) var status: Status = .open
    /// Set while messages are queued: the later of "queue became non-empty" and "writer took one".
    private var waitingSince: ContinuousClock.Instant?
    /// Whether the writer reports its socket's writability (`transport(writable:now:)`). An
    /// event-driven writer does; a task writer blocks inside its socket write instead.
    let reportsWritability: Bool
    /// Since when the socket has refused more bytes, while it still does (reporting writers only).
    private var unwritableSince: ContinuousClock.Instant?

    init(reportsWritability: Bool = false) {
        self.reportsWritability = reportsWritability
    }

    mutating func enqueue(_ message: OutboundMessage, now: ContinuousClock.Instant, policy: OutboxPolicy) -> EnqueueResult {
        guard status == .open else { return .rejected }
        if let since = stalledSince, now - since > policy.maxStall {
            close(code: ChannelCloseCode.tryAgainLater, reason: "too slow: no progress for \(policy.maxStall)")
            return .closedSlow(.stalled, dropped: 0)
        }
        if queue.isEmpty { waitingSince = now }
        queue.append(message)
        queuedBytes += message.bytes.count
        var dropped = 0
        while queue.count > 1, queue.count > policy.capacity || queuedBytes > policy.maxQueuedBytes {
            guard let index = queue.firstIndex(where: { !$0.essential }) else { break }
            let removed = queue.remove(at: index)
            queuedBytes -= removed.bytes.count
            dropped += 1
        }
        if queue.count > policy.hardCapacity || (queue.count > 1 && queuedBytes > policy.maxQueuedBytes) {
            close(code: ChannelCloseCode.tryAgainLater, reason: "too slow: outbox full")
            return .closedSlow(.queueFull, dropped: dropped)
        }
        return .enqueued(dropped: dropped)
    }

    /// The writer's socket could (`writable`) or could not take more bytes.
    mutating func transport(writable: Bool, now: ContinuousClock.Instant) {
        if writable {
            unwritableSince = nil
        } else if unwritableSince == nil {
            unwritableSince = now
        }
    }

    /// Since when queued messages have been waiting without the socket draining.
    ///
    /// Why writability matters: a writer that has not run yet is not a slow client. When the
    /// server's own event loop is starved (a busy machine), messages wait while the socket is
    /// perfectly writable; counting that time as the client's stall cut off healthy clients (a
    /// fresh socket was closed before its first message during a 3-second pause of the process). So
    /// when the writer reports writability, the clock runs only while the socket refuses bytes.
    private var stalledSince: ContinuousClock.Instant? {
        guard let waitingSince else { return nil }
        guard reportsWritability else { return waitingSince }
        guard let unwritableSince else { return nil }
        return max(waitingSince, unwritableSince)
    }

    /// Whether the writer has something to do now (a message, or the close it must send).
    var hasPending: Bool {
        switch status {
        case .open: !queue.isEmpty
        case .closing: true
        case .finished: false
        }
    }

    mutating func next(now: ContinuousClock.Instant) -> NextAction {
        switch status {
        case .finished:
            return .finished
        case .closing(let code, let reason, let flush):
            if flush, let message = queue.popFirst() {
                queuedBytes -= message.bytes.count
                return .event(.message(message))
            }
            status = .finished
            return .event(.close(code: code, reason: reason))
        case .open:
            guard let message = queue.popFirst() else { return .wait }
            queuedBytes -= message.bytes.count
            waitingSince = queue.isEmpty ? nil : now
            return .event(.message(message))
        }
    }

    /// Asks the writer to close; queued messages are released, or written first when `flush` is set
    /// (a final error the client must read). Returns false if already closing or finished.
    @discardableResult
    mutating func close(code: UInt16, reason: String, flush: Bool = false) -> Bool {
        guard status == .open else { return false }
        status = .closing(code: code, reason: reason, flush: flush)
        if !flush { release() }
        return true
    }

    /// Ends the outbox without a close event (the socket is already gone).
    mutating func finish() {
        status = .finished
        release()
    }

    private mutating func release() {
        queue = []
        queuedBytes = 0
        waitingSince = nil
    }
}
