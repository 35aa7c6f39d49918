import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// permessage-deflate (RFC 7692) for the server's WebSockets, without zlib state per socket.
///
/// Browsers always offer permessage-deflate. Hummingbird's own extension creates a compressor and
/// a decompressor for every socket at the handshake (~300 KiB of zlib memory when used, and
/// ~70 KiB resident at once for the compressor's cleared hash table), which at 10,000 sockets
/// dwarfs everything else a socket costs. Here the answer always asks for no context takeover in
/// both directions, so a socket borrows a pooled zlib stream only while a compressed message
/// passes and an idle socket holds none. See `PerMessageDeflateOffer` for the negotiation.
struct PooledPerMessageDeflateBuilder: WebSocketExtensionBuilder {
    static let name = "permessage-deflate"

    let pool: ZlibStreamPool
    /// Largest payload one received frame may expand to (larger frames close the socket with 1009).
    let maxDecompressedFrameSize: Int
    /// Smaller messages are sent uncompressed: deflate's few bytes of framing would not pay off.
    let minFrameSizeToCompress: Int

    func clientRequestHeader() -> String {
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    }

    func serverReponseHeader(to request: WebSocketExtensionHTTPParameters) -> String? {
        PerMessageDeflateOffer(parameters: request.parameters)?.responseHeader
    }

    func serverExtension(from request: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? {
        guard let offer = PerMessageDeflateOffer(parameters: request.parameters) else { return nil }
        return PooledPerMessageDeflate(offer: offer, pool: pool, maxDecompressedFrameSize: maxDecompressedFrameSize,
                                       minFrameSizeToCompress: minFrameSizeToCompress)
    }

    /// Server side only: the load client and tests use Hummingbird's client extension.
    func clientExtension(from response: WebSocketExtensionHTTPParameters) throws -> (any WebSocketExtension)? { nil }
}

extension WebSocketExtensionFactory {
    /// permessage-deflate with pooled zlib streams (see `PooledPerMessageDeflateBuilder`).
    static func pooledPerMessageDeflate(
        pool: ZlibStreamPool = .shared, maxDecompressedFrameSize: Int, minFrameSizeToCompress: Int = 256
    ) -> WebSocketExtensionFactory {
        .init {
            PooledPerMessageDeflateBuilder(pool: pool, maxDecompressedFrameSize: maxDecompressedFrameSize,
                                           minFrameSizeToCompress: minFrameSizeToCompress)
        }
    }
}

/// The per-socket side: which message is being received or sent, and the stream it borrowed.
///
/// Frames of one direction arrive one at a time (the library reads with one iterator and writes
/// from its handler actor), but the two directions may run at once, hence the lock.
final class PooledPerMessageDeflate: WebSocketExtension, @unchecked Sendable {
    private enum Progress {
        /// Between messages; nothing borrowed.
        case idle
        /// Inside a fragmented message that is not compressed.
        case plain
        /// Inside a fragmented compressed message, with the stream it started with.
        case compressed(ZlibStreamPool.Stream)
    }

    let name = "permessage-deflate"
    var reservedBits: WebSocketFrame.ReservedBits { .rsv1 }

    let offer: PerMessageDeflateOffer
    private let pool: ZlibStreamPool
    private let maxDecompressedFrameSize: Int
    private let minFrameSizeToCompress: Int
    private let lock = NIOLock()
    // Guarded by `lock`.
    private var receiving = Progress.idle
    private var sending = Progress.idle

    init(offer: PerMessageDeflateOffer, pool: ZlibStreamPool, maxDecompressedFrameSize: Int, minFrameSizeToCompress: Int) {
        self.offer = offer
        self.pool = pool
        self.maxDecompressedFrameSize = maxDecompressedFrameSize
        self.minFrameSizeToCompress = minFrameSizeToCompress
    }

    deinit {
        // A socket that closed inside a fragmented message still holds a stream: give it back.
        if case .compressed(let stream) = receiving { pool.giveBack(stream) }
        if case .compressed(let stream) = sending { pool.giveBack(stream) }
    }

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        do {
            return try received(frame)
        } catch .tooLarge {
            // The library closes with 1009 (message too big) for this error.
            throw NIOWebSocketError.invalidFrameLength
        }
    }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        try toSend(frame)
    }

    func shutdown() async {}

    /// Expands a received data frame if its message is compressed (RSV1 on the message's first frame).
    func received(_ frame: WebSocketFrame) throws(PerMessageDeflateError) -> WebSocketFrame {
        let stream: ZlibStreamPool.Stream
        switch lock.withLock({ receiving }) {
        case .idle:
            guard frame.rsv1 else {
                if !frame.fin { lock.withLock { receiving = .plain } }
                return frame
            }
            stream = try pool.borrow(.inflate)
        case .plain:
            guard !frame.rsv1 else { throw .compressedContinuation }
            if frame.fin { lock.withLock { receiving = .idle } }
            return frame
        case .compressed(let borrowed):
            guard !frame.rsv1 else { throw .compressedContinuation }
            stream = borrowed
        }
        let data: ByteBuffer
        do {
            data = try stream.inflateFrame(frame.unmaskedData, messageEnds: frame.fin, limit: maxDecompressedFrameSize)
        } catch {
            lock.withLock { receiving = .idle }
            pool.giveBack(stream)
            throw error
        }
        if frame.fin {
            lock.withLock { receiving = .idle }
            pool.giveBack(stream)
        } else {
            lock.withLock { receiving = .compressed(stream) }
        }
        var expanded = frame
        expanded.data = data
        expanded.maskKey = nil
        expanded.rsv1 = false
        return expanded
    }

    /// Compresses an outgoing data frame unless its message is small (a single short frame).
    func toSend(_ frame: WebSocketFrame) throws(PerMessageDeflateError) -> WebSocketFrame {
        guard frame.opcode == .text || frame.opcode == .binary || frame.opcode == .continuation else { return frame }
        let stream: ZlibStreamPool.Stream
        var compressed = frame
        switch lock.withLock({ sending }) {
        case .idle:
            if frame.fin, frame.data.readableBytes < minFrameSizeToCompress { return frame }
            stream = try pool.borrow(.deflate(windowBits: offer.serverWindowBits))
            compressed.rsv1 = true
        case .plain:
            if frame.fin { lock.withLock { sending = .idle } }
            return frame
        case .compressed(let borrowed):
            stream = borrowed
        }
        var data: ByteBuffer
        do {
            data = try stream.deflateFrame(frame.data)
        } catch {
            lock.withLock { sending = .idle }
            pool.giveBack(stream)
            throw error
        }
        if frame.fin {
            // RFC 7692 §7.2.1: the message's last four bytes (00 00 ff ff) are not sent.
            data.moveWriterIndex(to: max(data.readerIndex, data.writerIndex - 4))
            lock.withLock { sending = .idle }
            pool.giveBack(stream)
        } else {
            lock.withLock { sending = .compressed(stream) }
        }
        compressed.data = data
        return compressed
    }
}
