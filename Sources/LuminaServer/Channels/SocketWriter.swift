import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Realtime

/// Drains one connection's outbox into its WebSocket.
///
/// A drain is started (one short task) only when the outbox has something, and the actor
/// keeps drains of one socket from overlapping: an idle socket has no writer task parked, which
/// was most of the memory of an idle connection. Measured on this machine, running the drain on
/// the socket's event loop (an actor with the loop as executor) cost more CPU per delivery than the
/// default executor plus NIO's own hop, so the default executor it is.
actor SocketWriter {
    private let connection: ChannelConnection
    private let outbound: WebSocketOutboundWriter

    init(connection: ChannelConnection, outbound: WebSocketOutboundWriter) {
        self.connection = connection
        self.outbound = outbound
    }

    /// Writes what the outbox holds now, then returns (the connection calls the ready handler,
    /// which starts another drain, when more arrives).
    func drain() async {
        while let event = connection.poll() {
            switch event {
            case .message(let message):
                // The frame shares the message's buffer: no per-socket copy of the payload.
                let frame = WebSocketFrame(fin: true, opcode: .text, data: message.buffer)
                do {
                    try await outbound.write(.custom(frame))
                    connection.didWrite(message)
                } catch {
                    return
                }
            case .close(let code, let reason):
                try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                return
            }
        }
    }
}
