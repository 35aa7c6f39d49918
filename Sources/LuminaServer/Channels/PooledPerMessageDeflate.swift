import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// permessage-deflate (RFC 7692) for one of the server's WebSockets, without zlib state per socket.
///
/// Browsers always offer permessage-deflate. Keeping a compressor and a decompressor per socket
/// costs ~300 KiB of zlib memory when used (and ~70 KiB resident at once for the compressor's
/// cleared hash table), which at 10,000 sockets dwarfs everything else a socket costs. Here the
/// answer always asks for no context takeover in both directions (`PerMessageDeflateOffer`), so a
/// socket borrows a pooled zlib stream only while a compressed message passes and an idle socket
/// holds none. `LiveSocketHandler` calls `received` and `toSend` for each data frame, on the
/// socket's event loop; the state (which message is being received or sent, and the stream it
/// borrowed) sits behind an uncontended lock so tests can drive it from any task.
final class PooledPerMessageDeflate: @unchecked Sendable {
    private enum Progress {
        /// Between messages; nothing borrowed.
        case idle
        /// Inside a fragmented message that is not compressed.
        case plain
        /// Inside a fragmented compressed message, with the stream it started with.
        case compressed(ZlibStreamPool.Stream)
    }

    static let name = "permessage-deflate"

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
