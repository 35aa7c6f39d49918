/// Errors thrown by the channel layer.
///
/// LuminaServer maps them to WebSocket close codes or HTTP statuses; this module never does.
public enum ChannelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A group name is empty, too long, or uses characters other than `a-z`, `0-9` and `_`.
    case invalidGroupName(String)
    /// A connection tried to join more groups than `ChannelHub.Configuration.maxGroupsPerConnection`.
    case tooManyGroups(limit: Int)
    /// The connection was closed or disconnected and can no longer join groups.
    case connectionClosed
    /// The backend could not publish or subscribe (database down, listener lost).
    case backendUnavailable(String)
    /// A client message is not valid JSON, not an object, or has no string `"type"`.
    case malformedMessage(String)
    /// A client tried to send a message type only the server may send, or one the relay does not accept.
    case forbiddenMessageType(String)
    /// A backend wire payload could not be decoded.
    case malformedBackendPayload(String)

    public var description: String {
        switch self {
        case .invalidGroupName(let name):
            return "invalid channel group name \"\(name)\": use 1-64 characters a-z, 0-9 and _, starting with a letter"
        case .tooManyGroups(let limit):
            return "a connection may join at most \(limit) groups"
        case .connectionClosed:
            return "the connection is closed"
        case .backendUnavailable(let reason):
            return "the channel backend is unavailable: \(reason)"
        case .malformedMessage(let reason):
            return "malformed message: \(reason)"
        case .forbiddenMessageType(let type):
            return "clients may not send messages of type \"\(type)\""
        case .malformedBackendPayload(let reason):
            return "malformed backend payload: \(reason)"
        }
    }
}
