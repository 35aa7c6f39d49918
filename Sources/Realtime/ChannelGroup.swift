/// The validated name of a channel group, such as `dashboard_5` or `insights`.
///
/// Names are restricted to 1–64 characters `a-z`, `0-9` and `_`, starting with a letter, so that
/// they are safe as log metadata, metric dimensions and PostgreSQL channel identifiers without quoting.
public struct ChannelGroup: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The group name, as used in envelopes, logs and backend payloads.
    public let name: String

    /// Validates `name` and wraps it.
    public init(_ name: String) throws(ChannelError) {
        guard Self.isValid(name) else { throw .invalidGroupName(name) }
        self.name = name
    }

    private init(unchecked name: String) {
        self.name = name
    }

    /// `dashboard_<id>`: viewers and editors of one dashboard (with presence).
    public static func dashboard(_ id: Int) -> ChannelGroup { ChannelGroup(unchecked: "dashboard_\(id)") }
    /// `upload_<id>`: progress of one upload.
    public static func upload(_ id: Int) -> ChannelGroup { ChannelGroup(unchecked: "upload_\(id)") }
    /// `datacleaning_<id>`: cleaning progress of one dataset.
    public static func dataCleaning(_ id: Int) -> ChannelGroup { ChannelGroup(unchecked: "datacleaning_\(id)") }
    /// `user_<id>`: notifications for one user.
    public static func user(_ id: Int) -> ChannelGroup { ChannelGroup(unchecked: "user_\(id)") }
    /// `insights`: newly generated insights (the server filters per user).
    public static let insights = ChannelGroup(unchecked: "insights")

    /// Whether `name` is a valid group name.
    public static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, (1...64).contains(utf8.count), first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return false
        }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
    }

    public var description: String { name }

    public static func < (lhs: ChannelGroup, rhs: ChannelGroup) -> Bool { lhs.name < rhs.name }
}
