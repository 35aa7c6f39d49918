import Hummingbird
import HummingbirdWebSocket
import NIOCore
import Realtime

/// An open WebSocket as route code sees it: close it, or serve it with a hub connection.
///
/// Handed to the route's handler right after the handshake; the handler authorises, joins groups
/// and calls `serve`, then returns — the socket lives on without a task of its own.
struct LiveSocket: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<LiveSocketHandler>

    /// Sends a close frame (an application code such as 4401/4403, or 1011); the connection ends
    /// when the peer answers or the close timeout passes.
    func close(code: UInt16, reason: String) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.requestClose(code: code, reason: reason) }
    }

    /// Connects the socket to `connection`: what its outbox holds is written to the socket, inbound
    /// messages go to `onMessage` one at a time, and `onEnd` runs once when the socket is gone.
    func serve(
        _ connection: ChannelConnection,
        onMessage: @escaping @Sendable (WebSocketMessage) async -> Void,
        onEnd: @escaping @Sendable () async -> Void
    ) {
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.attach(.init(connection: connection, onMessage: onMessage, onEnd: onEnd), bound: handler)
        }
    }
}
