extension ChannelHub {
    /// Tuning of a hub. Every field has a default suited to one `lumina` process.
    ///
    /// - `outbox`: per-connection queue limits and slow-client policy (see `OutboxPolicy`).
    /// - `maxGroupsPerConnection` (32): a socket joins one or two groups; the cap stops a
    ///   buggy or hostile caller from pinning hub memory through one connection.
    /// - `presenceFlushInterval` (50 ms): presence changes are batched this long into one
    ///   `presence_diff` per group (encoded once), so 1,000 tabs opening at once cost a few
    ///   diffs, not a million messages.
    /// - `heartbeatInterval` (5 s) and `presenceTTL` (15 s): a node publishes a heartbeat every
    ///   interval; another node's presence is dropped when nothing was heard from it for the TTL
    ///   (a crashed node's users leave within the TTL).
    public struct Configuration: Sendable {
        public var outbox: OutboxPolicy
        public var maxGroupsPerConnection: Int
        public var presenceFlushInterval: Duration
        public var heartbeatInterval: Duration
        public var presenceTTL: Duration

        public init(
            outbox: OutboxPolicy = OutboxPolicy(),
            maxGroupsPerConnection: Int = 32,
            presenceFlushInterval: Duration = .milliseconds(50),
            heartbeatInterval: Duration = .seconds(5),
            presenceTTL: Duration = .seconds(15)
        ) {
            precondition(maxGroupsPerConnection > 0, "maxGroupsPerConnection must be positive")
            precondition(presenceFlushInterval > .zero && heartbeatInterval > .zero, "intervals must be positive")
            precondition(presenceTTL > heartbeatInterval, "presenceTTL must exceed heartbeatInterval")
            self.outbox = outbox
            self.maxGroupsPerConnection = maxGroupsPerConnection
            self.presenceFlushInterval = presenceFlushInterval
            self.heartbeatInterval = heartbeatInterval
            self.presenceTTL = presenceTTL
        }
    }
}
