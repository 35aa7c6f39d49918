extension ChannelHub {
    /// Receives backend events and runs the presence clock until the task is cancelled.
    ///
    /// Returns normally on cancellation (after telling the other nodes this one left), so it can
    /// be a ServiceLifecycle service with `cancelWhenGracefulShutdown`. Call it once per hub.
    public func run() async throws {
        let events = try await backend.events(for: nodeID)
        logger.info("channel hub started")
        lastHeartbeat = environment.now()
        await publish(.heartbeat(node: nodeID))
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { [configuration] in
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: configuration.presenceFlushInterval)
                    } catch {
                        return
                    }
                    await self.tick()
                }
            }
            for await event in events {
                await handle(event)
            }
            tasks.cancelAll()
        }
        await publish(.nodeLeft(nodeID))
        await backend.detach(node: nodeID)
        logger.info("channel hub stopped")
    }

    /// Applies one backend event: fan-out of messages, presence bookkeeping, liveness.
    func handle(_ event: ChannelBackendEvent) async {
        let now = environment.now()
        switch event {
        case .message(let message):
            if message.origin != nodeID { remoteNodes[message.origin] = now }
            deliver(message, now: now)
        case .presence(let snapshot):
            guard snapshot.node != nodeID else { return }
            remoteNodes[snapshot.node] = now
            guard groups[snapshot.group] != nil else { return }
            if groups[snapshot.group]?.presence.apply(snapshot) == true {
                dirtyGroups.insert(snapshot.group)
            }
        case .presenceQuery(let group, let from):
            guard from != nodeID else { return }
            remoteNodes[from] = now
            guard let state = groups[group], state.presenceQueried else { return }
            await publishSnapshot(of: group)
        case .heartbeat(let node):
            guard node != nodeID else { return }
            remoteNodes[node] = now
        case .nodeLeft(let node):
            guard node != nodeID else { return }
            forget(node)
        case .resynchronize:
            logger.notice("backend resynchronizing presence")
            for (group, state) in groups where state.presenceQueried {
                await publishSnapshot(of: group)
                await publish(.presenceQuery(group: group, from: nodeID))
            }
        }
    }

    /// Enqueues a group message on every local member (except the excluded sender), encoded once.
    func deliver(_ message: ChannelBackendMessage, now: ContinuousClock.Instant) {
        guard let state = groups[message.group] else { return }
        let outbound = OutboundMessage(bytes: message.bytes, essential: message.essential, createdAt: message.publishedAt ?? now)
        let excluded = message.origin == nodeID ? message.excluding : nil
        let (sent, dropped, slow) = fanOut(outbound, to: state, excluding: excluded, now: now)
        let end = environment.now()
        metrics.fanOutDuration.recordNanoseconds((end - now).nanoseconds)
        if message.origin == nodeID, let publishedAt = message.publishedAt {
            metrics.broadcastLatency.recordNanoseconds((end - publishedAt).nanoseconds)
        }
        if sent > 0 { metrics.sent.increment(by: Int64(sent)) }
        if dropped > 0 { metrics.dropped.increment(by: Int64(dropped)) }
        for connection in slow {
            // Leave the groups now so presence and fan-out stop counting a client that is gone;
            // the server still calls `disconnect` when its writer has closed the socket.
            _ = removeFromAllGroups(connection)
        }
    }

    /// The hot loop: one enqueue per member, counting results.
    func fanOut(
        _ message: OutboundMessage, to state: GroupState, excluding excluded: ChannelConnection.ID?,
        presenceOnly: Bool = false, now: ContinuousClock.Instant
    ) -> (sent: Int, dropped: Int, slow: [ChannelConnection]) {
        var sent = 0
        var dropped = 0
        var slow: [ChannelConnection] = []
        var ready = ReadyBatch()
        defer { ready.report() }
        for (id, member) in state.members where id != excluded && (!presenceOnly || member.tracksPresence) {
            switch member.connection.enqueue(message, now: now, into: &ready) {
            case .enqueued(let count):
                sent += 1
                dropped += count
            case .closedSlow(_, let count):
                dropped += count
                slow.append(member.connection)
            case .rejected:
                break
            }
        }
        return (sent, dropped, slow)
    }

    /// Drops everything known about `node` (it left, or its heartbeats expired).
    func forget(_ node: ChannelNodeID) {
        remoteNodes[node] = nil
        for group in groups.keys where groups[group]?.presence.remoteNodeIDs.contains(node) == true {
            groups[group]?.presence.removeNode(node)
            dirtyGroups.insert(group)
        }
    }
}
