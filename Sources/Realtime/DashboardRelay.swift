/// The relay rules for client messages, as pure functions (no socket, no hub).
///
/// LuminaServer calls `decide` for each inbound text frame on `/ws/dashboard/<id>/` and
/// `pushEvent` for `POST /api/v1/dashboards/<id>/events`, then sends the resulting message with
/// `hub.send(message, toGroup: .dashboard(id), except: connection)` (the sender does not get
/// its own change back). Version checks of `widget_update` need the database and stay in the server.
public enum DashboardRelay {
    public enum Decision: Sendable {
        /// Send this (stamped, encoded once) message to every other member of the group.
        case broadcast(type: String, message: OutboundMessage)
        /// Valid, but stays with the sender: a viewer's `filter_change` applies to their own view only.
        case keepPrivate(type: String)
    }

    /// Decides what to do with a frame a dashboard member sent.
    ///
    /// - Parameter canEdit: the sender is an editor, the owner or an admin; viewers may only
    ///   change their own filters.
    /// - Throws: `.malformedMessage` for frames that are not a typed JSON object,
    ///   `.forbiddenMessageType` for server-only types, unknown types and a viewer's `widget_update`.
    public static func decide(frame: some Collection<UInt8>, from user: ChannelUser, canEdit: Bool) throws(ChannelError) -> Decision {
        let message = try ClientMessage(frame: frame)
        guard MessageTypes.dashboardRelayed.contains(message.type) else {
            throw .forbiddenMessageType(message.type)
        }
        switch (message.type, canEdit) {
        case ("filter_change", false):
            return .keepPrivate(type: message.type)
        case (_, false):
            throw .forbiddenMessageType(message.type)
        default:
            return .broadcast(type: message.type, message: OutboundMessage(bytes: message.stamped(by: user).encoded()))
        }
    }

    /// Stamps an event posted to the push API; any type but the server-only ones is accepted.
    public static func pushEvent(_ body: JSONValue, from user: ChannelUser) throws(ChannelError) -> OutboundMessage {
        let message = try ClientMessage(json: body)
        guard !MessageTypes.isServerOnly(message.type) else { throw .forbiddenMessageType(message.type) }
        return OutboundMessage(bytes: message.stamped(by: user).encoded())
    }
}
