import NIOCore
import NIOWebSocket
import Realtime

/// Broadcast messages framed (and compressed) once per event loop, not once per socket.
///
/// A drain pass writes the same few messages to thousands of sockets. Framing each write would
/// allocate a header per socket and, for clients that negotiated permessage-deflate (every
/// browser), compress the same payload thousands of times. With no context takeover the
/// compressed bytes depend only on the payload and the window size, so one encoding per message
/// and window serves every socket of the pass; the sockets share the buffer.
struct EncodedFrames {
    private struct Key: Hashable {
        let message: ObjectIdentifier
        let windowBits: Int32
    }

    /// Valid for one pass. Each entry keeps its message alive: the key is the message's address,
    /// and a message freed mid-pass (its last outbox drained) would otherwise leave its frame to
    /// the next message allocated at that address by the hub on another thread.
    private var frames: [Key: (message: OutboundMessage, frame: ByteBuffer)] = [:]

    /// The complete WebSocket text frame of `message` as `deflate` (nil: uncompressed) would send it.
    mutating func frame(for message: OutboundMessage, deflate: PooledPerMessageDeflate?) throws(PerMessageDeflateError) -> ByteBuffer {
        let key = Key(message: ObjectIdentifier(message), windowBits: deflate?.offer.serverWindowBits ?? 0)
        if let cached = frames[key] { return cached.frame }
        var payload = message.buffer
        var compressed = false
        if let deflate {
            let sent = try deflate.toSend(WebSocketFrame(fin: true, opcode: .text, data: message.buffer))
            payload = sent.data
            compressed = sent.rsv1
        }
        let frame = Self.encode(payload, compressed: compressed)
        frames[key] = (message, frame)
        return frame
    }

    /// A final, unmasked text frame (RFC 6455 §5.2); RSV1 marks a compressed message (RFC 7692).
    static func encode(_ payload: ByteBuffer, compressed: Bool) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = ByteBufferAllocator().buffer(capacity: length + 10)
        frame.writeInteger(UInt8(0x81 | (compressed ? 0x40 : 0)))
        switch length {
        case ..<126:
            frame.writeInteger(UInt8(length))
        case ...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeImmutableBuffer(payload)
        return frame
    }
}

/// Sits before the WebSocket frame encoder so that frames encoded once (`EncodedFrames`) are
/// written as bytes, past the encoder that would frame them again.
final class EncodedFrameOutlet: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Writes an encoded frame (without flushing); false once the outlet left the pipeline.
    func write(_ frame: ByteBuffer) -> Bool {
        guard let context else { return false }
        context.write(wrapOutboundOut(frame), promise: nil)
        return true
    }
}
