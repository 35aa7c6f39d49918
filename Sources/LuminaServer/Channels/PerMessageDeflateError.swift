/// Why a permessage-deflate frame could not be compressed or expanded.
enum PerMessageDeflateError: Error, Equatable, Sendable {
    /// zlib refused to start or failed on a stream (`status` is zlib's return code).
    case zlib(status: Int32)
    /// The peer's compressed data is not valid deflate data.
    case corruptData
    /// A frame expands beyond the configured limit (a decompression bomb, or just too big).
    case tooLarge(limit: Int)
    /// RSV1 on a continuation frame: only the first frame of a message may carry it (RFC 7692 §6).
    case compressedContinuation
}
