import NIOCore

/// Closes its connection on the server's quiesce event if no byte has arrived on it yet.
///
/// The HTTP/WebSocket-upgrade pipeline waits for a first request before it installs the handler
/// that reacts to the server's quiesce event, so a connection that was opened and left silent (a
/// browser's speculative preconnect, a stalled client, a load balancer's TCP probe) kept SIGTERM
/// waiting forever. Connections that have started talking are left to the HTTP and WebSocket
/// handlers, which finish their request or close with 1001.
final class SilentConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var heardFrom = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heardFrom = true
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !heardFrom {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
