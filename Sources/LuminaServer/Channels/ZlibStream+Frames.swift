import CZlib
import NIOCore

/// Compressing and expanding one WebSocket frame's payload with a borrowed zlib stream.
extension ZlibStreamPool.Stream {
    /// Compresses `input` and flushes (Z_SYNC_FLUSH), so the output ends on a byte boundary
    /// with the empty stored block `00 00 ff ff` that RFC 7692 has the sender strip at a message's end.
    func deflateFrame(_ input: ByteBuffer) throws(PerMessageDeflateError) -> ByteBuffer {
        let stream = pointer
        let bound = Int(deflateBound(stream, UInt(input.readableBytes))) + 16
        var output = ByteBufferAllocator().buffer(capacity: bound)
        var status: Int32 = Z_OK
        input.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: UInt8.self).baseAddress)
            stream.pointee.avail_in = UInt32(bytes.count)
            repeat {
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 64) { out in
                    stream.pointee.next_out = out.bindMemory(to: UInt8.self).baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    status = CZlib.deflate(stream, Z_SYNC_FLUSH)
                    return out.count - Int(stream.pointee.avail_out)
                }
                // A full output buffer may mean more is pending; otherwise the flush is complete.
            } while (status == Z_OK) && stream.pointee.avail_out == 0
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        guard status == Z_OK || status == Z_BUF_ERROR else { throw .zlib(status: status) }
        return output
    }

    /// Expands `input` (then the `00 00 ff ff` tail the sender stripped, when `messageEnds`),
    /// refusing output beyond `limit` bytes.
    func inflateFrame(_ input: ByteBuffer, messageEnds: Bool, limit: Int) throws(PerMessageDeflateError) -> ByteBuffer {
        var input = input
        if messageEnds { input.writeBytes([0x00, 0x00, 0xFF, 0xFF]) }
        let stream = pointer
        var output = ByteBufferAllocator().buffer(capacity: min(limit + 1, max(256, input.readableBytes * 4)))
        var status: Int32 = Z_OK
        var overflow = false
        input.withUnsafeReadableBytes { bytes in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: UInt8.self).baseAddress)
            stream.pointee.avail_in = UInt32(bytes.count)
            while true {
                let room = limit + 1 - output.readableBytes
                guard room > 0 else { overflow = true; break }
                var filled = false
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: min(room, 16_384)) { out in
                    let size = min(out.count, room)
                    stream.pointee.next_out = out.bindMemory(to: UInt8.self).baseAddress
                    stream.pointee.avail_out = UInt32(size)
                    status = CZlib.inflate(stream, Z_SYNC_FLUSH)
                    filled = stream.pointee.avail_out == 0
                    return size - Int(stream.pointee.avail_out)
                }
                if status == Z_STREAM_END { break }
                // No progress possible: all input consumed (done), or zlib wants more output.
                if status == Z_BUF_ERROR, stream.pointee.avail_in == 0 { status = Z_OK; break }
                guard status == Z_OK else { break }
                if stream.pointee.avail_in == 0, !filled { break }
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        if overflow || output.readableBytes > limit { throw .tooLarge(limit: limit) }
        switch status {
        case Z_OK, Z_STREAM_END: return output
        case Z_DATA_ERROR, Z_NEED_DICT, Z_BUF_ERROR: throw .corruptData
        default: throw .zlib(status: status)
        }
    }
}
