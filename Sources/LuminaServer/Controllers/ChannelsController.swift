import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Realtime
import SQLKit

/// The WebSocket channels of the contract: each socket authenticates, is authorised for its object,
/// joins its group and then only moves frames (`SocketSession`).
struct ChannelsController: Sendable {
    let hub: ChannelHub
    let authenticator: SocketAuthenticator
    let dashboards: DashboardStore
    let datasets: DatasetStore
    let uploads: UploadAccess
    let uploadService: UploadService
    let logger: Logger

    func addRoutes(to router: Router<LuminaRequestContext>) {
        router.ws("ws/dashboard/:id", shouldUpgrade: upgrade) { inbound, outbound, ws in
            await dashboard(inbound, outbound, ws)
        }
        router.ws("ws/data-cleaning/:id", shouldUpgrade: upgrade) { inbound, outbound, ws in
            await join(inbound, outbound, ws, greeting: { _, context in
                // A page that opens after a fast cleaning finished still learns how it ended.
                guard let id = Int(context.parameters.get("id") ?? ""),
                      let status = try? await datasets.database.withConnection({ db in
                          try await db.select().columns("status", "error").from("datasets").where("id", .equal, id).first()
                      }) else { return nil }
                let state = (try? status.decode(column: "status", as: String.self)) ?? ""
                switch state {
                case "cleaned":
                    return OutboundMessage(type: "cleaning_progress", fields: [
                        "dataset_id": .integer(id), "progress": .integer(100), "status": .string("completed"), "step": .string("Done"),
                    ], essential: true)
                case "failed":
                    return OutboundMessage(type: "cleaning_progress", fields: [
                        "dataset_id": .integer(id), "progress": .integer(100), "status": .string("failed"), "step": .string("Cleaning failed"),
                        "error": .string((try? status.decode(column: "error", as: String?.self)) ?? ""),
                    ], essential: true)
                default:
                    return nil
                }
            }) { user, context in
                guard let id = Int(context.parameters.get("id") ?? ""),
                      (try? await datasets.find(id: id, for: user)) != nil else { return nil }
                return [.dataCleaning(id)]
            }
        }
        router.ws("ws/upload/:id", shouldUpgrade: upgrade) { inbound, outbound, ws in
            guard let user = await signedIn(outbound, ws) else { return }
            guard let id = Int(ws.requestContext.parameters.get("id") ?? ""), await uploads.isOwned(uploadID: id, by: user) else {
                await SocketSession.refuse(outbound, code: ChannelCloseCode.forbidden, reason: "no access")
                return
            }
            await UploadSocket(hub: hub, service: uploadService, logger: logger)
                .run(user: ChannelUser(id: user.id, name: user.name), uploadID: id, inbound: inbound, outbound: outbound)
        }
        router.ws("ws/insights", shouldUpgrade: upgrade) { inbound, outbound, ws in
            await join(inbound, outbound, ws) { user, _ in [InsightsAudience.group(for: user)] }
        }
        router.ws("ws/notifications", shouldUpgrade: upgrade) { inbound, outbound, ws in
            await join(inbound, outbound, ws) { user, _ in
                user.role == .admin ? [.user(user.id), AdminAudience.group] : [.user(user.id)]
            }
        }
    }

    @Sendable func upgrade(_ request: Request, context: LuminaRequestContext) async throws -> RouterShouldUpgrade {
        try authenticator.checkOrigin(request)
        return .upgrade([:])
    }

    /// A socket that only listens: authorise, join `groups`, then forward what the groups receive.
    private func join(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
        _ ws: WebSocketRouterContext<LuminaRequestContext>,
        greeting: @Sendable (User, LuminaRequestContext) async -> OutboundMessage? = { _, _ in nil },
        groups: @Sendable (User, LuminaRequestContext) async -> [ChannelGroup]?
    ) async {
        guard let user = await signedIn(outbound, ws) else { return }
        guard let groups = await groups(user, ws.requestContext) else {
            await SocketSession.refuse(outbound, code: ChannelCloseCode.forbidden, reason: "no access")
            return
        }
        let connection = await hub.connect(user: ChannelUser(id: user.id, name: user.name))
        do {
            for group in groups { try await hub.add(connection, to: group) }
        } catch {
            await hub.disconnect(connection)
            await SocketSession.refuse(outbound, code: 1011, reason: "\(error)")
            return
        }
        if let message = await greeting(user, ws.requestContext) { hub.send(message, toConnection: connection) }
        await SocketSession.run(hub: hub, connection: connection, inbound: inbound, outbound: outbound, logger: logger)
    }

    private func signedIn(_ outbound: WebSocketOutboundWriter, _ ws: WebSocketRouterContext<LuminaRequestContext>) async -> User? {
        switch await authenticator.authenticate(ws.request, context: ws.requestContext) {
        case .user(let user): return user
        case .refused(let code, let reason):
            await SocketSession.refuse(outbound, code: code, reason: reason)
            return nil
        }
    }

    /// `/ws/dashboard/<id>/`: presence, and relays of members' filter and widget changes.
    private func dashboard(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
                           _ ws: WebSocketRouterContext<LuminaRequestContext>) async {
        guard let user = await signedIn(outbound, ws) else { return }
        guard let id = Int(ws.requestContext.parameters.get("id") ?? ""),
              let (_, access) = try? await dashboards.find(id: id, for: user) else {
            await SocketSession.refuse(outbound, code: ChannelCloseCode.forbidden, reason: "no access")
            return
        }
        let member = ChannelUser(id: user.id, name: user.name)
        let connection = await hub.connect(user: member)
        do {
            try await hub.add(connection, to: .dashboard(id), presence: true)
        } catch {
            await hub.disconnect(connection)
            await SocketSession.refuse(outbound, code: 1011, reason: "\(error)")
            return
        }
        let relay = DashboardSocketRelay(hub: hub, dashboards: dashboards, dashboardID: id, user: user,
                                         member: member, canEdit: access.canEdit, connection: connection)
        await SocketSession.run(hub: hub, connection: connection, inbound: inbound, outbound: outbound, logger: logger) { message in
            await relay.handle(message)
        }
    }
}

/// Who receives `insights_generated`: each user's own insights group, so nobody sees insights of
/// datasets they may not see.
enum InsightsAudience {
    static func group(for user: User) -> ChannelGroup { group(forUserID: user.id) }

    static func group(forUserID id: Int) -> ChannelGroup {
        (try? ChannelGroup("insights_user_\(id)")) ?? .insights
    }
}

/// Administrators' notifications (`job_started`, `job_finished`).
enum AdminAudience {
    static let group: ChannelGroup = (try? ChannelGroup("admins")) ?? .insights
}

/// Whether an upload belongs to a user; uploads are private to their owner (and admins).
protocol UploadAccess: Sendable {
    func isOwned(uploadID: Int, by user: User) async -> Bool
}
