import Analytics
import Foundation
import Logging
import NIOPosix
import SQLKit

/// Turns a received file into a dataset: read and typed by Analytics, rows in a table of their own,
/// the dataset and its columns recorded, the upload marked complete — all in one transaction.
///
/// Nothing half-written survives a failure: the table, the dataset row and the upload's completion
/// commit together, and a file that cannot be read leaves no dataset, no table and no file.
struct IngestService: Sendable {
    let database: Database
    let tables: DatasetTableStore
    let uploads: UploadStore
    /// Where raw files of datasets are kept (`<data-dir>/datasets/<id>/`).
    let datasetsDirectory: String
    let readOptions: CSVReadOptions
    let logger: Logger
    /// Starts cleaning a table as soon as it is read, so the computation runs while the raw rows are
    /// being stored (nil when uploads are not cleaned right away).
    var prepareCleaning: (@Sendable (Table) -> CleaningPreparation)? = nil

    /// A stored dataset and the table it was read into (cleaning right after upload starts from it
    /// instead of reading the file a second time).
    struct Ingested: Sendable {
        let datasetID: Int
        let table: Table
        /// The table's cleaning, already under way when `prepareCleaning` is set.
        var cleaning: CleaningPreparation? = nil
    }

    /// Reads `upload`'s file and stores it.
    /// `progress(stage, percent)` reports "reading" and "storing" for large files.
    func ingest(_ upload: UploadStore.Upload, progress: @escaping @Sendable (String, Int) async -> Void) async throws(UploadError) -> Ingested {
        let started = ContinuousClock.now
        await progress("reading", 0)
        let result = try await read(upload)
        let read = ContinuousClock.now
        let cleaning = prepareCleaning?(result.table)
        await progress("storing", 0)
        let name = Self.datasetName(upload.filename)
        let extensionPart = Self.rawExtension(upload.filename)
        do {
            let datasetID = try await database.bulkTransaction { bulk in
                let now = Date()
                let id = try await bulk.sql.insert(into: "datasets")
                    .columns("owner_id", "name", "status", "source_filename", "raw_row_count", "row_count", "column_count",
                             "size_bytes", "dialect", "encoding", "data_version", "insights_version", "created_at", "updated_at")
                    .values(SQLBind(upload.ownerID), SQLBind(name), SQLBind("pending"), SQLBind(upload.filename),
                            SQLBind(result.rawRowCount), SQLBind(result.table.rowCount), SQLBind(result.table.columns.count),
                            SQLBind(upload.size), SQLBind(Self.readSummary(result)), SQLBind(result.encoding.rawValue),
                            SQLBind(1), SQLBind(0), SQLBind(now), SQLBind(now))
                    .returning("id").first()!.decode(column: "id", as: Int.self)
                let tableName = DatasetTableStore.tableName(dataset: id, stage: "raw", version: 1)
                let total = max(result.table.rowCount, 1)
                let columns = try await tables.create(tableName, from: result.table, in: bulk) { written, _ in
                    await progress("storing", Int(Double(written) * 100 / Double(total)))
                }
                for (position, column) in columns.enumerated() {
                    try await bulk.sql.insert(into: "dataset_columns")
                        .columns("dataset_id", "position", "name", "sql_name", "type", "nullable", "stage")
                        .values(SQLBind(id), SQLBind(position), SQLBind(column.name), SQLBind(DatasetTableStore.columnName(position)),
                                SQLBind(column.type), SQLBind(column.nullable), SQLBind("raw"))
                        .run()
                }
                // Keep the raw upload beside the dataset: cleaning always starts again from it.
                let folder = (datasetsDirectory as NSString).appendingPathComponent("\(id)")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let rawPath = (folder as NSString).appendingPathComponent("raw" + extensionPart)
                try FileManager.default.moveItem(atPath: upload.path, toPath: rawPath)
                do {
                    try await bulk.sql.update("datasets").set("raw_path", to: SQLBind(rawPath)).set("table_name", to: SQLBind(tableName))
                        .where("id", .equal, SQLBind(id)).run()
                    try await uploads.complete(id: upload.id, datasetID: id, received: upload.size, in: bulk.sql)
                } catch {
                    // The transaction will roll back; put the file back so nothing points at a moved file.
                    try? FileManager.default.moveItem(atPath: rawPath, toPath: upload.path)
                    try? FileManager.default.removeItem(atPath: folder)
                    throw error
                }
                return id
            }
            logger.info("dataset ingested", metadata: [
                "dataset_id": "\(datasetID)", "upload_id": "\(upload.id)", "rows": "\(result.table.rowCount)",
                "columns": "\(result.table.columns.count)", "duration_ms": "\((ContinuousClock.now - started).milliseconds)",
                "read_ms": "\((read - started).milliseconds)", "store_ms": "\((ContinuousClock.now - read).milliseconds)",
            ])
            await progress("storing", 100)
            return Ingested(datasetID: datasetID, table: result.table, cleaning: cleaning)
        } catch {
            // Nothing was stored: the computation's result is not wanted (it writes nothing itself).
            cleaning?.computed.cancel()
            cleaning?.sink.finish()
            logger.error("ingest failed", metadata: ["upload_id": "\(upload.id)", "error": "\(error)"])
            throw .ingestFailed("\(error)")
        }
    }

    /// Reads on the Analytics workers: parsing a large file is CPU work that must not hold up the
    /// event loops, Swift's cooperative threads or SQLite's thread pool.
    private func read(_ upload: UploadStore.Upload) async throws(UploadError) -> ReadResult {
        let options = readOptions
        let url = URL(fileURLWithPath: upload.path)
        let outcome: Result<ReadResult, CSVError>
        do {
            outcome = try await AnalyticsWorkers.pool.runIfActive {
                do {
                    return .success(try CSVDatasetReader.read(fileAt: url, options: options))
                } catch let error as CSVError {
                    return .failure(error)
                } catch {
                    return .failure(.unreadable("\(error)"))
                }
            }
        } catch {
            throw .storage("the server is shutting down")
        }
        switch outcome {
        case .success(let result):
            guard result.table.columns.count > 0 else {
                throw .unreadable(code: "no_columns", message: "\(upload.filename): no columns were found in the file")
            }
            // PostgreSQL tables hold at most 1,600 columns and SQLite's 2,000; one limit for both.
            guard result.table.columns.count <= Self.maxColumns else {
                throw .unreadable(code: "too_many_columns", message: "\(upload.filename): the file has \(result.table.columns.count) columns; "
                                  + "a dataset holds at most \(Self.maxColumns). Split it, or reshape it to long format (one row per value).")
            }
            return result
        case .failure(let error):
            throw .unreadable(code: error.code, message: "\(upload.filename): \(error.description)")
        }
    }

    /// Most columns a dataset can store (within both databases' per-table limits, with room for the row number).
    static let maxColumns = 1_500

    /// What the reader decided about the file, kept with the dataset (`dialect` column).
    static func readSummary(_ result: ReadResult) -> String {
        struct Summary: Encodable {
            let dialect: CSVDialect
            let skippedTitleRows: Int
            let raggedRows: Int
            let warnings: [ReadWarning]
            enum CodingKeys: String, CodingKey {
                case dialect, warnings
                case skippedTitleRows = "skipped_title_rows", raggedRows = "ragged_rows"
            }
        }
        let summary = Summary(dialect: result.dialect, skippedTitleRows: result.skippedTitleRows, raggedRows: result.raggedRows,
                              warnings: result.warnings)
        return (try? String(decoding: JSONEncoder.sortedCompact.encode(summary), as: UTF8.self)) ?? "{}"
    }

    /// "sales 2026.csv.gz" → "sales 2026".
    static func datasetName(_ filename: String) -> String {
        var name = (filename as NSString).lastPathComponent
        for suffix in [".gz", ".csv", ".tsv", ".txt"] where name.lowercased().hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "Untitled dataset" : String(trimmed.prefix(200))
    }

    /// The raw file keeps a plain extension the reader does not need but people recognise.
    static func rawExtension(_ filename: String) -> String {
        filename.lowercased().hasSuffix(".gz") ? ".csv.gz" : ".csv"
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
