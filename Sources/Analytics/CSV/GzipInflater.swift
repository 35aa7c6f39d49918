import CZlib

/// Expands gzip data with zlib, chunk by chunk, refusing output beyond `limit` (zip bombs).
enum GzipInflater {
    static func isGzip(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    static func inflate(_ input: UnsafeBufferPointer<UInt8>, limit: Int64) throws(CSVError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .invalidGzip("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(Int(limit), input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        var status: Int32 = Z_OK
        repeat {
            let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return buffer.count - Int(stream.avail_out)
            }
            switch status {
            case Z_OK, Z_STREAM_END, Z_BUF_ERROR: break
            case Z_DATA_ERROR: throw .invalidGzip(stream.msg.map { String(cString: $0) } ?? "corrupt data")
            default: throw .invalidGzip("zlib error \(status)")
            }
            output.append(contentsOf: chunk[0..<produced])
            if Int64(output.count) > limit { throw .gzipTooLarge(limit: limit) }
            if status == Z_BUF_ERROR && stream.avail_in == 0 { throw .truncatedGzip }
        } while status != Z_STREAM_END
        return output
    }
}
