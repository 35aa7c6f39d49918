/// The user behind a connection, as shown in presence lists and relay stamps (`{"id","name"}`).
///
/// Presence counts users by `id`: two tabs of one user are one presence entry.
public struct ChannelUser: Hashable, Sendable, Codable, CustomStringConvertible {
    public var id: Int
    public var name: String

    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }

    /// The user as the JSON object `{"id":..,"name":..}` used in envelopes.
    public var json: JSONValue {
        .object(["id": .integer(id), "name": .string(name)])
    }

    public var description: String { "\(id)" }
}
