extension ChannelHub {
    /// Runs every `presenceFlushInterval`: sends batched presence diffs, republishes this node's
    /// changed snapshots, sends heartbeats and expires silent nodes.
    func tick() async {
        let now = environment.now()
        await flushPresence(now: now)
        if let last = lastHeartbeat, now - last < configuration.heartbeatInterval { return }
        lastHeartbeat = now
        await publish(.heartbeat(node: nodeID))
        for (node, lastSeen) in remoteNodes where now - lastSeen > configuration.presenceTTL {
            logger.warning("node presence expired", metadata: ["remote_node": "\(node)"])
            forget(node)
        }
        await flushPresence(now: now)
    }

    /// Sends each dirty group's batched `presence_diff` (encoded once) to its presence members and
    /// publishes this node's snapshot where its own users changed.
    func flushPresence(now: ContinuousClock.Instant) async {
        let dirty = dirtyGroups
        dirtyGroups = []
        var snapshots: [ChannelGroup] = []
        for group in dirty.sorted() {
            guard groups[group] != nil else { continue }
            let (diff, localChanged) = withGroup(group) { state in
                (state.presence.takeDiff(), state.presence.takeLocalUsersChanged())
            }
            if localChanged { snapshots.append(group) }
            guard let diff, let state = groups[group] else { continue }
            let message = OutboundMessage(
                type: "presence_diff",
                fields: ["joins": .array(diff.joins.map(\.json)), "leaves": .array(diff.leaves.map(\.json))],
                essential: true
            )
            let (sent, dropped, slow) = fanOut(message, to: state, excluding: nil, presenceOnly: true, now: now)
            if sent > 0 { metrics.sent.increment(by: Int64(sent)) }
            if dropped > 0 { metrics.dropped.increment(by: Int64(dropped)) }
            for connection in slow { _ = removeFromAllGroups(connection) }
        }
        for group in snapshots where groups[group] != nil {
            await publishSnapshot(of: group)
        }
    }

    /// Sends the group's full presence list to a joining connection.
    ///
    /// The encoded list is cached per group until the membership changes, so a burst of joins
    /// (or a user opening several tabs) shares one encoding.
    func sendPresenceList(of group: ChannelGroup, to connection: ChannelConnection) {
        guard groups[group] != nil else { return }
        let message = withGroup(group) { state -> OutboundMessage in
            if let cached = state.cachedPresenceList, cached.version == state.presence.version { return cached.message }
            let message = OutboundMessage(
                type: "presence", fields: ["users": .array(state.presence.users.map(\.json))], essential: true
            )
            state.cachedPresenceList = (state.presence.version, message)
            return message
        }
        send(message, toConnection: connection)
    }

    /// Publishes this node's users in `group` with a new revision.
    func publishSnapshot(of group: ChannelGroup) async {
        guard let state = groups[group] else { return }
        presenceRevision += 1
        let snapshot = PresenceSnapshot(node: nodeID, group: group, revision: presenceRevision, users: state.presence.localUsers)
        await publish(.presence(snapshot))
    }
}
