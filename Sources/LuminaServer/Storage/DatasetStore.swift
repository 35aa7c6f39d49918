import Foundation
import SQLKit

/// Dataset metadata: what the list and detail pages and the API show.
struct DatasetStore: Sendable {
    let database: Database

    /// Datasets `user` may see: all for admins, their own otherwise, and those used on dashboards shared with them.
    func list(visibleTo user: User, offset: Int = 0, limit: Int = 100) async throws -> (datasets: [DatasetSummary], count: Int) {
        try await database.withConnection { db in
            func scoped(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
                guard user.role != .admin else { return query }
                return query.where {
                    $0.where("owner_id", .equal, user.id)
                        .orWhere("id", .in, SQLGroupExpression(db.select().column(SQLColumn("dataset_id", table: "visualizations"))
                            .from("visualizations")
                            .join("dashboard_members", on: SQLColumn("dashboard_id", table: "visualizations"), .equal,
                                  SQLColumn("dashboard_id", table: "dashboard_members"))
                            .where(SQLColumn("user_id", table: "dashboard_members"), .equal, SQLBind(user.id)).query))
                }
            }
            let count = try await scoped(db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("datasets"))
                .first()!.decode(column: "n", as: Int.self)
            let rows = try await scoped(db.select().column("*").from("datasets"))
                .orderBy("created_at", .descending).orderBy("id", .descending).offset(offset).limit(limit).all()
            return (try rows.map(DatasetSummary.init(row:)), count)
        }
    }

    /// The dataset when `user` may see it: owners and admins, and members of a dashboard that charts it.
    func find(id: Int, for user: User) async throws -> DatasetSummary? {
        try await database.withConnection { db in
            guard let row = try await db.select().column("*").from("datasets").where("id", .equal, id).first() else { return nil }
            let dataset = try DatasetSummary(row: row)
            if dataset.ownerId == user.id || user.role == .admin { return dataset }
            let shared = try await db.select().column(SQLColumn("id", table: "visualizations")).from("visualizations")
                .join("dashboard_members", on: SQLColumn("dashboard_id", table: "visualizations"), .equal,
                      SQLColumn("dashboard_id", table: "dashboard_members"))
                .where(SQLColumn("dataset_id", table: "visualizations"), .equal, SQLBind(id))
                .where(SQLColumn("user_id", table: "dashboard_members"), .equal, SQLBind(user.id))
                .limit(1).first()
            return shared == nil ? nil : dataset
        }
    }

    /// The table that holds the dataset's current rows (cleaned once cleaned, raw before).
    func tableName(of datasetID: Int) async throws -> String? {
        try await database.withConnection { db in
            try await db.select().column("table_name").from("datasets").where("id", .equal, datasetID).first()?
                .decode(column: "table_name", as: String?.self)
        }
    }

    /// The column profile computed when the dataset was cleaned (`null` before).
    func profile(of datasetID: Int) async throws -> JSONValue {
        try await database.withConnection { db in
            JSONValue.parse(try await db.select().column("profile").from("datasets").where("id", .equal, datasetID).first()?
                .decode(column: "profile", as: String?.self))
        }
    }

    func insights(of datasetID: Int) async throws -> [InsightResource] {
        try await database.withConnection { db in
            try await db.select().column("*").from("insights").where("dataset_id", .equal, datasetID)
                .orderBy("score", .descending).orderBy("id").all().map { row in
                    let columns = JSONValue.parse(try row.decode(column: "columns", as: String.self)).arrayValue ?? []
                    return InsightResource(
                        id: try row.decode(column: "id", as: Int.self), datasetId: datasetID,
                        kind: try row.decode(column: "kind", as: String.self), title: try row.decode(column: "title", as: String.self),
                        description: try row.decode(column: "description", as: String.self),
                        score: try row.decode(column: "score", as: Double.self), columns: columns.compactMap(\.stringValue),
                        data: JSONValue.parse(try row.decode(column: "data", as: String.self)),
                        createdAt: try row.decode(column: "created_at", as: Date.self))
                }
        }
    }

    /// Removes the dataset, its tables and its files: rows first in one transaction, then the folder.
    func delete(id: Int, tables: DatasetTableStore) async throws {
        let rawPath: String? = try await database.transaction { db in
            let row = try await db.select().columns("raw_path", "table_name").from("datasets").where("id", .equal, id).first()
            let rawPath = try row?.decode(column: "raw_path", as: String?.self)
            // The raw rows, and the cleaned ones if any (older cleaned versions were dropped when replaced).
            let raw = DatasetTableStore.tableName(dataset: id, stage: "raw", version: 1)
            try await tables.drop(raw, in: db)
            if let current = try row?.decode(column: "table_name", as: String?.self), current != raw {
                try await tables.drop(current, in: db)
            }
            try await db.delete(from: "datasets").where("id", .equal, id).run()
            return rawPath
        }
        if let rawPath { try? FileManager.default.removeItem(atPath: (rawPath as NSString).deletingLastPathComponent) }
    }

    func columns(of datasetID: Int, stage: String) async throws -> [DatasetColumn] {
        try await database.withConnection { db in
            try await db.select().columns("name", "type", "nullable").from("dataset_columns")
                .where("dataset_id", .equal, datasetID).where("stage", .equal, stage).orderBy("position").all().map { row in
                    DatasetColumn(name: try row.decode(column: "name", as: String.self),
                                  type: try row.decode(column: "type", as: String.self),
                                  nullable: try row.decode(column: "nullable", as: Bool.self))
                }
        }
    }
}

/// One dataset row as stored; the API adds its columns.
struct DatasetSummary: Sendable {
    var id: Int
    var ownerId: Int
    var name: String
    var status: String
    var error: String?
    var rawRowCount: Int
    var rowCount: Int
    var columnCount: Int
    var sizeBytes: Int
    var cleaningReport: JSONValue
    /// What the reader decided and worked around (dialect, title rows, ragged rows, warnings).
    var readSummary: JSONValue
    var encoding: String?
    var createdAt: Date
    var cleanedAt: Date?

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        ownerId = try row.decode(column: "owner_id", as: Int.self)
        name = try row.decode(column: "name", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        error = try row.decode(column: "error", as: String?.self)
        rawRowCount = try row.decode(column: "raw_row_count", as: Int.self)
        rowCount = try row.decode(column: "row_count", as: Int.self)
        columnCount = try row.decode(column: "column_count", as: Int.self)
        sizeBytes = try row.decode(column: "size_bytes", as: Int.self)
        cleaningReport = JSONValue.parse(try row.decode(column: "cleaning_report", as: String?.self))
        readSummary = JSONValue.parse(try row.decode(column: "dialect", as: String?.self))
        encoding = try row.decode(column: "encoding", as: String?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        cleanedAt = try row.decode(column: "cleaned_at", as: Date?.self)
    }
}

extension DatasetSummary {
    /// The reader's notes as people read them: title rows skipped, ragged rows, the encoding
    /// fallback, stray values, a header that looks like data.
    var readNotes: [String] {
        (readSummary["warnings"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
    }
}

struct DatasetColumn: Codable, Sendable {
    var name: String
    var type: String
    var nullable: Bool
}
