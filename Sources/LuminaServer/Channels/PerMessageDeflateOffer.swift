import HummingbirdWebSocket

/// What the server answers to one client offer of permessage-deflate (RFC 7692 §7).
///
/// The server always asks for no context takeover in both directions (the RFC lets a server add
/// `client_no_context_takeover` and `server_no_context_takeover` to any offer): then no zlib state
/// outlives a message, and sockets can share pooled streams instead of keeping ~300 KiB each.
struct PerMessageDeflateOffer: Equatable, Sendable {
    /// Window of the server's compressor, in bits: 15, or less if the client asked for less.
    let serverWindowBits: Int32
    /// Whether the client named `server_max_window_bits` (the answer must then name it too).
    let echoServerWindowBits: Bool

    /// The answer to `parameters`, or nil to decline this offer (the socket then goes uncompressed).
    init?(parameters: [String: WebSocketExtensionHTTPParameters.Parameter]) {
        var serverWindowBits: Int32 = 15
        var echoServerWindowBits = false
        for (name, value) in parameters {
            switch name {
            case "server_no_context_takeover", "client_no_context_takeover":
                guard value == .null else { return nil }
            case "client_max_window_bits":
                // Our inflater has a 15-bit window, enough for any window the client picks.
                if case .value = value, !Self.validWindow(value.integer) { return nil }
            case "server_max_window_bits":
                // zlib cannot compress with an 8-bit window (it uses 9), so such an offer is declined.
                guard let bits = value.integer, Self.validWindow(bits), bits > 8 else { return nil }
                serverWindowBits = Int32(bits)
                echoServerWindowBits = true
            default:
                return nil  // an unknown parameter: the RFC says to decline the offer
            }
        }
        self.serverWindowBits = serverWindowBits
        self.echoServerWindowBits = echoServerWindowBits
    }

    /// The `Sec-WebSocket-Extensions` value sent back.
    var responseHeader: String {
        var header = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        if echoServerWindowBits { header += "; server_max_window_bits=\(serverWindowBits)" }
        return header
    }

    private static func validWindow(_ bits: Int?) -> Bool {
        guard let bits else { return false }
        return (8...15).contains(bits)
    }
}
