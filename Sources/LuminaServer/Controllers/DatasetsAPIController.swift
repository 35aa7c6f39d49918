import Foundation
import Hummingbird

/// `/api/v1/datasets`: what has been uploaded, as the contract's dataset objects.
struct DatasetsAPIController: Sendable {
    let datasets: DatasetStore

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get(use: list)
        group.get(":id", use: show)
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

    init(_ summary: DatasetSummary, columns: [DatasetColumn]) {
        id = summary.id; name = summary.name; status = summary.status; error = summary.error
        rawRowCount = summary.rawRowCount; rowCount = summary.rowCount; columnCount = summary.columnCount
        self.columns = columns; createdAt = summary.createdAt; cleanedAt = summary.cleanedAt
        cleaningReport = summary.cleaningReport; ownerId = summary.ownerId
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, error, columns
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
    }
}
