import Analytics
import Foundation
import Logging
import NIOPosix
import Realtime
import SQLKit

/// Finds insights in a cleaned dataset, replaces its previous set and tells everyone who may see
/// them: the owner's and administrators' `/ws/insights/` sockets and every dashboard charting it.
actor InsightsService {
    let database: Database
    let tables: DatasetTableStore
    let datasets: DatasetStore
    let hub: ChannelHub
    let logger: Logger
    private var running: Set<Int> = []

    init(database: Database, tables: DatasetTableStore, datasets: DatasetStore, hub: ChannelHub, logger: Logger) {
        self.database = database
        self.tables = tables
        self.datasets = datasets
        self.hub = hub
        self.logger = logger
    }

    enum InsightsError: Error, CustomStringConvertible {
        case notFound(Int)
        case notCleaned(Int, status: String)
        case busy(Int)

        var description: String {
            switch self {
            case .notFound(let id): "dataset \(id) does not exist"
            case .notCleaned(let id, let status): "dataset \(id) is \(status); insights are found in cleaned datasets"
            case .busy(let id): "insights for dataset \(id) are already being computed"
            }
        }
    }

    /// Computes, stores and broadcasts the insights of `datasetID`; returns how many were found.
    @discardableResult
    /// `table` is the cleaned table when the caller has it in memory (right after cleaning).
    func generate(_ datasetID: Int, table preloaded: Table? = nil) async throws -> [InsightResource] {
        guard !running.contains(datasetID) else { throw InsightsError.busy(datasetID) }
        running.insert(datasetID)
        defer { running.remove(datasetID) }
        let started = ContinuousClock.now
        guard let row = try await database.withConnection({ db in
            try await db.select().columns("owner_id", "status", "table_name", "data_version").from("datasets")
                .where("id", .equal, SQLBind(datasetID)).first()
        }) else { throw InsightsError.notFound(datasetID) }
        let status = try row.decode(column: "status", as: String.self)
        guard status == "cleaned", let tableName = try row.decode(column: "table_name", as: String?.self) else {
            throw InsightsError.notCleaned(datasetID, status: status)
        }
        let ownerID = try row.decode(column: "owner_id", as: Int.self)
        let version = try row.decode(column: "data_version", as: Int.self)
        let table: Table
        if let preloaded {
            table = preloaded
        } else {
            table = try await tables.table(tableName, columns: try await datasets.columns(of: datasetID, stage: "cleaned"))
        }
        let found = try await AnalyticsWorkers.pool.runIfActive {
            InsightDetector().detect(table, profile: Profiler().profile(table))
        }
        let now = Date()
        let stored: [InsightResource] = try await database.transaction { db in
            try await db.delete(from: "insights").where("dataset_id", .equal, SQLBind(datasetID)).run()
            var stored: [InsightResource] = []
            for insight in found {
                let id = try await db.insert(into: "insights")
                    .columns("dataset_id", "kind", "title", "description", "score", "columns", "data", "created_at")
                    .values(SQLBind(datasetID), SQLBind(insight.kind.rawValue), SQLBind(insight.title), SQLBind(insight.description),
                            SQLBind(insight.score), SQLBind(JSONValue.array(insight.columns.map { .string($0) }).jsonText),
                            SQLBind(insight.data.jsonText), SQLBind(now))
                    .returning("id").first()!.decode(column: "id", as: Int.self)
                stored.append(InsightResource(id: id, datasetId: datasetID, kind: insight.kind.rawValue, title: insight.title,
                                              description: insight.description, score: insight.score, columns: insight.columns,
                                              data: insight.data, createdAt: now))
            }
            try await db.update("datasets").set("insights_version", to: SQLBind(version)).set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(datasetID)).run()
            return stored
        }
        logger.info("insights found", metadata: [
            "dataset_id": "\(datasetID)", "insights": "\(stored.count)", "duration_ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        await broadcast(datasetID, ownerID: ownerID, insights: stored)
        return stored
    }

    private func broadcast(_ datasetID: Int, ownerID: Int, insights: [InsightResource]) async {
        struct Envelope: Encodable {
            let type = "insights_generated"
            let datasetId: Int
            let insights: [InsightResource]
            enum CodingKeys: String, CodingKey { case type, insights, datasetId = "dataset_id" }
        }
        guard let bytes = try? JSONEncoder.lumina.encode(Envelope(datasetId: datasetID, insights: insights)) else { return }
        let message = OutboundMessage(bytes: Array(bytes), essential: true)
        var groups: [ChannelGroup] = []
        do {
            let (admins, dashboards) = try await database.withConnection { db in
                let admins = try await db.select().column("id").from("users").where("role", .equal, SQLBind("admin")).all()
                    .map { try $0.decode(column: "id", as: Int.self) }
                let dashboards = try await db.select().distinct().column("dashboard_id").from("visualizations")
                    .where("dataset_id", .equal, SQLBind(datasetID)).all().map { try $0.decode(column: "dashboard_id", as: Int.self) }
                return (admins, dashboards)
            }
            for user in Set(admins + [ownerID]) { groups.append(InsightsAudience.group(forUserID: user)) }
            groups += dashboards.map { ChannelGroup.dashboard($0) }
        } catch {
            logger.error("insight audience lookup failed", metadata: ["dataset_id": "\(datasetID)", "error": "\(error)"])
            groups = [InsightsAudience.group(forUserID: ownerID)]
        }
        for group in groups { try? await hub.send(message, toGroup: group) }
    }
}

/// The contract's insight object.
struct InsightResource: Codable, Sendable {
    let id: Int
    let datasetId: Int
    let kind: String
    let title: String
    let description: String
    let score: Double
    let columns: [String]
    let data: JSONValue
    let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, title, description, score, columns, data
        case datasetId = "dataset_id", createdAt = "created_at"
    }
}
