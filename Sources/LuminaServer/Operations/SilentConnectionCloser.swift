import HummingbirdCore
import Logging
import NIOCore

/// Lets graceful shutdown finish while connections that never sent a byte are open.
///
/// The HTTP/WebSocket-upgrade pipeline waits for a first request before it installs the handler
/// that reacts to the server's quiesce event, so a connection that was opened and left silent (a
/// browser's speculative preconnect, a stalled client, a load balancer's TCP probe) kept SIGTERM
/// waiting forever. This wrapper puts a handler in front of the pipeline that closes such a
/// connection when the server starts shutting down; connections that have started talking are
/// left to the HTTP and WebSocket handlers, which finish their request or close with 1001.
struct SilentConnectionClosingChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser(), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension SilentConnectionClosingChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

/// Closes its connection on the server's quiesce event if no byte has arrived on it yet.
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
