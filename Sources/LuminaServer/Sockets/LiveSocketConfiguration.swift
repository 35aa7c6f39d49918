import NIOCore

/// Limits and timers of the server's WebSockets.
struct LiveSocketConfiguration: Sendable {
    /// Largest frame the decoder accepts (larger ones close with 1009 before they are buffered).
    var maxFrameSize = 1 << 20
    /// How often an idle socket is pinged; a peer that sent nothing since the previous ping is gone.
    var pingInterval: TimeAmount = .seconds(30)
    /// How long the server waits for the peer's answer to its close frame before disconnecting.
    var closeTimeout: TimeAmount = .seconds(5)
    /// Whether permessage-deflate is negotiated when the client offers it (every browser does).
    var compression = true
    /// Smaller messages go out uncompressed: deflate's framing would not pay off.
    var minMessageSizeToCompress = 256
}
