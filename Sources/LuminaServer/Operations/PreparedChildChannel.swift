import HummingbirdCore
import Logging
import NIOCore

/// A server connection type that prepares each new connection before Hummingbird sets it up.
///
/// Hummingbird builds the pipeline of a connection itself; this is the one place where the server
/// adds to it (see `ConnectionPreparation` for what and why).
struct PreparedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let prepare: @Sendable (any Channel) throws -> Void

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try prepare(channel)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension PreparedChildChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

/// What every new connection gets before its HTTP/WebSocket pipeline.
enum ConnectionPreparation {
    /// NIO keeps each channel's last receive buffer for the next read, sized by the channel's
    /// adaptive allocator, which starts at 2 KiB: with thousands of idle WebSockets that buffer was
    /// about 2 KiB of every connection (heaptrack). A WebSocket handshake or a control message fits
    /// in 512 bytes; the allocator still grows the buffer quickly for connections that read more
    /// (uploads), up to the same 64 KiB as before.
    static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)
    }

    /// Runs on the connection's event loop, before Hummingbird's own set-up.
    static func prepare(_ channel: any Channel) throws {
        try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: receiveAllocator)
        try channel.pipeline.syncOperations.addHandler(SilentConnectionCloser(), position: .first)
    }
}
