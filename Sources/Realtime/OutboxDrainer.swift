/// Writes connections' outboxes to their sockets, told in batches which connections have work.
///
/// Why batches: one broadcast makes thousands of outboxes ready at once. A drainer that hands
/// the writing to another thread (a socket's event loop) then pays one hand-over per broadcast
/// instead of one per connection, which at 10,000 members was most of the fan-out's time
/// (a contended lock and a thread wake-up per socket).
public protocol OutboxDrainer: AnyObject, Sendable {
    /// `connections` have something to write and no drain pending: call `poll()` on each until
    /// it returns nil (the next enqueue then reports the connection again).
    func outboxesReady(_ connections: [ChannelConnection])
}

/// Ready connections collected during one fan-out, reported once per drainer at the end.
struct ReadyBatch {
    private var entries: [ObjectIdentifier: (drainer: any OutboxDrainer, connections: [ChannelConnection])] = [:]

    mutating func add(_ connection: ChannelConnection, drainer: any OutboxDrainer) {
        entries[ObjectIdentifier(drainer), default: (drainer, [])].connections.append(connection)
    }

    func report() {
        for entry in entries.values { entry.drainer.outboxesReady(entry.connections) }
    }
}
