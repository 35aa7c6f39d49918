import Analytics
import PostgresNIO
import SQLiteNIO

/// Reads rows of a dataset table in row-number order straight through the drivers.
///
/// SQLKit decodes every cell through `Decodable` by column name, which costs more than the query
/// itself for a million rows; here each engine's native cells are turned into `StoredCell`s by
/// position. PostgreSQL streams the rows; SQLite reads bounded slices of row numbers.
struct StoredRowReader {
    let database: Database
    let table: String
    let columns: [DatasetColumn]
    let types: [ColumnType]

    /// SQLite rows per query when reading a whole table, which bounds the rows held at once.
    static let sqliteSlice = 20_000

    /// Calls `body(cells, rowNumber)` for the rows numbered `offset` onwards, at most `limit` (all when nil).
    func read(from offset: Int, limit: Int?, _ body: ([StoredCell], Int) throws -> Void) async throws {
        let list = ([DatasetTableStore.rowColumn] + types.enumerated().map { position, type in
            DatasetTableStore.selectExpression(type, position: position, engine: database.engine)
        }).joined(separator: ", ")
        let from = "SELECT \(list) FROM \(DatasetTableStore.quoted(table)) WHERE \(DatasetTableStore.rowColumn) >= "
        if let client = database.postgresClient {
            let sql = from + "\(offset) ORDER BY \(DatasetTableStore.rowColumn)" + (limit.map { " LIMIT \($0)" } ?? "")
            try await client.withConnection { connection in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: database.logger)
                for try await row in rows {
                    let cells = row.makeRandomAccess()
                    try check(count: cells.count)
                    let number = try cells[0].decode(Int64.self)
                    try body(try types.indices.map { try postgresCell(cells[$0 + 1], type: types[$0]) }, Int(number))
                }
            }
        } else {
            var next = offset
            var remaining = limit ?? .max
            while remaining > 0 {
                let slice = min(remaining, Self.sqliteSlice)
                let sql = from + "?1 ORDER BY \(DatasetTableStore.rowColumn) LIMIT ?2"
                let rows = try await database.withSQLiteConnection { connection in
                    try await connection.query(sql, [.integer(next), .integer(slice)])
                } ?? []
                for row in rows {
                    let cells = row.columns
                    try check(count: cells.count)
                    guard case .integer(let number) = cells[0].data else {
                        throw DatasetTableError.unexpectedValue(table: table, column: DatasetTableStore.rowColumn, row: next,
                                                                found: "\(cells[0].data)")
                    }
                    try body(try types.indices.map { try sqliteCell(cells[$0 + 1].data, column: $0, row: number) }, number)
                    next = number + 1
                }
                if rows.count < slice { break }
                remaining -= rows.count
            }
        }
    }

    private func check(count: Int) throws {
        guard count == types.count + 1 else {
            throw DatasetTableError.columnCountMismatch(table: table, expected: types.count, found: count - 1)
        }
    }

    private func postgresCell(_ cell: PostgresCell, type: ColumnType) throws -> StoredCell {
        guard cell.bytes != nil else { return .null }
        return switch type {
        case .integer, .date, .datetime: .integer(try cell.decode(Int64.self))
        case .float: .float(try cell.decode(Double.self))
        case .boolean: .boolean(try cell.decode(Bool.self))
        case .category, .text: .text(try cell.decode(String.self))
        }
    }

    private func sqliteCell(_ data: SQLiteData, column: Int, row: Int) throws -> StoredCell {
        switch (data, types[column]) {
        case (.null, _): return .null
        case (.integer(let v), .boolean): return .boolean(v != 0)
        case (.integer(let v), .float): return .float(Double(v))
        case (.integer(let v), .integer), (.integer(let v), .date), (.integer(let v), .datetime): return .integer(Int64(v))
        case (.float(let v), .float): return .float(v)
        case (.text(let v), .category), (.text(let v), .text): return .text(v)
        default:
            throw DatasetTableError.unexpectedValue(table: table, column: columns[column].name, row: row, found: "\(data)")
        }
    }
}
