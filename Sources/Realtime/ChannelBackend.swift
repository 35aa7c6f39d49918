/// Carries group messages and presence between the hubs of all nodes (processes) that serve one site.
///
/// The hub publishes every group send through the backend and fans out only what the backend
/// delivers back, its own messages included. So with several nodes every node sees one order of
/// messages per group (PostgreSQL delivers notifications in commit order), and a single node
/// behaves exactly like a cluster of one.
///
/// Implementations:
/// - `InMemoryChannelBackend`: one process (the default); can also host several hubs in one
///   process, which is how the tests simulate nodes.
/// - PostgreSQL LISTEN/NOTIFY (in LuminaServer). What it must carry:
///   * `publish(_:)`: encode the event with `ChannelBackendEvent.wirePayload()` and `NOTIFY` it,
///     on one channel (each node filters by its subscribed groups) or on one channel per group.
///     A payload over NOTIFY's 8000-byte limit (large messages, big presence snapshots) is
///     stored in a table and a reference is notified; receivers load it, decode it with
///     `ChannelBackendEvent(wirePayload:)` and the table is swept by age.
///   * `events(for:)`: decode each notification and yield it to every local node subscribed to
///     its group (group-less events go to every node), including to the publishing node.
///   * after the listener connection is lost and re-established, yield `.resynchronize` so the
///     hub republishes its presence and asks the other nodes for theirs.
///   Messages are plain `[UInt8]` JSON text, so the backend can copy them into a notification
///   payload (which must be text: it is UTF-8 JSON) without any NIO type in this module.
///
/// Concurrency: all methods may be called from any task. `publish` should not wait for other
/// nodes to process the event, only for the backend to accept it.
public protocol ChannelBackend: Sendable {
    /// The events for `node`: its subscribed groups' messages, presence, heartbeats.
    ///
    /// Called once by `ChannelHub.run()`. The stream should be bounded; when it must drop an
    /// event it counts it (the hub's presence repairs itself with the next snapshot or heartbeat).
    func events(for node: ChannelNodeID) async throws(ChannelError) -> AsyncStream<ChannelBackendEvent>

    /// Starts delivering `group`'s messages and presence to `node` (idempotent).
    func subscribe(node: ChannelNodeID, to group: ChannelGroup) async throws(ChannelError)

    /// Stops delivering `group` to `node` (idempotent).
    func unsubscribe(node: ChannelNodeID, from group: ChannelGroup) async throws(ChannelError)

    /// Delivers `event` to every node subscribed to `event.group` (every node when it has no
    /// group), including the origin.
    func publish(_ event: ChannelBackendEvent) async throws(ChannelError)

    /// Releases `node`'s stream and subscriptions; called when its hub stops.
    func detach(node: ChannelNodeID) async
}

/// A message for every member of a group, as it travels between nodes.
public struct ChannelBackendMessage: Sendable, Equatable {
    public var group: ChannelGroup
    /// The encoded envelope (UTF-8 JSON text).
    public var bytes: [UInt8]
    public var essential: Bool
    public var origin: ChannelNodeID
    /// A connection of the origin node that must not receive it (the sender of a relayed message).
    public var excluding: ChannelConnection.ID?
    /// When the origin hub published it; only meaningful on the origin node (monotonic clock),
    /// so backends that serialize events drop it.
    public var publishedAt: ContinuousClock.Instant?

    public init(
        group: ChannelGroup, bytes: [UInt8], essential: Bool, origin: ChannelNodeID,
        excluding: ChannelConnection.ID? = nil, publishedAt: ContinuousClock.Instant? = nil
    ) {
        self.group = group
        self.bytes = bytes
        self.essential = essential
        self.origin = origin
        self.excluding = excluding
        self.publishedAt = publishedAt
    }
}

/// The users one node has in one group: the unit of presence shared between nodes.
///
/// Snapshots are full lists, so they are idempotent and a lost one is repaired by the next.
/// `revision` grows with every snapshot a node publishes (any group); receivers ignore a
/// snapshot older than one they already applied from the same node.
public struct PresenceSnapshot: Sendable, Equatable {
    public var node: ChannelNodeID
    public var group: ChannelGroup
    public var revision: UInt64
    public var users: [ChannelUser]

    public init(node: ChannelNodeID, group: ChannelGroup, revision: UInt64, users: [ChannelUser]) {
        self.node = node
        self.group = group
        self.revision = revision
        self.users = users
    }
}

/// Everything that travels through a `ChannelBackend`.
public enum ChannelBackendEvent: Sendable, Equatable {
    /// A group message (fanned out by every subscribed node).
    case message(ChannelBackendMessage)
    /// A node's users in a group; sent when they change and in answer to a query.
    case presence(PresenceSnapshot)
    /// A node (newly subscribed, or resynchronizing) asks the others for their snapshots of `group`.
    case presenceQuery(group: ChannelGroup, from: ChannelNodeID)
    /// A node is alive; nodes silent for `ChannelHub.Configuration.presenceTTL` lose their presence.
    case heartbeat(node: ChannelNodeID)
    /// A node is shutting down: drop its presence now.
    case nodeLeft(ChannelNodeID)
    /// Local only (never published): the backend may have missed events (listener reconnected).
    case resynchronize

    /// The group this event is routed by; `nil` for events every node receives.
    public var group: ChannelGroup? {
        switch self {
        case .message(let message): return message.group
        case .presence(let snapshot): return snapshot.group
        case .presenceQuery(let group, _): return group
        case .heartbeat, .nodeLeft, .resynchronize: return nil
        }
    }
}
