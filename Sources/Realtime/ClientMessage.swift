/// A JSON object received from a client, with its `type` checked to be a string.
public struct ClientMessage: Sendable, Equatable {
    public let type: String
    /// The whole object as received (including `"type"`).
    public let body: [String: JSONValue]

    /// Parses a client text frame; it must be a JSON object with a non-empty string `"type"`.
    public init(frame: some Collection<UInt8>) throws(ChannelError) {
        try self.init(json: JSONValue(parsing: frame))
    }

    public init(json: JSONValue) throws(ChannelError) {
        guard case .object(let members) = json else { throw .malformedMessage("expected a JSON object") }
        guard let type = members["type"]?.stringValue, !type.isEmpty else {
            throw .malformedMessage("expected a string \"type\"")
        }
        self.type = type
        self.body = members
    }

    /// The message with `"user":{"id","name"}` set to `user` (replacing any `user` the client sent,
    /// so nobody can speak for someone else).
    public func stamped(by user: ChannelUser) -> JSONValue {
        var members = body
        members["user"] = user.json
        return .object(members)
    }
}
