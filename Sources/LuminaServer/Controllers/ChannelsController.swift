import Foundation
import Hummingbird
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
        router.socket("ws/dashboard/:id", shouldUpgrade: checkOrigin) { socket, request, context in
            await dashboard(socket, request, context)
        }
        router.socket("ws/data-cleaning/:id", shouldUpgrade: checkOrigin) { socket, request, context in
            await join(socket, request, context, greeting: { _, context in
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
        // Upload chunks are binary messages of up to 1 MiB.
        router.socket("ws/upload/:id", maxMessageSize: 1 << 20, shouldUpgrade: checkOrigin) { socket, request, context in
            guard let user = await signedIn(socket, request, context) else { return }
            guard let id = Int(context.parameters.get("id") ?? ""), await uploads.isOwned(uploadID: id, by: user) else {
                socket.close(code: ChannelCloseCode.forbidden, reason: "no access")
                return
            }
            await UploadSocket(hub: hub, service: uploadService, logger: logger)
                .run(user: ChannelUser(id: user.id, name: user.name), uploadID: id, socket: socket)
        }
        router.socket("ws/insights", shouldUpgrade: checkOrigin) { socket, request, context in
            await join(socket, request, context) { user, _ in [InsightsAudience.group(for: user)] }
        }
        router.socket("ws/notifications", shouldUpgrade: checkOrigin) { socket, request, context in
            await join(socket, request, context) { user, _ in
                user.role == .admin ? [.user(user.id), AdminAudience.group] : [.user(user.id)]
            }
        }
    }

    @Sendable func checkOrigin(_ request: Request, context: LuminaRequestContext) async throws {
        try authenticator.checkOrigin(request)
    }

    /// A socket that only listens: authorise, join `groups`, then forward what the groups receive.
    private func join(
        _ socket: LiveSocket, _ request: Request, _ context: LuminaRequestContext,
        greeting: @Sendable (User, LuminaRequestContext) async -> OutboundMessage? = { _, _ in nil },
        groups: @Sendable (User, LuminaRequestContext) async -> [ChannelGroup]?
    ) async {
        guard let user = await signedIn(socket, request, context) else { return }
        guard let groups = await groups(user, context) else {
            socket.close(code: ChannelCloseCode.forbidden, reason: "no access")
            return
        }
        let connection = await hub.connect(user: ChannelUser(id: user.id, name: user.name), writing: .eventDriven)
        do {
            for group in groups { try await hub.add(connection, to: group) }
        } catch {
            await hub.disconnect(connection)
            socket.close(code: 1011, reason: "\(error)")
            return
        }
        if let message = await greeting(user, context) { hub.send(message, toConnection: connection) }
        SocketSession.serve(socket, hub: hub, connection: connection)
    }

    /// The socket's user, or nil after closing it with 4401.
    private func signedIn(_ socket: LiveSocket, _ request: Request, _ context: LuminaRequestContext) async -> User? {
        switch await authenticator.authenticate(request, context: context) {
        case .user(let user): return user
        case .refused(let code, let reason):
            socket.close(code: code, reason: reason)
            return nil
        }
    }

    /// `/ws/dashboard/<id>/`: presence, and relays of members' filter and widget changes.
    private func dashboard(_ socket: LiveSocket, _ request: Request, _ context: LuminaRequestContext) async {
        guard let user = await signedIn(socket, request, context) else { return }
        guard let id = Int(context.parameters.get("id") ?? ""),
              let (_, access) = try? await dashboards.find(id: id, for: user) else {
            socket.close(code: ChannelCloseCode.forbidden, reason: "no access")
            return
        }
        let member = ChannelUser(id: user.id, name: user.name)
        let connection = await hub.connect(user: member, writing: .eventDriven)
        do {
            try await hub.add(connection, to: .dashboard(id), presence: true)
        } catch {
            await hub.disconnect(connection)
            socket.close(code: 1011, reason: "\(error)")
            return
        }
        let relay = DashboardSocketRelay(hub: hub, dashboards: dashboards, dashboardID: id, user: user,
                                         member: member, canEdit: access.canEdit, connection: connection)
        SocketSession.serve(socket, hub: hub, connection: connection) { message in
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
