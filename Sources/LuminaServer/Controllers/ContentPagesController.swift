import Foundation
import Hummingbird

/// The datasets, reports and admin pages.
struct ContentPagesController: Sendable {
    let datasets: DatasetStore
    let users: UserStore
    let database: Database
    let views: ViewRenderer

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get("datasets", use: datasetList)
        group.get("reports", use: reportList)
        group.get("admin", use: admin)
    }

    struct DatasetRow {
        let id: Int
        let name: String
        let status: String
        let rows: Int
        let columns: Int
        let created: String
        let error: String?
    }

    @Sendable func datasetList(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let (items, count) = try await datasets.list(visibleTo: user, limit: 500)
        let rows = items.map { DatasetRow(id: $0.id, name: $0.name, status: $0.status, rows: $0.rowCount, columns: $0.columnCount,
                                          created: HTMLFormat.date($0.createdAt), error: $0.error) }
        struct Page { let datasets: [DatasetRow]; let count: Int; let canUpload: Bool }
        return views.page("datasets", page: Page(datasets: rows, count: count, canUpload: user.role.canCreateContent),
                          context: context, title: "Datasets")
    }

    struct ReportRow {
        let id: Int
        let dashboard: String
        let recipients: String
        let schedule: String
        let enabled: Bool
    }

    @Sendable func reportList(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let rows: [ReportRow] = try await database.withConnection { db in
            var query = db.select()
                .column(SQLColumn("id", table: "scheduled_reports")).column(SQLColumn("recipients", table: "scheduled_reports"))
                .column(SQLColumn("schedule", table: "scheduled_reports")).column(SQLColumn("time_of_day", table: "scheduled_reports"))
                .column(SQLColumn("timezone", table: "scheduled_reports")).column(SQLColumn("enabled", table: "scheduled_reports"))
                .column(SQLColumn("name", table: "dashboards"), as: "dashboard_name")
                .from("scheduled_reports")
                .join("dashboards", on: SQLColumn("dashboard_id", table: "scheduled_reports"), .equal, SQLColumn("id", table: "dashboards"))
            if user.role != .admin { query = query.where(SQLColumn("owner_id", table: "scheduled_reports"), .equal, SQLBind(user.id)) }
            return try await query.orderBy(SQLColumn("id", table: "scheduled_reports")).all().map { row in
                let recipients = JSONValue.parse(try row.decode(column: "recipients", as: String.self))
                let emails: [String] = if case .array(let list) = recipients { list.compactMap(\.stringValue) } else { [] }
                return ReportRow(id: try row.decode(column: "id", as: Int.self),
                                 dashboard: try row.decode(column: "dashboard_name", as: String.self),
                                 recipients: emails.joined(separator: ", "),
                                 schedule: "\(try row.decode(column: "schedule", as: String.self)) at \(try row.decode(column: "time_of_day", as: String.self)) \(try row.decode(column: "timezone", as: String.self))",
                                 enabled: try row.decode(column: "enabled", as: Bool.self))
            }
        }
        struct Page { let reports: [ReportRow]; let count: Int }
        return views.page("reports", page: Page(reports: rows, count: rows.count), context: context, title: "Reports")
    }

    struct UserRow {
        let id: Int
        let email: String
        let name: String
        let role: String
        let created: String
    }

    @Sendable func admin(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let rows = try await users.all().map { UserRow(id: $0.id, email: $0.email, name: $0.name, role: $0.role.rawValue,
                                                        created: HTMLFormat.date($0.createdAt)) }
        struct Page { let users: [UserRow]; let count: Int }
        return views.page("admin", page: Page(users: rows, count: rows.count), context: context, title: "Administration")
    }
}

import SQLKit
