import CZlib
import NIOConcurrencyHelpers

/// Raw-deflate zlib streams lent to WebSockets for one message at a time.
///
/// Why a pool: a zlib compressor with default settings is ~256 KiB and a decompressor ~40 KiB
/// once used; kept per socket, as permessage-deflate with context takeover requires, that is
/// several times the rest of an idle connection. Our sockets negotiate no context takeover in both
/// directions, so no stream carries anything from one message to the next: a socket borrows a
/// stream when a compressed message starts and gives it back (reset) when the message ends. The
/// pool therefore holds about as many streams as messages are being (de)compressed at once — a
/// handful, bounded by `maxIdle` per kind — whatever the number of sockets.
final class ZlibStreamPool: Sendable {
    /// What a stream does; compressors are kept apart by window size (the client may ask for a
    /// smaller one than 15 bits).
    enum Kind: Hashable, Sendable {
        case deflate(windowBits: Int32)
        case inflate
    }

    /// One zlib stream on loan. Only the borrower touches it until it is given back.
    struct Stream: @unchecked Sendable {
        let kind: Kind
        let pointer: UnsafeMutablePointer<z_stream>
    }

    /// Memory level of compressors: 4 makes the hash table 4 KiB (8 is 64 KiB), and zlib clears
    /// that table on every reset, i.e. once per compressed message. Messages here are JSON of a few
    /// KiB at most, where the smaller table costs almost no ratio.
    static let memoryLevel: Int32 = 4

    /// Idle streams kept per kind; beyond that, returned streams are freed.
    let maxIdle: Int
    private let idle: NIOLockedValueBox<[Kind: [Stream]]>

    /// The process-wide pool the server's WebSockets share.
    static let shared = ZlibStreamPool(maxIdle: 8)

    init(maxIdle: Int) {
        self.maxIdle = maxIdle
        self.idle = NIOLockedValueBox([:])
    }

    deinit {
        for stream in idle.withLockedValue({ $0.values.flatMap { $0 } }) { Self.end(stream) }
    }

    /// Idle streams held now (for tests and diagnostics).
    var idleCount: Int { idle.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    /// A ready stream of `kind`: an idle one, or a new one.
    func borrow(_ kind: Kind) throws(PerMessageDeflateError) -> Stream {
        if let stream = idle.withLockedValue({ $0[kind]?.popLast() }) { return stream }
        let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        pointer.initialize(to: z_stream())
        let status: Int32 = switch kind {
        case .deflate(let windowBits):
            deflateInit2_(pointer, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -windowBits, Self.memoryLevel, Z_DEFAULT_STRATEGY,
                          ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        case .inflate:
            inflateInit2_(pointer, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        }
        guard status == Z_OK else {
            pointer.deinitialize(count: 1)
            pointer.deallocate()
            throw .zlib(status: status)
        }
        return Stream(kind: kind, pointer: pointer)
    }

    /// Takes a stream back after a message: reset and kept, or freed if enough are idle (or the
    /// reset failed, which leaves the stream unusable).
    func giveBack(_ stream: Stream) {
        let status: Int32 = switch stream.kind {
        case .deflate: deflateReset(stream.pointer)
        case .inflate: inflateReset(stream.pointer)
        }
        let kept = status == Z_OK && idle.withLockedValue { idle -> Bool in
            guard idle[stream.kind, default: []].count < maxIdle else { return false }
            idle[stream.kind, default: []].append(stream)
            return true
        }
        if !kept { Self.end(stream) }
    }

    private static func end(_ stream: Stream) {
        switch stream.kind {
        case .deflate: deflateEnd(stream.pointer)
        case .inflate: inflateEnd(stream.pointer)
        }
        stream.pointer.deinitialize(count: 1)
        stream.pointer.deallocate()
    }
}
