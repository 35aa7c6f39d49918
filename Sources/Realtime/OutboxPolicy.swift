/// Limits of one connection's outbound queue, and when a slow client is cut off.
///
/// Backpressure policy (the hub never waits for a client):
/// 1. Enqueueing never blocks. Above `capacity` messages or `maxQueuedBytes` bytes, the oldest
///    non-essential message is dropped (counted in `realtime_messages_dropped_total`): a slow
///    dashboard loses stale `filter_change`s, not the newest state.
/// 2. If dropping cannot bring the queue back under the limits because only essential messages
///    are waiting, the queue may grow to `hardCapacity` messages; past that, or past the byte
///    limit, the connection is closed with 1013 (try again later).
/// 3. If messages have been waiting while the writer made no progress for `maxStall` (the socket
///    does not drain), the next enqueue closes the connection with 1013. A writer that reports
///    its socket's writability (`ChannelConnection.transport(writable:)`) is only stalled while
///    the socket refuses bytes: messages waiting on the server's own busy event loop are not the
///    client's fault.
/// A closed connection's queue is released at once, so one stuck client costs at most
/// `maxQueuedBytes` of shared frames and never delays the others.
public struct OutboxPolicy: Sendable, Equatable {
    /// Messages kept before the oldest non-essential ones are dropped.
    public var capacity: Int
    /// Messages (all essential) after which the connection is closed.
    public var hardCapacity: Int
    /// Bytes of queued frames above which non-essential messages are dropped, and the connection
    /// closed if only essential ones remain (a single message is always accepted).
    public var maxQueuedBytes: Int
    /// How long queued messages may wait without the socket draining before the connection is closed.
    public var maxStall: Duration

    public init(capacity: Int = 256, hardCapacity: Int = 1024, maxQueuedBytes: Int = 4 << 20, maxStall: Duration = .seconds(10)) {
        precondition(capacity > 0 && hardCapacity >= capacity && maxQueuedBytes > 0, "invalid outbox limits")
        self.capacity = capacity
        self.hardCapacity = hardCapacity
        self.maxQueuedBytes = maxQueuedBytes
        self.maxStall = maxStall
    }
}
