import Analytics
import SQLiteNIO

/// Loading rows into SQLite: multi-row INSERTs straight through the driver.
///
/// Each statement is prepared anew, so one row per statement spends most of its time preparing;
/// ~500 rows per statement amortises that while staying under SQLite's 32766 bound parameters.
extension DatasetTableStore {
    static let sqliteMaxParameters = 32_766
    static let sqliteRowsPerStatement = 500

    /// Rows per INSERT for `columnCount` data columns (plus the row number), at least one.
    static func sqliteBatchRows(columnCount: Int) -> Int {
        max(1, min(sqliteRowsPerStatement, sqliteMaxParameters / (columnCount + 1)))
    }

    func insertRows(of table: Table, into name: String, on connection: SQLiteConnection,
                    reporter: inout ProgressReporter, progress: @Sendable (Int, Int) async -> Void) async throws {
        let width = table.columns.count + 1
        let batch = Self.sqliteBatchRows(columnCount: table.columns.count)
        let encoders = try table.columns.map(SQLiteCellEncoder.init(column:))
        let columnList = ([Self.rowColumn] + table.columns.indices.map(Self.columnName)).map(Self.quoted).joined(separator: ", ")
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        func statement(rows: Int) -> String {
            "INSERT INTO \(Self.quoted(name)) (\(columnList)) VALUES " + Array(repeating: tuple, count: rows).joined(separator: ", ")
        }
        let fullStatement = statement(rows: batch)
        var binds: [SQLiteData] = []
        binds.reserveCapacity(batch * width)
        var start = 0
        while start < table.rowCount {
            let end = min(start + batch, table.rowCount)
            binds.removeAll(keepingCapacity: true)
            for row in start..<end {
                binds.append(.integer(row))
                for encoder in encoders { binds.append(try encoder.value(at: row)) }
            }
            let sql = end - start == batch ? fullStatement : statement(rows: end - start)
            _ = try await connection.query(sql, binds)
            if reporter.advance(by: end - start) { await progress(reporter.written, reporter.total) }
            start = end
        }
    }
}

/// Turns one Analytics column's cells into SQLite values (category dictionaries converted once).
private struct SQLiteCellEncoder {
    let column: Column
    let dictionary: [SQLiteData]

    init(column: Column) throws {
        self.column = column
        if case .category(let codes, let dictionary) = column.storage {
            if let bad = codes.indices.first(where: { column.validity[$0] && Int(codes[$0]) >= dictionary.count }) {
                throw DatasetTableError.unexpectedValue(table: "(input)", column: column.name, row: bad,
                                                        found: "category code \(codes[bad]) of \(dictionary.count)")
            }
            self.dictionary = dictionary.map { .text(DatasetCellFormat.storable($0)) }
        } else {
            self.dictionary = []
        }
    }

    func value(at row: Int) throws -> SQLiteData {
        guard column.validity[row] else { return .null }
        switch column.storage {
        case .integer(let values): return .integer(Int(values[row]))
        case .float(let values): return values[row].isFinite ? .float(values[row]) : .null
        case .boolean(let values): return .integer(values[row] ? 1 : 0)
        case .date(let values):
            guard DatasetCellFormat.isInRange(days: Int(values[row])) else {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: row)
            }
            return .text(DatasetCellFormat.date(days: Int(values[row])))
        case .datetime(let values):
            guard DatasetCellFormat.isInRange(seconds: values[row]) else {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: row)
            }
            return .text(DatasetCellFormat.datetime(seconds: values[row]))
        case .category(let codes, _): return dictionary[Int(codes[row])]
        case .text(let text): return .text(DatasetCellFormat.storable(text[row]))
        }
    }
}
