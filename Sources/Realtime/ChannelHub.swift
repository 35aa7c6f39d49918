import Logging

/// Groups of connections, fan-out and presence for one node (process).
///
/// Flow: `send(_:toGroup:)` publishes through the `ChannelBackend`; `run()` receives what the
/// backend delivers (from this node and the others) and enqueues each message, encoded once,
/// on every local member's outbox. Enqueueing never waits: a slow socket only ever affects its
/// own outbox (`OutboxPolicy`). `run()` must be running for group messages and presence to flow;
/// LuminaServer runs it as a service (`extension ChannelHub: @retroactive Service {}` works, since
/// `run()` returns normally on cancellation).
///
/// A WebSocket handler:
/// ```swift
/// let connection = await hub.connect(user: ChannelUser(id: user.id, name: user.name))
/// try await hub.add(connection, to: .dashboard(id), presence: true)
/// // writer task: for await event in connection.outbox { write frame / close }
/// // reader: relay inbound frames; when the socket ends:
/// await hub.disconnect(connection)
/// ```
public actor ChannelHub {
    struct Member {
        let connection: ChannelConnection
        let tracksPresence: Bool
    }

    struct GroupState {
        var members: [ChannelConnection.ID: Member] = [:]
        var presence = GroupPresence()
        var presenceMembers = 0
        var presenceQueried = false
        var cachedPresenceList: (version: UInt64, message: OutboundMessage)?
    }

    public nonisolated let nodeID: ChannelNodeID
    public nonisolated let configuration: Configuration
    nonisolated let backend: any ChannelBackend
    nonisolated let environment: ConnectionEnvironment
    nonisolated let logger: Logger

    var groups: [ChannelGroup: GroupState] = [:]
    var connectionGroups: [ChannelConnection.ID: [ChannelGroup]] = [:]
    var liveConnections: Set<ChannelConnection.ID> = []
    private var nextConnectionID: ChannelConnection.ID = 1
    var remoteNodes: [ChannelNodeID: ContinuousClock.Instant] = [:]
    var dirtyGroups: Set<ChannelGroup> = []
    var presenceRevision: UInt64 = 0
    var lastHeartbeat: ContinuousClock.Instant?

    /// - Parameters:
    ///   - backend: carries messages between nodes; `InMemoryChannelBackend()` for one process.
    ///   - nodeID: this process's id among the nodes; a fresh random one by default.
    ///   - now: the monotonic clock, injected for tests of stall and expiry rules.
    public init(
        backend: any ChannelBackend = InMemoryChannelBackend(),
        configuration: Configuration = Configuration(),
        nodeID: ChannelNodeID = .random(),
        logger: Logger = Logger(label: "lumina.realtime"),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.backend = backend
        self.configuration = configuration
        self.nodeID = nodeID
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeID)"
        self.logger = logger
        self.environment = ConnectionEnvironment(policy: configuration.outbox, logger: logger, now: now)
    }

    nonisolated var metrics: RealtimeMetrics { environment.metrics }

    /// Registers a new socket of `user`; it receives nothing until added to a group. `writing` says
    /// how its writer will consume the outbox, which decides when it counts as stalled.
    public func connect(user: ChannelUser, writing: ChannelConnection.Writing = .task) -> ChannelConnection {
        let connection = ChannelConnection(id: nextConnectionID, user: user, environment: environment, writing: writing)
        nextConnectionID += 1
        liveConnections.insert(connection.id)
        metrics.connections.record(liveConnections.count)
        return connection
    }

    /// Adds `connection` to `group`. With `presence`, the user is counted in the group's presence,
    /// the connection receives the full `presence` list now and `presence_diff`s afterwards.
    ///
    /// The first local member subscribes this node to the group in the backend.
    public func add(_ connection: ChannelConnection, to group: ChannelGroup, presence: Bool = false) async throws(ChannelError) {
        guard liveConnections.contains(connection.id), connection.isOpen else { throw .connectionClosed }
        if groups[group]?.members[connection.id] != nil { return }
        let joined = connectionGroups[connection.id] ?? []
        guard joined.count < configuration.maxGroupsPerConnection else {
            throw .tooManyGroups(limit: configuration.maxGroupsPerConnection)
        }
        let isNewGroup = groups[group] == nil
        connectionGroups[connection.id] = joined + [group]
        // Mutate the group state in place: copying it out would copy a 10,000-member dictionary per join.
        let queryPresence = withGroup(group) { state in
            state.members[connection.id] = Member(connection: connection, tracksPresence: presence)
            guard presence else { return false }
            state.presenceMembers += 1
            state.presence.localJoin(connection.user)
            defer { state.presenceQueried = true }
            return !state.presenceQueried
        }
        if presence { dirtyGroups.insert(group) }
        if presence { sendPresenceList(of: group, to: connection) }
        if isNewGroup {
            do {
                try await backend.subscribe(node: nodeID, to: group)
            } catch {
                metrics.backendErrors.increment()
                logger.error("backend subscribe failed", metadata: ["group": "\(group)", "error": "\(error)"])
                removeMember(connection, from: group)
                throw error
            }
        }
        if queryPresence {
            await publish(.presenceQuery(group: group, from: nodeID))
        }
    }

    /// Removes `connection` from `group` (its user leaves the group's presence if it was its last tab).
    public func discard(_ connection: ChannelConnection, from group: ChannelGroup) async {
        removeMember(connection, from: group)
        await releaseEmptyGroups([group])
    }

    /// Forgets `connection` entirely: leaves every group and ends its outbox (the writer's loop ends).
    ///
    /// Call it once the socket is gone, whatever the reason (client close, error, 1013). Idempotent.
    public func disconnect(_ connection: ChannelConnection) async {
        let left = removeFromAllGroups(connection)
        connection.finish()
        if liveConnections.remove(connection.id) != nil {
            metrics.connections.record(liveConnections.count)
        }
        await releaseEmptyGroups(left)
    }

    /// Publishes `message` to every member of `group` on every node, except `sender` (if given).
    ///
    /// Returns once the backend accepted it; local delivery happens in `run()`, never blocking on
    /// a slow client. Throws `.backendUnavailable` when the backend cannot publish.
    public nonisolated func send(_ message: OutboundMessage, toGroup group: ChannelGroup, except sender: ChannelConnection? = nil) async throws(ChannelError) {
        let event = ChannelBackendMessage(
            group: group, bytes: message.bytes, essential: message.essential, origin: nodeID,
            excluding: sender?.id, publishedAt: environment.now()
        )
        do {
            try await backend.publish(.message(event))
        } catch {
            metrics.backendErrors.increment()
            logger.error("backend publish failed", metadata: ["group": "\(group)", "error": "\(error)"])
            throw error
        }
    }

    /// Enqueues `message` on one connection of this node (replies, `upload_resume`, errors).
    public nonisolated func send(_ message: OutboundMessage, toConnection connection: ChannelConnection) {
        switch connection.enqueue(message, now: environment.now()) {
        case .enqueued(let dropped):
            metrics.sent.increment()
            if dropped > 0 { metrics.dropped.increment(by: Int64(dropped)) }
        case .closedSlow(_, let dropped):
            if dropped > 0 { metrics.dropped.increment(by: Int64(dropped)) }
        case .rejected:
            break
        }
    }

    /// The users present in `group` (all nodes), ordered by id.
    public func presence(in group: ChannelGroup) -> [ChannelUser] {
        groups[group]?.presence.users ?? []
    }

    /// Local connections in `group`.
    public func connectionCount(in group: ChannelGroup) -> Int {
        groups[group]?.members.count ?? 0
    }

    /// Open connections of this hub.
    public var openConnectionCount: Int { liveConnections.count }

    /// Runs `body` on the state of `group` in place (created if missing).
    func withGroup<Result>(_ group: ChannelGroup, _ body: (inout GroupState) -> Result) -> Result {
        body(&groups[group, default: GroupState()])
    }

    func removeMember(_ connection: ChannelConnection, from group: ChannelGroup) {
        guard groups[group] != nil else { return }
        let removed = withGroup(group) { state -> Member? in
            guard let member = state.members.removeValue(forKey: connection.id) else { return nil }
            if member.tracksPresence {
                state.presenceMembers -= 1
                state.presence.localLeave(connection.user)
            }
            return member
        }
        guard let removed else { return }
        if removed.tracksPresence { dirtyGroups.insert(group) }
        if var joined = connectionGroups[connection.id] {
            joined.removeAll { $0 == group }
            connectionGroups[connection.id] = joined.isEmpty ? nil : joined
        }
    }

    /// Removes `connection` from all its groups and returns them.
    func removeFromAllGroups(_ connection: ChannelConnection) -> [ChannelGroup] {
        let joined = connectionGroups[connection.id] ?? []
        for group in joined { removeMember(connection, from: group) }
        return joined
    }

    /// Drops the state of groups without local members: unsubscribes, and tells the other nodes
    /// this node has nobody there any more.
    func releaseEmptyGroups(_ candidates: [ChannelGroup]) async {
        for group in candidates {
            guard let state = groups[group], state.members.isEmpty else { continue }
            groups[group] = nil
            dirtyGroups.remove(group)
            if state.presenceQueried {
                presenceRevision += 1
                await publish(.presence(PresenceSnapshot(node: nodeID, group: group, revision: presenceRevision, users: [])))
            }
            // Re-check after each suspension: a connection may have joined the group meanwhile,
            // and its subscribe may have raced with this unsubscribe.
            guard groups[group] == nil else { continue }
            do {
                try await backend.unsubscribe(node: nodeID, from: group)
                if groups[group] != nil { try await backend.subscribe(node: nodeID, to: group) }
            } catch {
                metrics.backendErrors.increment()
                logger.error("backend unsubscribe failed", metadata: ["group": "\(group)", "error": "\(error)"])
            }
        }
    }

    /// Publishes a control event; failures are logged and counted (presence repairs itself).
    func publish(_ event: ChannelBackendEvent) async {
        do {
            try await backend.publish(event)
        } catch {
            metrics.backendErrors.increment()
            logger.error("backend publish failed", metadata: ["group": "\(event.group?.name ?? "-")", "error": "\(error)"])
        }
    }
}
