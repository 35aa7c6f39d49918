import Foundation
import SQLKit

/// Dashboards, their members and widgets.
struct DashboardStore: Sendable {
    let database: Database

    enum StoreError: Error, Equatable {
        case versionConflict(current: Int)
        case alreadyMember
    }

    func create(ownerID: Int, name: String, description: String) async throws -> Dashboard {
        let now = Date()
        let id = try await database.withConnection { db in
            try await db.insert(into: "dashboards")
                .columns("owner_id", "name", "description", "version", "filters", "created_at", "updated_at")
                .values(SQLBind(ownerID), SQLBind(name), SQLBind(description), SQLBind(1), SQLBind("{}"), SQLBind(now), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int.self)
        }
        return Dashboard(id: id, name: name, description: description, ownerId: ownerID, version: 1,
                         filters: .object([:]), widgets: [], createdAt: now, updatedAt: now)
    }

    /// Dashboards `user` may see: all for admins; owned or shared otherwise.
    func list(visibleTo user: User, offset: Int = 0, limit: Int = 100) async throws -> (dashboards: [Dashboard], count: Int) {
        try await database.withConnection { db in
            func scoped(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
                guard user.role != .admin else { return query }
                return query.where {
                    $0.where("owner_id", .equal, user.id)
                        .orWhere("id", .in, SQLGroupExpression(db.select().column("dashboard_id").from("dashboard_members")
                            .where("user_id", .equal, user.id).query))
                }
            }
            let count = try await scoped(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("dashboards"))
                .first()!.decode(column: "n", as: Int.self)
            let rows = try await scoped(db.select().column("*").from("dashboards"))
                .orderBy("updated_at", .descending).orderBy("id", .descending).offset(offset).limit(limit).all()
            return (try rows.map { try Self.decode($0, widgets: []) }, count)
        }
    }

    /// The dashboard and how `user` may use it; nil when it does not exist or is not visible to them.
    func find(id: Int, for user: User) async throws -> (Dashboard, DashboardAccess)? {
        try await database.withConnection { db in
            guard let row = try await db.select().column("*").from("dashboards").where("id", .equal, id).first() else { return nil }
            let ownerID = try row.decode(column: "owner_id", as: Int.self)
            let access: DashboardAccess
            if ownerID == user.id {
                access = .owner
            } else if user.role == .admin {
                access = .admin
            } else if let member = try await db.select().column("role").from("dashboard_members")
                .where("dashboard_id", .equal, id).where("user_id", .equal, user.id).first() {
                access = try member.decode(column: "role", as: String.self) == "editor" ? .editor : .viewer
            } else {
                return nil
            }
            let widgets = try await db.select().column("*").from("visualizations").where("dashboard_id", .equal, id)
                .orderBy("id").all().map(Self.decodeWidget)
            return (try Self.decode(row, widgets: widgets), access)
        }
    }

    /// Applies a change when `expectedVersion` is current, bumping the version; a stale one throws `versionConflict`.
    func update(id: Int, expectedVersion: Int, name: String?, description: String?, filters: JSONValue?) async throws -> Int {
        try await database.withConnection { db in
            var query = db.update("dashboards")
                .set("version", to: SQLBinaryExpression(SQLColumn("version"), .add, SQLLiteral.numeric("1")))
                .set("updated_at", to: SQLBind(Date()))
                .where("id", .equal, id).where("version", .equal, expectedVersion)
            if let name { query = query.set("name", to: SQLBind(name)) }
            if let description { query = query.set("description", to: SQLBind(description)) }
            if let filters { query = query.set("filters", to: SQLBind(filters.jsonText)) }
            if let row = try await query.returning("version").first() {
                return try row.decode(column: "version", as: Int.self)
            }
            let current = try await db.select().column("version").from("dashboards").where("id", .equal, id).first()?
                .decode(column: "version", as: Int.self) ?? 0
            throw StoreError.versionConflict(current: current)
        }
    }

    func delete(id: Int) async throws {
        try await database.withConnection { db in
            try await db.delete(from: "dashboards").where("id", .equal, id).run()
        }
    }

    func members(of dashboardID: Int) async throws -> [DashboardMember] {
        try await database.withConnection { db in
            try await db.select()
                .column(SQLColumn("user_id", table: "dashboard_members"))
                .column(SQLColumn("role", table: "dashboard_members"))
                .column(SQLColumn("created_at", table: "dashboard_members"))
                .column(SQLColumn("email", table: "users")).column(SQLColumn("name", table: "users"))
                .from("dashboard_members")
                .join("users", on: SQLColumn("user_id", table: "dashboard_members"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("dashboard_id", table: "dashboard_members"), .equal, SQLBind(dashboardID))
                .orderBy(SQLColumn("email", table: "users")).all().map { row in
                    DashboardMember(userId: try row.decode(column: "user_id", as: Int.self),
                                    email: try row.decode(column: "email", as: String.self),
                                    name: try row.decode(column: "name", as: String.self),
                                    role: DashboardMember.Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
                                    createdAt: try row.decode(column: "created_at", as: Date.self))
                }
        }
    }

    /// Shares the dashboard, or changes the role of someone it is already shared with.
    func upsertMember(dashboardID: Int, userID: Int, role: DashboardMember.Role) async throws {
        try await database.transaction { db in
            let exists = try await db.select().column("user_id").from("dashboard_members")
                .where("dashboard_id", .equal, dashboardID).where("user_id", .equal, userID).first() != nil
            if exists {
                try await db.update("dashboard_members").set("role", to: SQLBind(role.rawValue))
                    .where("dashboard_id", .equal, dashboardID).where("user_id", .equal, userID).run()
            } else {
                try await db.insert(into: "dashboard_members").columns("dashboard_id", "user_id", "role", "created_at")
                    .values(SQLBind(dashboardID), SQLBind(userID), SQLBind(role.rawValue), SQLBind(Date())).run()
            }
        }
    }

    func removeMember(dashboardID: Int, userID: Int) async throws -> Bool {
        try await database.withConnection { db in
            try await db.delete(from: "dashboard_members")
                .where("dashboard_id", .equal, dashboardID).where("user_id", .equal, userID)
                .returning("user_id").first() != nil
        }
    }

    static func decode(_ row: any SQLRow, widgets: [JSONValue]) throws -> Dashboard {
        Dashboard(id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                  description: try row.decode(column: "description", as: String.self),
                  ownerId: try row.decode(column: "owner_id", as: Int.self), version: try row.decode(column: "version", as: Int.self),
                  filters: JSONValue.parse(try row.decode(column: "filters", as: String.self)), widgets: widgets,
                  createdAt: try row.decode(column: "created_at", as: Date.self),
                  updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }

    static func decodeWidget(_ row: any SQLRow) throws -> JSONValue {
        var widget = JSONValue.parse(try row.decode(column: "config", as: String.self)).objectValue ?? [:]
        widget["id"] = .number(Double(try row.decode(column: "id", as: Int.self)))
        widget["title"] = .string(try row.decode(column: "title", as: String.self))
        widget["chart"] = .string(try row.decode(column: "chart", as: String.self))
        if let datasetID = try row.decode(column: "dataset_id", as: Int?.self) { widget["dataset_id"] = .number(Double(datasetID)) }
        widget["layout"] = JSONValue.parse(try row.decode(column: "layout", as: String.self))
        return .object(widget)
    }
}
