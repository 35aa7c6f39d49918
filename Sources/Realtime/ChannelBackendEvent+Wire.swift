extension ChannelBackendEvent {
    /// The event as UTF-8 text for backends that carry bytes between processes (a NOTIFY payload).
    ///
    /// Format: one compact JSON header line, then for messages `\n` and the envelope bytes
    /// unchanged (no re-encoding, no escaping of the message). Header keys: `k` kind
    /// (`m` message, `p` presence, `q` query, `h` heartbeat, `l` node left), `o` origin node,
    /// `g` group, `x` excluded connection, `e` essential, `r` revision, `u` users.
    /// `publishedAt` is not carried (monotonic clocks differ between processes).
    /// Returns `nil` for `.resynchronize`, which is local to a node and never published.
    public func wirePayload() -> [UInt8]? {
        var header: [String: JSONValue] = ["v": 1]
        var body: [UInt8] = []
        switch self {
        case .message(let message):
            header["k"] = "m"
            header["o"] = .string(message.origin.rawValue)
            header["g"] = .string(message.group.name)
            header["e"] = .bool(message.essential)
            if let excluded = message.excluding { header["x"] = .string(String(excluded)) }
            body = message.bytes
        case .presence(let snapshot):
            header["k"] = "p"
            header["o"] = .string(snapshot.node.rawValue)
            header["g"] = .string(snapshot.group.name)
            header["r"] = .string(String(snapshot.revision))
            header["u"] = .array(snapshot.users.map(\.json))
        case .presenceQuery(let group, let from):
            header["k"] = "q"
            header["o"] = .string(from.rawValue)
            header["g"] = .string(group.name)
        case .heartbeat(let node):
            header["k"] = "h"
            header["o"] = .string(node.rawValue)
        case .nodeLeft(let node):
            header["k"] = "l"
            header["o"] = .string(node.rawValue)
        case .resynchronize:
            return nil
        }
        var payload = JSONValue.object(header).encoded()
        if case .message = self {
            payload.append(UInt8(ascii: "\n"))
            payload.append(contentsOf: body)
        }
        return payload
    }

    /// Decodes a payload made by `wirePayload()`.
    public init(wirePayload payload: some Collection<UInt8>) throws(ChannelError) {
        let bytes = Array(payload)
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n"))
        let headerBytes = bytes[..<(newline ?? bytes.endIndex)]
        let header: JSONValue
        do {
            header = try JSONValue(parsing: headerBytes)
        } catch {
            throw .malformedBackendPayload("header is not JSON: \(error)")
        }
        guard let kind = header["k"]?.stringValue, let origin = header["o"]?.stringValue else {
            throw .malformedBackendPayload("missing kind or origin")
        }
        let node = ChannelNodeID(origin)
        func group() throws(ChannelError) -> ChannelGroup {
            guard let name = header["g"]?.stringValue else { throw .malformedBackendPayload("missing group") }
            do {
                return try ChannelGroup(name)
            } catch {
                throw .malformedBackendPayload("invalid group \(name)")
            }
        }
        switch kind {
        case "m":
            guard let newline else { throw .malformedBackendPayload("message without body") }
            let excluded = header["x"]?.stringValue.flatMap { ChannelConnection.ID($0) }
            self = .message(ChannelBackendMessage(
                group: try group(), bytes: Array(bytes[(newline + 1)...]), essential: header["e"] == .bool(true),
                origin: node, excluding: excluded
            ))
        case "p":
            guard let revision = header["r"]?.stringValue.flatMap({ UInt64($0) }), let list = header["u"]?.arrayValue else {
                throw .malformedBackendPayload("presence without revision or users")
            }
            var users: [ChannelUser] = []
            for entry in list {
                guard let id = entry["id"]?.intValue, let name = entry["name"]?.stringValue else {
                    throw .malformedBackendPayload("presence user without id or name")
                }
                users.append(ChannelUser(id: id, name: name))
            }
            self = .presence(PresenceSnapshot(node: node, group: try group(), revision: revision, users: users))
        case "q":
            self = .presenceQuery(group: try group(), from: node)
        case "h":
            self = .heartbeat(node: node)
        case "l":
            self = .nodeLeft(node)
        default:
            throw .malformedBackendPayload("unknown kind \(kind)")
        }
    }
}
