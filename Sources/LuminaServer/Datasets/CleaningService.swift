import Analytics
import Foundation
import Logging
import NIOPosix
import Realtime
import SQLKit

/// Cleans a dataset from its raw upload and swaps the cleaned rows in atomically, telling
/// `datacleaning_<id>` how far it got at every step.
///
/// Status moves `pending → cleaning → cleaned` (or `failed` with the reason). The raw file is never
/// touched; the cleaned table, its columns, the report and the profile replace the previous ones in
/// one transaction, so a crash mid-way leaves the dataset as it was, still `cleaning` — and
/// `cleaning` datasets are picked up again by the next `data_cleaning` run (also at start-up).
actor CleaningService {
    let database: Database
    let tables: DatasetTableStore
    let hub: ChannelHub
    let options: CleaningOptions
    let logger: Logger

    /// Datasets being cleaned on this node; a second request for one of them waits for nothing.
    private var running: Set<Int> = []
    /// Owners of the datasets being cleaned: their notification sockets follow the progress too.
    private var audience: [Int: Int] = [:]

    init(database: Database, tables: DatasetTableStore, hub: ChannelHub, options: CleaningOptions = CleaningOptions(), logger: Logger) {
        self.database = database
        self.tables = tables
        self.hub = hub
        self.options = options
        self.logger = logger
    }

    enum CleaningError: Error, CustomStringConvertible {
        case notFound(Int)
        case alreadyCleaning(Int)
        case rawFileMissing(String)
        case unreadable(String)
        case storage(String)

        var description: String {
            switch self {
            case .notFound(let id): "dataset \(id) does not exist"
            case .alreadyCleaning(let id): "dataset \(id) is already being cleaned"
            case .rawFileMissing(let path): "the raw file of the dataset is missing (\(path))"
            case .unreadable(let why): "the raw file could not be read again: \(why)"
            case .storage(let why): "the cleaned rows could not be stored: \(why)"
            }
        }
    }

    struct Outcome: Sendable {
        let datasetID: Int
        let rowsBefore: Int
        let rowsAfter: Int
        let duplicatesRemoved: Int
        /// The cleaned table, for insights right after (so they need not read it back).
        let table: Table
        /// Reading and cleaning (or, when it was computed ahead, waiting for it), then writing the
        /// cleaned rows, in milliseconds (for the log).
        let computeMs: Int64
        let storeMs: Int64
        /// Whether the cleaning was computed while the raw rows were being stored.
        let computedAhead: Bool
    }

    func isCleaning(_ datasetID: Int) -> Bool { running.contains(datasetID) }

    /// Starts cleaning a table just read from an upload, before its dataset is stored; hand the
    /// result to `clean(_:startingFrom:prepared:)` once the dataset exists.
    nonisolated func prepare(_ table: Table) -> CleaningPreparation {
        CleaningPreparation.start(table, options: options)
    }

    /// Cleans `datasetID` now. Throws when it cannot; the dataset is then `failed` with the reason.
    /// `startingFrom` is the raw table when the caller just read it (right after upload); otherwise
    /// cleaning starts again from the raw file. `prepared` is that table's cleaning when it was
    /// started ahead, while the raw rows were being stored (see `CleaningPreparation`).
    func clean(_ datasetID: Int, startingFrom preloaded: Table? = nil, prepared: CleaningPreparation? = nil) async throws -> Outcome {
        guard !running.contains(datasetID) else { throw CleaningError.alreadyCleaning(datasetID) }
        running.insert(datasetID)
        defer { running.remove(datasetID) }
        let started = ContinuousClock.now
        guard let dataset = try await claim(datasetID) else { throw CleaningError.notFound(datasetID) }
        audience[datasetID] = dataset.ownerID
        defer { audience[datasetID] = nil }
        await publish(datasetID, progress: 0, status: "running", step: "Reading the raw file...")
        do {
            let outcome = try await run(dataset, preloaded: preloaded, prepared: prepared)
            await publish(datasetID, progress: 100, status: "completed", step: "Done", extra: [
                "rows_before": .integer(outcome.rowsBefore), "rows_after": .integer(outcome.rowsAfter),
                "duplicates_removed": .integer(outcome.duplicatesRemoved),
            ])
            logger.info("dataset cleaned", metadata: [
                "dataset_id": "\(datasetID)", "rows_before": "\(outcome.rowsBefore)", "rows_after": "\(outcome.rowsAfter)",
                "duration_ms": "\((ContinuousClock.now - started).milliseconds)", "compute_ms": "\(outcome.computeMs)",
                "store_ms": "\(outcome.storeMs)", "computed_ahead": "\(outcome.computedAhead)",
            ])
            return outcome
        } catch {
            let reason = (error as? CleaningError)?.description ?? "\(error)"
            try? await database.withConnection { db in
                try await db.update("datasets").set("status", to: SQLBind("failed")).set("error", to: SQLBind(reason))
                    .set("updated_at", to: SQLBind(Date())).where("id", .equal, SQLBind(datasetID)).run()
            }
            await publish(datasetID, progress: 100, status: "failed", step: "Cleaning failed", extra: ["error": .string(reason)])
            logger.error("dataset cleaning failed", metadata: ["dataset_id": "\(datasetID)", "error": "\(reason)"])
            throw error
        }
    }

    private struct Claimed: Sendable {
        let id: Int
        let ownerID: Int
        let rawPath: String
        let previousTable: String?
        let dataVersion: Int
    }

    /// Marks the dataset `cleaning` and reads what cleaning needs.
    private func claim(_ id: Int) async throws -> Claimed? {
        try await database.transaction { db in
            guard let row = try await db.select().columns("owner_id", "raw_path", "table_name", "data_version", "status").from("datasets")
                .where("id", .equal, SQLBind(id)).first() else { return nil }
            try await db.update("datasets").set("status", to: SQLBind("cleaning")).set("error", to: SQLBind(nil as String?))
                .set("updated_at", to: SQLBind(Date())).where("id", .equal, SQLBind(id)).run()
            let table = try row.decode(column: "table_name", as: String?.self)
            return Claimed(id: id, ownerID: try row.decode(column: "owner_id", as: Int.self), rawPath: try row.decode(column: "raw_path", as: String?.self) ?? "",
                           previousTable: table?.contains("_clean_") == true ? table : nil,
                           dataVersion: try row.decode(column: "data_version", as: Int.self))
        }
    }

    private func run(_ dataset: Claimed, preloaded: Table?, prepared: CleaningPreparation?) async throws -> Outcome {
        if preloaded == nil, prepared == nil, !FileManager.default.fileExists(atPath: dataset.rawPath) {
            throw CleaningError.rawFileMissing(dataset.rawPath)
        }
        // Progress from the thread pool arrives in order through one stream and one publisher.
        let (events, sink) = prepared.map { ($0.events, $0.sink) } ?? CleaningPreparation.makeEventStream()
        let publisher = Task {
            for await (step, percent) in events {
                await publish(dataset.id, progress: percent, status: "running", step: step)
            }
        }
        defer { sink.finish() }
        let started = ContinuousClock.now
        let cleaned: CleaningComputation
        if let prepared {
            cleaned = try await prepared.computed.value
        } else {
            let source: CleaningComputation.Source = preloaded.map { .table($0) } ?? .file(URL(fileURLWithPath: dataset.rawPath))
            cleaned = try await CleaningComputation.run(source, options: options, sink: sink)
        }
        let (result, profile) = (cleaned.result, cleaned.profile)
        let computed = ContinuousClock.now
        sink.yield(("Saving the cleaned rows...", 85))
        let version = dataset.dataVersion + 1
        let tableName = DatasetTableStore.tableName(dataset: dataset.id, stage: "clean", version: version)
        let report = String(decoding: try JSONEncoder.sortedCompact.encode(result.report), as: UTF8.self)
        let profileText = String(decoding: try JSONEncoder.sortedCompact.encode(profile), as: UTF8.self)
        do {
            try await Self.store(result, profile: profileText, report: report, as: tableName, version: version, dataset: dataset,
                                 database: database, tables: tables, sink: sink)
        } catch {
            throw CleaningError.storage("\(error)")
        }
        sink.finish()
        await publisher.value
        return Outcome(datasetID: dataset.id, rowsBefore: result.report.rowsBefore, rowsAfter: result.report.rowsAfter,
                       duplicatesRemoved: result.report.duplicatesRemoved, table: result.table,
                       computeMs: (computed - started).milliseconds, storeMs: (ContinuousClock.now - computed).milliseconds,
                       computedAhead: prepared != nil)
    }

    /// Writes the cleaned table and swaps it in, in one transaction (nonisolated: the rows never
    /// pass through the actor).
    private nonisolated static func store(_ result: CleaningResult, profile profileText: String, report: String, as tableName: String,
                                          version: Int, dataset: Claimed, database: Database, tables: DatasetTableStore,
                                          sink: AsyncStream<(String, Int)>.Continuation) async throws {
        try await database.bulkTransaction { bulk in
            let columns = try await tables.create(tableName, from: result.table, in: bulk) { written, total in
                sink.yield(("Saving the cleaned rows...", 85 + written * 14 / max(total, 1)))
            }
            try await bulk.sql.delete(from: "dataset_columns").where("dataset_id", .equal, SQLBind(dataset.id))
                .where("stage", .equal, SQLBind("cleaned")).run()
            for (position, column) in columns.enumerated() {
                try await bulk.sql.insert(into: "dataset_columns")
                    .columns("dataset_id", "position", "name", "sql_name", "type", "nullable", "stage")
                    .values(SQLBind(dataset.id), SQLBind(position), SQLBind(column.name), SQLBind(DatasetTableStore.columnName(position)),
                            SQLBind(column.type), SQLBind(column.nullable), SQLBind("cleaned"))
                    .run()
            }
            let now = Date()
            try await bulk.sql.update("datasets")
                .set("status", to: SQLBind("cleaned")).set("error", to: SQLBind(nil as String?))
                .set("table_name", to: SQLBind(tableName)).set("row_count", to: SQLBind(result.table.rowCount))
                .set("column_count", to: SQLBind(result.table.columns.count))
                .set("cleaning_report", to: SQLBind(report)).set("profile", to: SQLBind(profileText))
                .set("data_version", to: SQLBind(version)).set("cleaned_at", to: SQLBind(now)).set("updated_at", to: SQLBind(now))
                .where("id", .equal, SQLBind(dataset.id)).run()
            if let previous = dataset.previousTable { try await tables.drop(previous, in: bulk.sql) }
        }
    }

    private func publish(_ datasetID: Int, progress: Int, status: String, step: String, extra: [String: Realtime.JSONValue] = [:]) async {
        var fields = extra
        fields["dataset_id"] = .integer(datasetID)
        fields["progress"] = .integer(min(100, max(0, progress)))
        fields["status"] = .string(status)
        fields["step"] = .string(step)
        let message = OutboundMessage(type: "cleaning_progress", fields: fields, essential: status != "running")
        try? await hub.send(message, toGroup: .dataCleaning(datasetID))
        // The dataset list shows live status badges: its owner's and admins' notification sockets follow.
        if let owner = audience[datasetID] { try? await hub.send(message, toGroup: .user(owner)) }
        try? await hub.send(message, toGroup: AdminAudience.group)
    }
}
