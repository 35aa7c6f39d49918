import NIOConcurrencyHelpers
import NIOCore

/// Drains the outboxes of one event loop's sockets in batches.
///
/// A broadcast to 10,000 sockets makes 10,000 outboxes ready at once. Scheduling each socket's
/// drain separately would queue 10,000 closures on the event loops (and wake them as often);
/// here the first ready socket schedules one pass per loop and the others join its list, so a
/// broadcast costs each loop one wake-up and one write per socket.
final class OutboxFlusher: Sendable {
    let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    private struct State {
        var ready: [NIOLoopBound<LiveSocketHandler>] = []
        var scheduled = false
    }

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Queues `socket` for the next pass (called from any thread, e.g. the hub's fan-out).
    func schedule(_ socket: NIOLoopBound<LiveSocketHandler>) {
        let first = state.withLockedValue { state -> Bool in
            state.ready.append(socket)
            defer { state.scheduled = true }
            return !state.scheduled
        }
        if first { eventLoop.execute { self.pass() } }
    }

    private func pass() {
        let batch = state.withLockedValue { state -> [NIOLoopBound<LiveSocketHandler>] in
            state.scheduled = false
            defer { state.ready.removeAll(keepingCapacity: true) }
            return state.ready
        }
        for socket in batch { socket.value.drain() }
    }

    private static let registry = NIOLockedValueBox([ObjectIdentifier: OutboxFlusher]())

    /// The flusher of `eventLoop` (one per loop for the life of the process; there are as many loops as cores).
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
