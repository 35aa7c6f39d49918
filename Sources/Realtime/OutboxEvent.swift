/// What a connection's writer must do next: write a frame, or close the socket.
public enum OutboxEvent: Sendable {
    /// Write `message.bytes` as one text frame.
    case message(OutboundMessage)
    /// Close the WebSocket with `code` and `reason`; the outbox yields nothing after this.
    case close(code: UInt16, reason: String)
}

/// WebSocket close codes this module uses or documents.
public enum ChannelCloseCode {
    /// Normal closure.
    public static let normal: UInt16 = 1000
    /// The server is shutting down.
    public static let goingAway: UInt16 = 1001
    /// "Try again later": the client is too slow to keep up with its outbox.
    public static let tryAgainLater: UInt16 = 1013
    /// Not signed in, unknown or revoked token (LuminaServer closes with it after the handshake).
    public static let unauthorized: UInt16 = 4401
    /// Signed in but no access to the object, or no such object.
    public static let forbidden: UInt16 = 4403
}
