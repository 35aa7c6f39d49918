import NIOConcurrencyHelpers
import NIOCore
import Realtime

/// Drains the outboxes of one event loop's sockets in batches.
///
/// A broadcast to 10,000 sockets makes 10,000 outboxes ready at once; the hub reports them to
/// each loop's flusher in one call (`OutboxDrainer`), so a broadcast costs each loop one hand-over,
/// one wake-up and then one write per socket. Handing each socket over on its own cost a contended
/// lock and a wake-up per socket, most of the fan-out's time.
final class OutboxFlusher: OutboxDrainer {
    let eventLoop: any EventLoop
    private let handOver = NIOLockedValueBox(HandOver())
    /// The loop's sockets by connection (object identity: ids are per hub, and tests run several hubs
    /// in one process); only touched on the loop, so no lock.
    private let sockets: NIOLoopBoundBox<[ObjectIdentifier: LiveSocketHandler]>

    private struct HandOver {
        var ready: [ChannelConnection] = []
        var scheduled = false
    }

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.sockets = NIOLoopBoundBox([:], eventLoop: eventLoop)
    }

    /// Makes `handler` the writer of `connection` (on the loop, before the connection is drained).
    func register(_ handler: LiveSocketHandler, for connection: ChannelConnection) {
        sockets.value[ObjectIdentifier(connection)] = handler
    }

    func unregister(_ connection: ChannelConnection) {
        sockets.value[ObjectIdentifier(connection)] = nil
    }

    /// Called from any thread (the hub's fan-out); the drains run on the loop.
    func outboxesReady(_ connections: [ChannelConnection]) {
        let first = handOver.withLockedValue { handOver -> Bool in
            handOver.ready.append(contentsOf: connections)
            defer { handOver.scheduled = true }
            return !handOver.scheduled
        }
        if first { eventLoop.execute { self.pass() } }
    }

    private func pass() {
        let batch = handOver.withLockedValue { handOver -> [ChannelConnection] in
            handOver.scheduled = false
            defer { handOver.ready.removeAll(keepingCapacity: true) }
            return handOver.ready
        }
        let sockets = self.sockets.value
        var frames = EncodedFrames()
        for connection in batch { sockets[ObjectIdentifier(connection)]?.drain(frames: &frames) }
    }

    private static let registry = NIOLockedValueBox([ObjectIdentifier: OutboxFlusher]())

    /// The flusher of `eventLoop`, called on that loop (one per loop for the life of the process; there are as many loops as cores).
    static func forLoop(_ eventLoop: any EventLoop) -> OutboxFlusher {
        registry.withLockedValue { flushers in
            let key = ObjectIdentifier(eventLoop)
            if let flusher = flushers[key] { return flusher }
            let flusher = OutboxFlusher(eventLoop: eventLoop)
            flushers[key] = flusher
            return flusher
        }
    }
}
