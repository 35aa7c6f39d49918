import Foundation
import Hummingbird
import Logging

/// `/api/v1/datasets`: what has been uploaded, as the contract's dataset objects.
struct DatasetsAPIController: Sendable {
    let datasets: DatasetStore
    let tables: DatasetTableStore
    let cleaning: CleaningService
    let insights: InsightsService
    let work: BackgroundWork
    let logger: Logger

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get(use: list)
        group.get(":id", use: show)
        group.delete(":id", use: delete)
        group.get(":id/rows", use: rows)
        group.get(":id/profile", use: profile)
        group.post(":id/clean", use: clean)
        group.get(":id/insights", use: listInsights)
        group.post(":id/insights", use: findInsights)
    }

    /// The dataset when the caller may see it, else 404.
    private func visible(_ context: LuminaRequestContext) async throws -> (User, DatasetSummary) {
        let user = try context.requireUser()
        let id = try context.parameters.id("id", "dataset")
        guard let item = try await datasets.find(id: id, for: user) else { throw APIError.notFound("dataset") }
        return (user, item)
    }

    /// Only the owner and administrators change a dataset (dashboard members may only look).
    private func editable(_ context: LuminaRequestContext) async throws -> DatasetSummary {
        let (user, item) = try await visible(context)
        guard item.ownerId == user.id || user.role == .admin else {
            throw APIError.forbidden("Only the owner of this dataset or an administrator may change it.")
        }
        return item
    }

    @Sendable func rows(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, item) = try await visible(context)
        let page = try Page(request, defaultLimit: 100, maxLimit: 1000)
        let stage = item.status == "cleaned" ? "cleaned" : "raw"
        let columns = try await datasets.columns(of: item.id, stage: stage)
        guard let table = try await datasets.tableName(of: item.id) else {
            return try .json(RowsPage(columns: columns.map(\.name), rows: [], total: 0))
        }
        let (rows, total) = try await tables.rows(of: table, columns: columns, offset: page.offset, limit: page.limit)
        return try .json(RowsPage(columns: columns.map(\.name), rows: rows, total: total))
    }

    @Sendable func profile(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, item) = try await visible(context)
        return try .json(try await datasets.profile(of: item.id))
    }

    @Sendable func delete(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let item = try await editable(context)
        guard await !cleaning.isCleaning(item.id) else {
            throw APIError.conflict("already_running", "The dataset is being cleaned; delete it when cleaning has finished.")
        }
        try await datasets.delete(id: item.id, tables: tables)
        return Response(status: .noContent)
    }

    @Sendable func clean(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let item = try await editable(context)
        guard await !cleaning.isCleaning(item.id) else {
            throw APIError.conflict("already_running", "The dataset is already being cleaned; watch /ws/data-cleaning/\(item.id)/.")
        }
        let cleaning = self.cleaning, insights = self.insights, logger = self.logger
        work.submit("clean now") {
            do {
                let cleaned = try await cleaning.clean(item.id)
                _ = try await insights.generate(item.id, table: cleaned.table)
            } catch {
                logger.notice("clean now ended with an error", metadata: ["dataset_id": "\(item.id)", "error": "\(error)"])
            }
        }
        return try .json(Accepted(datasetId: item.id, status: "cleaning", wsUrl: "/ws/data-cleaning/\(item.id)/"), status: .accepted)
    }

    @Sendable func listInsights(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let (_, item) = try await visible(context)
        return try .list(try await datasets.insights(of: item.id))
    }

    @Sendable func findInsights(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let item = try await editable(context)
        guard item.status == "cleaned" else {
            throw APIError.conflict("not_cleaned", "Insights are found in cleaned datasets; this one is \(item.status).")
        }
        let insights = self.insights, logger = self.logger
        work.submit("find insights now") {
            do {
                _ = try await insights.generate(item.id)
            } catch {
                logger.notice("find insights now ended with an error", metadata: ["dataset_id": "\(item.id)", "error": "\(error)"])
            }
        }
        return try .json(Accepted(datasetId: item.id, status: "finding_insights", wsUrl: "/ws/insights/"), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let (items, count) = try await datasets.list(visibleTo: user, offset: page.offset, limit: page.limit)
        var results: [DatasetResource] = []
        for item in items { results.append(DatasetResource(item, columns: try await columns(of: item))) }
        return try .list(results, count: count)
    }

    @Sendable func show(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("id", "dataset")
        guard let item = try await datasets.find(id: id, for: user) else { throw APIError.notFound("dataset") }
        return try .json(DatasetResource(item, columns: try await columns(of: item)))
    }

    private func columns(of item: DatasetSummary) async throws -> [DatasetColumn] {
        try await datasets.columns(of: item.id, stage: item.status == "cleaned" ? "cleaned" : "raw")
    }
}

/// The contract's dataset object.
struct DatasetResource: Encodable {
    let id: Int
    let name: String
    let status: String
    let error: String?
    let rawRowCount: Int
    let rowCount: Int
    let columnCount: Int
    let columns: [DatasetColumn]
    let createdAt: Date
    let cleanedAt: Date?
    let cleaningReport: JSONValue
    let ownerId: Int
    /// Extension of the contract's object: how the file was read (`encoding`, `dialect`,
    /// `skipped_title_rows`, `ragged_rows`, `warnings` with code, message, column, count, samples).
    let read: JSONValue

    init(_ summary: DatasetSummary, columns: [DatasetColumn]) {
        id = summary.id; name = summary.name; status = summary.status; error = summary.error
        rawRowCount = summary.rawRowCount; rowCount = summary.rowCount; columnCount = summary.columnCount
        self.columns = columns; createdAt = summary.createdAt; cleanedAt = summary.cleanedAt
        cleaningReport = summary.cleaningReport; ownerId = summary.ownerId
        var read = summary.readSummary
        if case .object = read {} else { read = .object([:]) }
        read["encoding"] = summary.encoding.map(JSONValue.string) ?? .null
        self.read = read
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, error, columns, read
        case rawRowCount = "raw_row_count", rowCount = "row_count", columnCount = "column_count"
        case createdAt = "created_at", cleanedAt = "cleaned_at", cleaningReport = "cleaning_report", ownerId = "owner_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(name, forKey: .name); try c.encode(status, forKey: .status)
        if let error { try c.encode(error, forKey: .error) }
        try c.encode(rawRowCount, forKey: .rawRowCount); try c.encode(rowCount, forKey: .rowCount)
        try c.encode(columnCount, forKey: .columnCount); try c.encode(columns, forKey: .columns)
        try c.encode(createdAt, forKey: .createdAt); try c.encode(cleanedAt, forKey: .cleanedAt)
        try c.encode(cleaningReport, forKey: .cleaningReport); try c.encode(ownerId, forKey: .ownerId)
        try c.encode(read, forKey: .read)
    }
}

/// `GET /api/v1/datasets/<id>/rows`.
struct RowsPage: Encodable {
    let columns: [String]
    let rows: [[JSONValue]]
    let total: Int
}

/// The 202 answer of "clean now" and "find insights now".
struct Accepted: Encodable {
    let datasetId: Int
    let status: String
    let wsUrl: String
    enum CodingKeys: String, CodingKey { case status, datasetId = "dataset_id", wsUrl = "ws_url" }
}
