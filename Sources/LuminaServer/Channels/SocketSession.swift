import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Realtime

/// Moves frames between one WebSocket and its hub connection.
///
/// Broadcasts never write to a socket themselves and never wait for it: they enqueue on the
/// connection's bounded outbox, and a drain (`SocketWriter`) writes
/// what is queued — one drain at a time, so frames never interleave. The reader, in the handler's
/// own task, hands inbound messages to `onMessage`; when the socket ends (the peer closed, or the
/// writer sent a close), the connection leaves the hub, its groups and presence.
enum SocketSession {
    /// Largest inbound text message on control sockets; uploads use their own, larger limit.
    static let maxInboundText = 64 * 1024

    static func run(
        hub: ChannelHub,
        connection: ChannelConnection,
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        maxMessageSize: Int = maxInboundText,
        logger: Logger,
        onMessage: @escaping @Sendable (WebSocketMessage) async throws -> Void = { _ in }
    ) async {
        connection.onCloseRequest { code, reason in
            let metadata: Logger.Metadata = ["connection": "\(connection.id)", "code": "\(code)", "reason": "\(reason)"]
            if code == ChannelCloseCode.tryAgainLater {
                logger.warning("closing slow websocket", metadata: metadata)
            } else {
                logger.debug("closing websocket", metadata: metadata)
            }
        }
        let writer = SocketWriter(connection: connection, outbound: outbound)
        connection.onReady { Task { await writer.drain() } }
        // The reader runs in the handler's own task: one task per socket, none while it idles.
        do {
            for try await message in inbound.messages(maxSize: maxMessageSize) {
                // The stream's limit covers fragmented messages only; one large frame is checked here.
                guard message.size <= maxMessageSize else {
                    logger.notice("websocket message too large", metadata: ["bytes": "\(message.size)", "limit": "\(maxMessageSize)"])
                    try? await outbound.close(.messageTooLarge, reason: "messages are limited to \(maxMessageSize) bytes")
                    break
                }
                try await onMessage(message)
            }
        } catch {
            logger.debug("websocket reader ended", metadata: ["error": "\(error)"])
        }
        await hub.disconnect(connection)
    }

    /// Sends one error envelope to this socket only.
    static func sendError(_ hub: ChannelHub, _ connection: ChannelConnection, code: String, message: String,
                          extra: [String: Realtime.JSONValue] = [:]) {
        var fields = extra
        fields["code"] = .string(code)
        fields["message"] = .string(message)
        hub.send(OutboundMessage(type: "error", fields: fields, essential: true), toConnection: connection)
    }

    /// Refuses a socket after the handshake with an application close code (4401, 4403).
    static func refuse(_ outbound: WebSocketOutboundWriter, code: UInt16, reason: String) async {
        try? await outbound.close(.init(codeNumber: Int(code)), reason: reason)
    }
}

extension WebSocketMessage {
    var size: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .binary(let buffer): buffer.readableBytes
        }
    }
}
