import Logging

/// The default backend: delivers events between hubs in one process.
///
/// One hub per process is the single-node deployment; several hubs sharing one instance behave
/// like nodes of a cluster (each has its own node id, stream and subscriptions), which is how the
/// tests exercise multi-node presence without a database.
///
/// Ordering: events are yielded under one lock, so every node sees all events in the same order.
/// Backpressure: each node's stream holds at most `bufferSize` events; beyond that new events are
/// dropped for that node, counted in `realtime_backend_events_dropped_total` and logged (a hub
/// that is that far behind is already failing its clients; its presence repairs itself with the
/// next snapshot or heartbeat).
public final class InMemoryChannelBackend: ChannelBackend {
    private struct Node {
        let stream: AsyncStream<ChannelBackendEvent>
        let continuation: AsyncStream<ChannelBackendEvent>.Continuation
        var groups: Set<ChannelGroup> = []
    }

    private struct State {
        var nodes: [ChannelNodeID: Node] = [:]
        var subscribers: [ChannelGroup: Set<ChannelNodeID>] = [:]
    }

    private let state = LockedValue(State())
    private let bufferSize: Int
    private let logger: Logger

    public init(bufferSize: Int = 65_536, logger: Logger = Logger(label: "lumina.realtime.backend")) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        self.bufferSize = bufferSize
        self.logger = logger
    }

    public func events(for node: ChannelNodeID) async throws(ChannelError) -> AsyncStream<ChannelBackendEvent> {
        state.withLock { state in
            ensureNode(node, in: &state).stream
        }
    }

    public func subscribe(node: ChannelNodeID, to group: ChannelGroup) async throws(ChannelError) {
        state.withLock { state in
            var entry = ensureNode(node, in: &state)
            entry.groups.insert(group)
            state.nodes[node] = entry
            state.subscribers[group, default: []].insert(node)
        }
    }

    public func unsubscribe(node: ChannelNodeID, from group: ChannelGroup) async throws(ChannelError) {
        state.withLock { state in
            state.nodes[node]?.groups.remove(group)
            state.subscribers[group]?.remove(node)
            if state.subscribers[group]?.isEmpty == true { state.subscribers[group] = nil }
        }
    }

    public func publish(_ event: ChannelBackendEvent) async throws(ChannelError) {
        var dropped: [ChannelNodeID] = []
        state.withLock { state in
            let targets: [ChannelNodeID]
            if let group = event.group {
                targets = Array(state.subscribers[group] ?? [])
            } else {
                targets = Array(state.nodes.keys)
            }
            for node in targets {
                guard let entry = state.nodes[node] else { continue }
                if case .dropped = entry.continuation.yield(event) { dropped.append(node) }
            }
        }
        for node in dropped {
            RealtimeMetrics.shared.backendEventsDropped.increment()
            logger.warning("backend event dropped: node is not consuming", metadata: ["node": "\(node)", "group": "\(event.group?.name ?? "-")"])
        }
    }

    public func detach(node: ChannelNodeID) async {
        let removed: Node? = state.withLock { state in
            guard let entry = state.nodes.removeValue(forKey: node) else { return nil }
            for group in entry.groups {
                state.subscribers[group]?.remove(node)
                if state.subscribers[group]?.isEmpty == true { state.subscribers[group] = nil }
            }
            return entry
        }
        removed?.continuation.finish()
    }

    /// Nodes currently subscribed to `group` (for tests and diagnostics).
    public func subscribers(of group: ChannelGroup) -> Set<ChannelNodeID> {
        state.withLock { $0.subscribers[group] ?? [] }
    }

    private func ensureNode(_ node: ChannelNodeID, in state: inout State) -> Node {
        if let entry = state.nodes[node] { return entry }
        let (stream, continuation) = AsyncStream.makeStream(of: ChannelBackendEvent.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let entry = Node(stream: stream, continuation: continuation)
        state.nodes[node] = entry
        return entry
    }
}
