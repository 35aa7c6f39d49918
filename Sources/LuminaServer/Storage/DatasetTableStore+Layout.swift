import Analytics

/// SQL types and the expressions that read them back, per engine (the table is in `DatasetTableStore`).
extension DatasetTableStore {
    /// SQLite's `INTEGER PRIMARY KEY` is the rowid itself (no extra index); PostgreSQL gets its
    /// primary key after the load, when building the index is cheapest.
    static func rowColumnDefinition(_ engine: Database.Engine) -> String {
        switch engine {
        case .sqlite: "\(rowColumn) INTEGER PRIMARY KEY"
        case .postgres: "\(rowColumn) BIGINT NOT NULL"
        }
    }

    static func sqlType(_ type: ColumnType, _ engine: Database.Engine) -> String {
        switch (type, engine) {
        case (.integer, .postgres): "BIGINT"
        case (.integer, .sqlite): "INTEGER"
        case (.float, .postgres): "DOUBLE PRECISION"
        case (.float, .sqlite): "REAL"
        case (.boolean, .postgres): "BOOLEAN"
        case (.boolean, .sqlite): "INTEGER"
        case (.date, .postgres): "DATE"
        case (.datetime, .postgres): "TIMESTAMPTZ"
        case (.date, .sqlite), (.datetime, .sqlite), (.category, _), (.text, _): "TEXT"
        }
    }

    /// The select expression for column `position`: dates come back as day numbers and datetimes as
    /// epoch seconds on both engines, so one decoder serves both and formatting happens in Swift.
    static func selectExpression(_ type: ColumnType, position: Int, engine: Database.Engine) -> String {
        let column = quoted(columnName(position))
        return switch (type, engine) {
        case (.date, .postgres): "(\(column) - DATE '1970-01-01')::BIGINT"
        case (.datetime, .postgres): "EXTRACT(EPOCH FROM \(column))::BIGINT"
        // unixepoch() of a date is a whole number of days in seconds, so the division is exact.
        case (.date, .sqlite): "unixepoch(\(column)) / 86400"
        case (.datetime, .sqlite): "unixepoch(\(column))"
        default: column
        }
    }

    /// A stored cell as the API's JSON.
    static func json(_ cell: StoredCell, type: ColumnType, table: String, column: String, row: Int) throws -> JSONValue {
        switch (cell, type) {
        case (.null, _): return .null
        case (.integer(let v), .integer): return .number(Double(v))
        case (.float(let v), .float): return .number(v)
        case (.integer(let v), .float): return .number(Double(v))
        case (.boolean(let v), .boolean): return .bool(v)
        case (.integer(let v), .date): return .string(DatasetCellFormat.date(days: Int(v)))
        case (.integer(let v), .datetime): return .string(DatasetCellFormat.datetime(seconds: v))
        case (.text(let v), .category), (.text(let v), .text): return .string(v)
        default: throw DatasetTableError.unexpectedValue(table: table, column: column, row: row, found: "\(cell)")
        }
    }
}

/// One cell as read from either engine, before it becomes JSON or Analytics storage.
enum StoredCell: Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case text(String)

    var description: String {
        switch self {
        case .null: "null"
        case .integer(let v): "integer \(v)"
        case .float(let v): "float \(v)"
        case .boolean(let v): "boolean \(v)"
        case .text(let v): "text \(v.debugDescription)"
        }
    }
}

/// Decides when to call the caller's progress callback: after a batch once at least 1% more rows are
/// written, and always at the end, so a million-row load reports about a hundred times.
/// (It holds no closure: the callback is non-escaping, so the writers call it themselves.)
struct ProgressReporter {
    let total: Int
    private(set) var written = 0
    private var reported = -1
    private let step: Int

    init(total: Int) {
        self.total = total
        step = max(1, total / 100)
    }

    /// Counts `rows` more written; true when the caller should report now.
    mutating func advance(by rows: Int) -> Bool {
        written += rows
        guard written - max(reported, 0) >= step, written < total else { return false }
        reported = written
        return true
    }

    /// True when the final count has not been reported yet (also for an empty table).
    mutating func finish() -> Bool {
        guard reported != written else { return false }
        reported = written
        return true
    }
}
