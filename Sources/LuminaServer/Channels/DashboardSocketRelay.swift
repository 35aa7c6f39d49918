import Foundation
import HummingbirdWebSocket
import Realtime

/// Applies the contract's rules to what one member sends on a dashboard socket.
///
/// `filter_change` from editors is shared (a viewer's stays in their own view); `widget_update`
/// carries the dashboard `version` it was based on: a stale one is answered with `version_conflict`
/// and the current dashboard, a current one bumps the version and is shared with the new number.
struct DashboardSocketRelay: Sendable {
    let hub: ChannelHub
    let dashboards: DashboardStore
    let dashboardID: Int
    let user: User
    let member: ChannelUser
    let canEdit: Bool
    let connection: ChannelConnection

    func handle(_ message: WebSocketMessage) async {
        guard case .text(let text) = message else {
            SocketSession.sendError(hub, connection, code: "unsupported_frame", message: "Dashboard sockets take JSON text frames.")
            return
        }
        let bytes = Array(text.utf8)
        do {
            switch try DashboardRelay.decide(frame: bytes, from: member, canEdit: canEdit) {
            case .keepPrivate:
                return
            case .broadcast(let type, let outbound):
                if type == "widget_update" {
                    guard let stamped = try await applyWidgetUpdate(bytes) else { return }
                    try await hub.send(stamped, toGroup: .dashboard(dashboardID), except: connection)
                } else {
                    try await hub.send(outbound, toGroup: .dashboard(dashboardID), except: connection)
                }
            }
        } catch let error as ChannelError {
            let code: String = switch error {
            case .forbiddenMessageType: "forbidden_message"
            case .malformedMessage: "invalid_message"
            default: "unavailable"
            }
            SocketSession.sendError(hub, connection, code: code, message: "\(error)")
        } catch {
            SocketSession.sendError(hub, connection, code: "internal_error", message: "The change could not be applied.")
        }
    }

    /// Checks and records the version of a widget change; nil when it was refused (the sender was told).
    private func applyWidgetUpdate(_ bytes: [UInt8]) async throws -> OutboundMessage? {
        let message = try ClientMessage(frame: bytes)
        guard let version = message.body["version"]?.intValue else {
            SocketSession.sendError(hub, connection, code: "invalid_message", message: "widget_update needs the integer 'version' it is based on.")
            return nil
        }
        do {
            let newVersion = try await dashboards.update(id: dashboardID, expectedVersion: version, name: nil, description: nil, filters: nil)
            var stamped = message.stamped(by: member).objectValue ?? [:]
            stamped["version"] = .integer(newVersion)
            return OutboundMessage(bytes: Realtime.JSONValue.object(stamped).encoded())
        } catch DashboardStore.StoreError.versionConflict {
            let current = try await dashboards.find(id: dashboardID, for: user)?.0
            let currentJSON = current.flatMap { try? JSONEncoder.lumina.encode($0) }
                .flatMap { try? Realtime.JSONValue(parsing: Array($0)) } ?? .null
            SocketSession.sendError(hub, connection, code: "version_conflict",
                                    message: "The dashboard changed since version \(version); here is the current one.",
                                    extra: ["current": currentJSON])
            return nil
        }
    }
}
