import Foundation
import SQLKit

/// The queries that tell each scheduled job what is due: pending datasets, datasets whose data
/// changed since their insights, reports whose next send time has passed.
struct DueWorkStore: Sendable {
    let database: Database

    struct DatasetRef: Sendable, Equatable {
        let id: Int
        let name: String
        let status: String
    }

    struct ReportRef: Sendable, Equatable {
        let id: Int
        let dashboardID: Int
        let nextRunAt: Date
    }

    /// Datasets waiting to be cleaned, and those a crash left half-way (`cleaning`), oldest first.
    func datasetsToClean() async throws -> [DatasetRef] {
        try await database.withConnection { db in
            try await db.select().columns("id", "name", "status").from("datasets")
                .where("status", .in, ["pending", "cleaning"]).orderBy("id").all()
                .map(Self.datasetRef)
        }
    }

    /// Cleaned datasets whose data changed after their insights were last computed.
    func datasetsNeedingInsights() async throws -> [DatasetRef] {
        try await database.withConnection { db in
            try await db.select().columns("id", "name", "status").from("datasets")
                .where("status", .equal, "cleaned")
                .where(SQLColumn("insights_version"), .lessThan, SQLColumn("data_version"))
                .orderBy("id").all()
                .map(Self.datasetRef)
        }
    }

    /// Enabled scheduled reports whose next send time is not later than `now`.
    func reportsDue(at now: Date) async throws -> [ReportRef] {
        try await database.withConnection { db in
            try await db.select().columns("id", "dashboard_id", "next_run_at").from("scheduled_reports")
                .where("enabled", .equal, true).where("next_run_at", .lessThanOrEqual, SQLBind(now))
                .orderBy("next_run_at").all()
                .map { row in
                    ReportRef(id: try row.decode(column: "id", as: Int.self),
                              dashboardID: try row.decode(column: "dashboard_id", as: Int.self),
                              nextRunAt: try row.decode(column: "next_run_at", as: Date.self))
                }
        }
    }

    private static func datasetRef(_ row: any SQLRow) throws -> DatasetRef {
        DatasetRef(id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                   status: try row.decode(column: "status", as: String.self))
    }
}
