import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Realtime

/// Drains one connection's outbox into its WebSocket, running on the socket's own event loop.
///
/// The actor's executor is the channel's event loop, so a drain runs on the thread that owns the
/// socket and the frame goes straight into the pipeline. A drain is started (with `Task.immediate`,
/// which hops straight onto this actor) only when the outbox has something: an idle socket has no
/// writer task parked, which is what most of the memory of an idle connection used to be.
actor SocketWriter {
    private let eventLoop: any EventLoop
    private let connection: ChannelConnection
    private let outbound: WebSocketOutboundWriter

    nonisolated var unownedExecutor: UnownedSerialExecutor { eventLoop.executor.asUnownedSerialExecutor() }

    init(eventLoop: any EventLoop, connection: ChannelConnection, outbound: WebSocketOutboundWriter) {
        self.eventLoop = eventLoop
        self.connection = connection
        self.outbound = outbound
    }

    /// Writes what the outbox holds now, then returns (the connection calls the ready handler,
    /// which starts another drain, when more arrives). No task waits while the socket is idle.
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
