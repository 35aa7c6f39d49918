import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Realtime

/// Drains one connection's outbox into its WebSocket, running on the socket's own event loop.
///
/// The actor's executor is the channel's event loop, so when a broadcast wakes the writer, it
/// resumes on the thread that owns the socket and the frame goes straight into the pipeline:
/// one hop per delivery instead of two (global pool → event loop), which is most of the per-socket
/// cost when one message fans out to thousands of sockets.
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

    /// Writes until the outbox finishes, a close is requested or the socket fails.
    func run() async {
        while let event = await connection.next() {
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
