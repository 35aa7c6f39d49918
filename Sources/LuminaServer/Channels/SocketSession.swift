import HummingbirdWebSocket
import Logging
import Realtime

/// Connects an open socket to its hub connection.
///
/// Broadcasts never write to a socket themselves and never wait for it: they enqueue on the
/// connection's bounded outbox, and the socket's handler drains it on its event loop. Inbound
/// messages reach `onMessage` one at a time; when the socket ends (the peer closed, or a close
/// was sent), the connection leaves the hub, its groups and presence, and `onEnd` runs.
enum SocketSession {
    /// Largest inbound text message on control sockets; uploads use their own, larger limit.
    static let maxInboundText = 64 * 1024

    static func serve(
        _ socket: LiveSocket,
        hub: ChannelHub,
        connection: ChannelConnection,
        onMessage: @escaping @Sendable (WebSocketMessage) async -> Void = { _ in },
        onEnd: @escaping @Sendable () async -> Void = {}
    ) {
        socket.serve(connection, onMessage: onMessage) {
            await hub.disconnect(connection)
            await onEnd()
        }
    }

    /// Sends one error envelope to this socket only.
    static func sendError(_ hub: ChannelHub, _ connection: ChannelConnection, code: String, message: String,
                          extra: [String: Realtime.JSONValue] = [:]) {
        var fields = extra
        fields["code"] = .string(code)
        fields["message"] = .string(message)
        hub.send(OutboundMessage(type: "error", fields: fields, essential: true), toConnection: connection)
    }
}
