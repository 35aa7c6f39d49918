import Foundation
import Hummingbird

/// `/dashboards/...` pages: the list with a create form, a dashboard's page, and its sharing page.
struct DashboardPagesController: Sendable {
    let dashboards: DashboardStore
    let users: UserStore
    let events: DashboardEventPublisher
    let views: ViewRenderer

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get("dashboards", use: list)
        group.post("dashboards", use: create)
        group.get("dashboards/:id", use: show)
        group.post("dashboards/:id/rename", use: rename)
        group.post("dashboards/:id/delete", use: delete)
        group.get("dashboards/:id/sharing", use: sharing)
        group.post("dashboards/:id/sharing", use: share)
        group.post("dashboards/:id/sharing/:user_id/remove", use: unshare)
    }

    struct ListPage {
        var dashboards: [Row]
        var count: Int
        var canCreate: Bool
        var errors: [String: String] = [:]
        var name = ""
    }

    struct Row {
        let id: Int
        let name: String
        let description: String
        let updated: String
        let shared: Bool
    }

    private func listPage(_ user: User, errors: [String: String] = [:], name: String = "") async throws -> ListPage {
        let (items, count) = try await dashboards.list(visibleTo: user, limit: 500)
        return ListPage(dashboards: items.map { Row(id: $0.id, name: $0.name, description: $0.description,
                                                     updated: HTMLFormat.date($0.updatedAt), shared: $0.ownerId != user.id) },
                        count: count, canCreate: user.role.canCreateContent, errors: errors, name: name)
    }

    @Sendable func list(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        views.page("dashboards", page: try await listPage(try context.requireUser()), context: context, title: "Dashboards")
    }

    @Sendable func create(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireCreator()
        let form = try await FormBody(request, context: context)
        let name = form["name"]
        guard !name.isEmpty, name.count <= 200 else {
            return views.page("dashboards", page: try await listPage(user, errors: ["name": "Give the dashboard a name (up to 200 characters)."], name: name),
                              context: context, title: "Dashboards", status: .unprocessableContent)
        }
        let dashboard = try await dashboards.create(ownerID: user.id, name: name, description: String(form["description"].prefix(2000)))
        return .redirect(to: "/dashboards/\(dashboard.id)/", type: .normal)
    }

    private func load(_ context: LuminaRequestContext) async throws -> (User, Dashboard, DashboardAccess) {
        let user = try context.requireUser()
        let id = try context.parameters.id("id", "dashboard")
        guard let (dashboard, access) = try await dashboards.find(id: id, for: user) else { throw APIError.notFound("dashboard") }
        return (user, dashboard, access)
    }

    struct DetailPage {
        let id: Int
        let name: String
        let description: String
        let version: Int
        let canEdit: Bool
        let canManage: Bool
        let access: String
        let widgetCount: Int
        let hasWidgets: Bool
        var error: String?
    }

    private func detail(_ dashboard: Dashboard, _ access: DashboardAccess, error: String? = nil) -> DetailPage {
        DetailPage(id: dashboard.id, name: dashboard.name, description: dashboard.description, version: dashboard.version,
                   canEdit: access.canEdit, canManage: access.canManage, access: "\(access)", widgetCount: dashboard.widgets.count,
                   hasWidgets: !dashboard.widgets.isEmpty, error: error)
    }

    @Sendable func show(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await load(context)
        return views.page("dashboard", page: detail(dashboard, access), context: context, title: dashboard.name)
    }

    @Sendable func rename(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (user, dashboard, access) = try await load(context)
        guard access.canEdit else { throw APIError.forbidden("Viewers cannot rename this dashboard.") }
        let form = try await FormBody(request, context: context)
        let name = form["name"]
        guard !name.isEmpty, name.count <= 200, let version = Int(form["version"]) else {
            return views.page("dashboard", page: detail(dashboard, access, error: "Give the dashboard a name (up to 200 characters)."),
                              context: context, title: dashboard.name, status: .unprocessableContent)
        }
        do {
            _ = try await dashboards.update(id: dashboard.id, expectedVersion: version, name: name,
                                            description: String(form["description"].prefix(2000)), filters: nil)
        } catch DashboardStore.StoreError.versionConflict {
            return views.page("dashboard", page: detail(dashboard, access, error: "Someone else changed this dashboard meanwhile. Here is the current version; apply your change again."),
                              context: context, title: dashboard.name, status: .conflict)
        }
        if let (updated, _) = try await dashboards.find(id: dashboard.id, for: user) { await events.dashboardUpdated(updated, by: user) }
        return .redirect(to: "/dashboards/\(dashboard.id)/", type: .normal)
    }

    @Sendable func delete(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await load(context)
        guard access.canManage else { throw APIError.forbidden("Only the owner or an administrator can delete this dashboard.") }
        _ = try await FormBody(request, context: context)
        try await dashboards.delete(id: dashboard.id)
        return .redirect(to: "/dashboards/", type: .normal)
    }

    struct SharingPage {
        let id: Int
        let name: String
        let canManage: Bool
        let members: [MemberRow]
        var email = ""
        var errors: [String: String] = [:]
        var message: String?
    }

    struct MemberRow {
        let userId: Int
        let email: String
        let name: String
        let role: String
        let isEditor: Bool
    }

    private func sharingPage(_ dashboard: Dashboard, _ access: DashboardAccess, email: String = "", errors: [String: String] = [:],
                             message: String? = nil) async throws -> SharingPage {
        let members = try await dashboards.members(of: dashboard.id).map {
            MemberRow(userId: $0.userId, email: $0.email, name: $0.name, role: $0.role.rawValue, isEditor: $0.role == .editor)
        }
        return SharingPage(id: dashboard.id, name: dashboard.name, canManage: access.canManage, members: members,
                           email: email, errors: errors, message: message)
    }

    @Sendable func sharing(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await load(context)
        return views.page("sharing", page: try await sharingPage(dashboard, access), context: context, title: "Share \(dashboard.name)")
    }

    @Sendable func share(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await load(context)
        guard access.canManage else { throw APIError.forbidden("Only the owner or an administrator can share this dashboard.") }
        let form = try await FormBody(request, context: context)
        let email = form["email"]
        let role = DashboardMember.Role(rawValue: form["role"]) ?? .viewer
        var errors: [String: String] = [:]
        if let member = try await users.find(email: email) {
            if member.id == dashboard.ownerId {
                errors["email"] = "This is the owner's own account; owners always have full access."
            } else {
                try await dashboards.upsertMember(dashboardID: dashboard.id, userID: member.id, role: role)
            }
        } else {
            errors["email"] = "No LuminaBI account uses \(email.isEmpty ? "that address" : email). Ask them to register first."
        }
        let page = try await sharingPage(dashboard, access, email: errors.isEmpty ? "" : email, errors: errors,
                                         message: errors.isEmpty ? "Shared with \(email) as \(role.rawValue)." : nil)
        return views.page("sharing", page: page, context: context, title: "Share \(dashboard.name)",
                          status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func unshare(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, dashboard, access) = try await load(context)
        guard access.canManage else { throw APIError.forbidden("Only the owner or an administrator can change sharing.") }
        _ = try await FormBody(request, context: context)
        _ = try await dashboards.removeMember(dashboardID: dashboard.id, userID: try context.parameters.id("user_id", "member"))
        return .redirect(to: "/dashboards/\(dashboard.id)/sharing/", type: .normal)
    }
}
