import Analytics
import Foundation
import SQLKit

/// Rows of one dataset stage in a table of their own, with generated safe identifiers.
///
/// Identifiers never come from the file: tables are `ds_<dataset>_<stage>_<version>` and columns
/// `c0, c1, ...`; original names and types live only in `dataset_columns`. A hidden `_row` column
/// numbers the rows 0, 1, 2, ... in file order, so pages are stable and a page is a range seek.
///
/// Storage per logical type:
///
/// | type     | PostgreSQL       | SQLite                          |
/// |----------|------------------|---------------------------------|
/// | integer  | BIGINT           | INTEGER                         |
/// | float    | DOUBLE PRECISION | REAL                            |
/// | boolean  | BOOLEAN          | INTEGER (0/1)                   |
/// | date     | DATE             | TEXT `YYYY-MM-DD`               |
/// | datetime | TIMESTAMPTZ      | TEXT `YYYY-MM-DDTHH:MM:SSZ`     |
/// | category | TEXT             | TEXT                            |
/// | text     | TEXT             | TEXT                            |
///
/// SQLite keeps readable ISO text (which its date functions understand) rather than day numbers.
/// Non-finite floats (NaN, ±infinity; the CSV reader never produces them) are stored as NULL, because
/// SQLite turns NaN into NULL anyway and JSON has no spelling for them: both engines agree.
/// Dates must fall in years 1–9999; anything else is rejected with `DatasetTableError.dateOutOfRange`.
struct DatasetTableStore: Sendable {
    let database: Database

    /// The hidden row-number column, 0-based in the order of the Analytics table.
    static let rowColumn = "_row"

    /// A generated, safe table name: "ds_<datasetID>_<stage>_<version>", e.g. ds_12_raw_1, ds_12_clean_3.
    ///
    /// The stage is lowercased and anything but ASCII letters and digits becomes `_`, so whatever
    /// a caller passes, the result is a valid identifier.
    static func tableName(dataset: Int, stage: String, version: Int) -> String {
        let safeStage = String(stage.lowercased().unicodeScalars.map { scalar -> Character in
            (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
        })
        return "ds_\(dataset)_\(safeStage)_\(version)"
    }

    /// Safe column names c0, c1, ... (original names are kept only as metadata in dataset_columns).
    static func columnName(_ position: Int) -> String { "c\(position)" }

    /// `name` when it is an identifier this store could have generated; throws otherwise, so no caller
    /// can smuggle SQL through a table name (COPY takes the name as text).
    static func checkedName(_ name: String) throws -> String {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63,
              bytes.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }),
              !(0x30...0x39).contains(bytes[0])
        else { throw DatasetTableError.invalidTableName(name) }
        return name
    }

    /// SQL text built from checked identifiers and generated fragments only (no values).
    static func sql(_ text: String) -> SQLQueryString { SQLQueryString(text) }

    /// `"name"` quoted for SQL text (the name is checked, so no quote can appear inside).
    static func quoted(_ name: String) -> String { "\"\(name)\"" }

    /// Creates `name` with one typed column per Analytics column and copies every row, in batches,
    /// inside the caller's transaction (`connection` comes from `Database.bulkTransaction`).
    /// Calls `progress(rowsWritten, totalRows)` after each batch, at most about every 1% of the rows.
    /// Returns the columns as `DatasetColumn` (name = original name, type = ColumnType.rawValue,
    /// nullable = validity.nullCount > 0) in order.
    func create(_ name: String, from table: Table, in connection: BulkConnection,
                progress: @Sendable (Int, Int) async -> Void) async throws -> [DatasetColumn] {
        let name = try Self.checkedName(name)
        for column in table.columns where column.count != table.rowCount || column.storageCount != table.rowCount {
            throw DatasetTableError.columnLengthMismatch(column: column.name, count: min(column.count, column.storageCount),
                                                        rowCount: table.rowCount)
        }
        let engine = connection.engine
        let definitions = [Self.rowColumnDefinition(engine)] + table.columns.enumerated().map { position, column in
            "\(Self.quoted(Self.columnName(position))) \(Self.sqlType(column.type, engine))"
        }
        try await connection.sql.raw(Self.sql("CREATE TABLE \(Self.quoted(name)) (\(definitions.joined(separator: ", ")))")).run()
        var reporter = ProgressReporter(total: table.rowCount)
        if let postgres = connection.postgres {
            try await copyRows(of: table, into: name, on: postgres, logger: database.logger, reporter: &reporter, progress: progress)
            // Indexing after the load is one sort instead of a million index insertions.
            try await connection.sql.raw(Self.sql("ALTER TABLE \(Self.quoted(name)) ADD PRIMARY KEY (\(Self.rowColumn))")).run()
        } else if let sqlite = connection.sqlite {
            try await insertRows(of: table, into: name, on: sqlite, reporter: &reporter, progress: progress)
        }
        if reporter.finish() { await progress(reporter.written, reporter.total) }
        return table.columns.map { DatasetColumn(name: $0.name, type: $0.type.rawValue, nullable: $0.validity.nullCount > 0) }
    }

    /// Drops a table if it exists (inside a transaction or not).
    func drop(_ name: String, in db: any SQLDatabase) async throws {
        let name = try Self.checkedName(name)
        try await db.raw(Self.sql("DROP TABLE IF EXISTS \(Self.quoted(name))")).run()
    }

    /// Whether the table exists, for callers that check what a rolled-back load left behind.
    func exists(_ name: String) async throws -> Bool {
        let name = try Self.checkedName(name)
        return try await database.withConnection { db in
            let query: SQLQueryString = switch database.engine {
            case .sqlite: "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = \(bind: name)"
            case .postgres: "SELECT COUNT(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = \(bind: name)"
            }
            return try await db.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0 > 0
        }
    }

    /// One page of rows as JSON values in column order (integers and floats as numbers, booleans as
    /// bools, dates as "YYYY-MM-DD", datetimes as "YYYY-MM-DDTHH:MM:SSZ", categories and text as
    /// strings, null as null), ordered by the row number, plus the total count.
    ///
    /// Integers beyond ±2^53 lose precision in JSON numbers, as in any browser.
    func rows(of name: String, columns: [DatasetColumn], offset: Int, limit: Int) async throws -> (rows: [[JSONValue]], total: Int) {
        let name = try Self.checkedName(name)
        guard offset >= 0, limit >= 0 else { throw DatasetTableError.invalidPage(offset: offset, limit: limit) }
        let types = try Self.columnTypes(columns)
        var page: [[JSONValue]] = []
        page.reserveCapacity(min(limit, 10_000))
        let total = try await rowCount(of: name)
        guard limit > 0, offset < total else { return (page, total) }
        let reader = StoredRowReader(database: database, table: name, columns: columns, types: types)
        try await reader.read(from: offset, limit: limit) { cells, row in
            page.append(try cells.enumerated().map { c, cell in try Self.json(cell, type: types[c], table: name, column: columns[c].name, row: row) })
        }
        return (page, total)
    }

    /// The whole stored table back as an Analytics `Table` with the original column names and types
    /// (categories dictionary-encoded again, in order of first appearance), for cleaning and insights.
    /// Null cells hold zero, false or the empty string, as the CSV reader leaves them.
    func table(_ name: String, columns: [DatasetColumn]) async throws -> Table {
        let name = try Self.checkedName(name)
        let types = try Self.columnTypes(columns)
        let capacity = try await rowCount(of: name)
        var builders = zip(columns, types).map { ColumnRebuilder(name: $0.name, type: $1, capacity: capacity) }
        let reader = StoredRowReader(database: database, table: name, columns: columns, types: types)
        var rows = 0
        try await reader.read(from: 0, limit: nil) { cells, row in
            for c in cells.indices {
                guard builders[c].append(cells[c]) else {
                    throw DatasetTableError.unexpectedValue(table: name, column: columns[c].name, row: row, found: "\(cells[c])")
                }
            }
            rows += 1
        }
        return Table(columns: builders.map { $0.finish() }, rowCount: rows)
    }

    /// Rows in the table: one past the highest row number, since rows are numbered from 0 without gaps.
    func rowCount(of name: String) async throws -> Int {
        let name = try Self.checkedName(name)
        return try await database.withConnection { db in
            try await db.raw(Self.sql("SELECT COALESCE(MAX(\(Self.rowColumn)) + 1, 0) AS n FROM \(Self.quoted(name))"))
                .first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func columnTypes(_ columns: [DatasetColumn]) throws -> [ColumnType] {
        try columns.map { column in
            guard let type = ColumnType(rawValue: column.type) else {
                throw DatasetTableError.unknownColumnType(column: column.name, type: column.type)
            }
            return type
        }
    }
}

extension Column {
    /// Cells in the storage array, which must match the validity bitmap's count.
    var storageCount: Int {
        switch storage {
        case .integer(let v): v.count
        case .float(let v): v.count
        case .boolean(let v): v.count
        case .date(let v): v.count
        case .datetime(let v): v.count
        case .category(let codes, _): codes.count
        case .text(let t): t.count
        }
    }
}
