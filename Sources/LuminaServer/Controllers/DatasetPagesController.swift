import Foundation
import Hummingbird

/// `/datasets/upload/` and `/datasets/<id>/`: the upload page with its live progress bar, and a
/// dataset's schema, cleaning report, profile, insights and preview (kept current over WebSockets).
struct DatasetPagesController: Sendable {
    let datasets: DatasetStore
    let tables: DatasetTableStore
    let cleaning: CleaningService
    let views: ViewRenderer
    let maxUploadSize: Int64

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get("datasets/upload", use: upload)
        group.get("datasets/:id", use: detail)
        group.post("datasets/:id/delete", use: delete)
    }

    @Sendable func upload(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireCreator()
        struct Page { let maxSize: String }
        let limit = ByteCountFormatter.string(fromByteCount: maxUploadSize, countStyle: .binary)
        return views.page("dataset_upload", page: Page(maxSize: limit), context: context, title: "Upload a CSV")
    }

    struct ColumnRow {
        let position: Int
        let name: String
        let type: String
        let nullable: Bool
    }

    struct StepRow {
        let name: String
        let changed: Int
    }

    struct InsightRow {
        let kind: String
        let title: String
        let description: String
        let score: String
    }

    @Sendable func detail(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("id", "dataset")
        guard let item = try await datasets.find(id: id, for: user) else { throw APIError.notFound("dataset") }
        let columns = try await datasets.columns(of: id, stage: item.status == "cleaned" ? "cleaned" : "raw")
        let report = item.cleaningReport
        let steps: [StepRow] = (report["steps"]?.arrayValue ?? []).map {
            StepRow(name: $0["name"]?.stringValue ?? "", changed: $0["changed"]?.intValue ?? 0)
        }
        let insights = try await datasets.insights(of: id).map {
            InsightRow(kind: $0.kind, title: $0.title, description: $0.description, score: String(format: "%.2f", $0.score))
        }
        struct Page {
            let id: Int
            let name: String
            let status: String
            let error: String?
            let rawRows: Int
            let rows: Int
            let columnCount: Int
            let created: String
            let cleaned: String?
            let columns: [ColumnRow]
            let steps: [StepRow]
            let duplicatesRemoved: Int?
            let rowsBefore: Int?
            let rowsAfter: Int?
            let insights: [InsightRow]
            let insightCount: Int
            let hasReport: Bool
            let canEdit: Bool
            let isCleaned: Bool
            let readNotes: [String]
            let hasReadNotes: Bool
        }
        let page = Page(
            id: id, name: item.name, status: item.status, error: item.error, rawRows: item.rawRowCount, rows: item.rowCount,
            columnCount: item.columnCount, created: HTMLFormat.date(item.createdAt), cleaned: item.cleanedAt.map(HTMLFormat.date),
            columns: columns.enumerated().map { ColumnRow(position: $0.offset, name: $0.element.name, type: $0.element.type, nullable: $0.element.nullable) },
            steps: steps, duplicatesRemoved: report["duplicates_removed"]?.intValue, rowsBefore: report["rows_before"]?.intValue,
            rowsAfter: report["rows_after"]?.intValue, insights: insights, insightCount: insights.count, hasReport: !steps.isEmpty,
            canEdit: item.ownerId == user.id || user.role == .admin, isCleaned: item.status == "cleaned",
            readNotes: item.readNotes, hasReadNotes: !item.readNotes.isEmpty)
        return views.page("dataset", page: page, context: context, title: item.name)
    }

    /// The form path of "Delete": owner or admin, CSRF-checked, then back to the list.
    @Sendable func delete(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        _ = try await FormBody(request, context: context)
        let id = try context.parameters.id("id", "dataset")
        guard let item = try await datasets.find(id: id, for: user) else { throw APIError.notFound("dataset") }
        guard item.ownerId == user.id || user.role == .admin else {
            throw APIError.forbidden("Only the owner of this dataset or an administrator may delete it.")
        }
        // Same rule as the API: a table being swapped in must not be dropped underneath it.
        guard await !cleaning.isCleaning(id) else {
            throw APIError.conflict("already_running", "The dataset is being cleaned; delete it when cleaning has finished.")
        }
        try await datasets.delete(id: id, tables: tables)
        return Response(status: .seeOther, headers: [.location: "/datasets/"])
    }
}
