import Foundation
import Hummingbird
import Realtime

/// `/api/v1/dashboards`: create, list, read, rename (with version check), delete, share.
struct DashboardsAPIController: Sendable {
    let dashboards: DashboardStore
    let users: UserStore
    let events: DashboardEventPublisher
    let hub: ChannelHub
    let maxBodySize: Int

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: show)
        group.patch(":id", use: update)
        group.delete(":id", use: delete)
        group.get(":id/members", use: members)
        group.post(":id/members", use: addMember)
        group.delete(":id/members/:user_id", use: removeMember)
        group.post(":id/events", use: pushEvent)
    }

    /// The dashboard when the signed-in user may see it; otherwise 404, never revealing that it exists.
    func load(_ context: LuminaRequestContext) throws -> (User, Int) {
        (try context.requireUser(), try context.parameters.id("id", "dashboard"))
    }

    func access(_ context: LuminaRequestContext) async throws -> (User, Dashboard, DashboardAccess) {
        let (user, id) = try load(context)
        guard let (dashboard, access) = try await dashboards.find(id: id, for: user) else { throw APIError.notFound("dashboard") }
        return (user, dashboard, access)
    }

    @Sendable func create(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireCreator()
        var body = try await JSONBody(request, limit: maxBodySize)
        let name = body.string("name", maxLength: 200)
        let description = body.string("description", required: false, maxLength: 2000) ?? ""
        try body.validate()
        let dashboard = try await dashboards.create(ownerID: user.id, name: name!, description: description)
        return try .json(dashboard, status: .created)
    }

    @Sendable func list(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let (items, count) = try await dashboards.list(visibleTo: user, offset: page.offset, limit: page.limit)
        return try .list(items, count: count)
    }

    @Sendable func show(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        try .json(try await access(context).1)
    }

    @Sendable func update(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (user, dashboard, access) = try await self.access(context)
        guard access.canEdit else { throw APIError.forbidden("Viewers cannot change this dashboard.") }
        var body = try await JSONBody(request, limit: maxBodySize)
        let version = body.int("version")
        let name = body.string("name", required: false, maxLength: 200)
        let description = body.string("description", required: false, maxLength: 2000)
        var filters: JSONValue?
        if let value = body.object["filters"] {
            if case .object = value { filters = value } else { body.fail("filters", "Expected a JSON object.") }
        }
        try body.validate()
        do {
            _ = try await dashboards.update(id: dashboard.id, expectedVersion: version!, name: name, description: description, filters: filters)
        } catch DashboardStore.StoreError.versionConflict(let current) {
            throw APIError.conflict("version_conflict",
                                    "The dashboard was changed by someone else (now version \(current)); reload it and apply your change again.",
                                    details: .object(["current_version": .number(Double(current))]))
        }
        guard let (updated, _) = try await dashboards.find(id: dashboard.id, for: user) else { throw APIError.notFound("dashboard") }
        await events.dashboardUpdated(updated, by: user)
        return try .json(updated)
    }

    @Sendable func delete(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await self.access(context)
        guard access.canManage else { throw APIError.forbidden("Only the owner or an administrator can delete this dashboard.") }
        try await dashboards.delete(id: dashboard.id)
        return Response(status: .noContent)
    }

    @Sendable func members(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, _) = try await access(context)
        return try .list(try await dashboards.members(of: dashboard.id))
    }

    @Sendable func addMember(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await self.access(context)
        guard access.canManage else { throw APIError.forbidden("Only the owner or an administrator can share this dashboard.") }
        var body = try await JSONBody(request, limit: maxBodySize)
        let email = body.string("email")
        let role = body.oneOf("role", DashboardMember.Role.self)
        try body.validate()
        guard let member = try await users.find(email: email!) else {
            throw APIError.validation(["email": "No LuminaBI account uses \(email!). Ask them to register first."])
        }
        guard member.id != dashboard.ownerId else {
            throw APIError.validation(["email": "This is the owner's own account; owners always have full access."])
        }
        try await dashboards.upsertMember(dashboardID: dashboard.id, userID: member.id, role: role!)
        let added = try await dashboards.members(of: dashboard.id).first { $0.userId == member.id }
        return try .json(added, status: .created)
    }

    @Sendable func removeMember(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (user, dashboard, access) = try await self.access(context)
        let memberID = try context.parameters.id("user_id", "member")
        guard access.canManage || memberID == user.id else {
            throw APIError.forbidden("Only the owner or an administrator can remove members.")
        }
        guard try await dashboards.removeMember(dashboardID: dashboard.id, userID: memberID) else { throw APIError.notFound("member") }
        return Response(status: .noContent)
    }
}

extension DashboardsAPIController {
    /// Relays a JSON object to every socket of the dashboard, stamped with the sender (editors, owner, admins).
    @Sendable func pushEvent(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (user, dashboard, access) = try await self.access(context)
        guard access.canEdit else { throw APIError.forbidden("Only editors, the owner and administrators can push events.") }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: maxBodySize) } catch {
            throw APIError.tooLarge("The event is larger than \(maxBodySize / 1024) KiB.")
        }
        let body: Realtime.JSONValue
        do { body = try Realtime.JSONValue(parsing: Array(buffer.readableBytesView)) } catch {
            throw APIError.badRequest("invalid_json", "The request body is not valid JSON: \(error)")
        }
        let message: OutboundMessage
        do {
            message = try DashboardRelay.pushEvent(body, from: ChannelUser(id: user.id, name: user.name))
        } catch .forbiddenMessageType(let type) {
            throw APIError.validation(["type": "'\(type)' is reserved for the server; choose another event type."])
        } catch {
            throw APIError.validation(["type": "The body must be a JSON object with a string \"type\": \(error)"])
        }
        do {
            try await hub.send(message, toGroup: .dashboard(dashboard.id))
        } catch {
            throw APIError(status: .serviceUnavailable, code: "realtime_unavailable", message: "The event could not be relayed: \(error)")
        }
        return try .json(["status": "accepted"], status: .accepted)
    }
}

/// Where dashboard changes are announced; the realtime layer implements it to reach open pages.
protocol DashboardEventPublisher: Sendable {
    func dashboardUpdated(_ dashboard: Dashboard, by user: User) async
}
