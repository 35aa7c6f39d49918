import HummingbirdCore
import Logging
import NIOCore

/// Starts every connection with a small receive buffer.
///
/// NIO keeps each channel's last receive buffer for the next read, sized by the channel's
/// adaptive allocator, which starts at 2 KiB: with thousands of idle WebSockets that buffer was
/// about 2 KiB of every connection (heaptrack). A WebSocket handshake or a control message fits
/// in 512 bytes; the allocator still grows the buffer quickly for connections that read more
/// (uploads), up to the same 64 KiB as before.
struct SmallReceiveBufferChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)
    }

    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveAllocator)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension SmallReceiveBufferChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}
