/// Identifies one `lumina` process (one hub) among the nodes sharing a backend.
///
/// Backends stamp every event with its origin node so that a hub can recognise its own
/// messages (to skip the excluded sender) and so presence can be kept per node and expired
/// when a node stops sending heartbeats.
public struct ChannelNodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// A random node id (16 hex digits); a new one per process start, so a restarted node never
    /// inherits the presence of its previous incarnation.
    public static func random() -> ChannelNodeID {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return ChannelNodeID(String(repeating: "0", count: 16 - hex.count) + hex)
    }

    public var description: String { rawValue }

    public static func < (lhs: ChannelNodeID, rhs: ChannelNodeID) -> Bool { lhs.rawValue < rhs.rawValue }
}
