import NIOCore

/// One encoded text frame, shared by every connection it is delivered to.
///
/// A broadcast is encoded once into `bytes` and the same instance is enqueued on every
/// connection's outbox: per-client cost is one reference in a queue, never a re-encoding.
/// `essential` messages (presence lists, completion and error events) are never dropped by the
/// outbox policy; a connection that cannot keep up with them is closed instead.
public final class OutboundMessage: Sendable {
    /// UTF-8 JSON text of the envelope `{"type": ...}`, ready to be written as one text frame.
    public let bytes: [UInt8]
    /// The same bytes as one buffer that every socket writes as is: a transport copies a reference,
    /// not the payload, so a broadcast to 10,000 sockets allocates one buffer, not 10,000.
    public let buffer: ByteBuffer
    /// Whether the outbox must keep this message when it is over capacity.
    public let essential: Bool
    /// When the message was created, for the delivery-latency timer (`ChannelConnection.didWrite`).
    public let createdAt: ContinuousClock.Instant

    /// Wraps bytes that are already a JSON envelope (trusted: the server or a backend produced them).
    public init(bytes: [UInt8], essential: Bool = false, createdAt: ContinuousClock.Instant = .now) {
        self.bytes = bytes
        self.buffer = ByteBuffer(bytes: bytes)
        self.essential = essential
        self.createdAt = createdAt
    }

    /// Encodes a JSON object envelope; `value` must be an object with a string `"type"`.
    public convenience init(json value: JSONValue, essential: Bool = false) throws(ChannelError) {
        guard value["type"]?.stringValue != nil else {
            throw .malformedMessage("an envelope must be a JSON object with a string \"type\"")
        }
        self.init(bytes: value.encoded(), essential: essential)
    }

    /// Encodes `{"type": type, ...fields}`.
    public convenience init(type: String, fields: [String: JSONValue] = [:], essential: Bool = false) {
        var members = fields
        members["type"] = .string(type)
        self.init(bytes: JSONValue.object(members).encoded(), essential: essential)
    }

    /// The frame as a `String` (for transports that only write text as strings, and for tests).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
