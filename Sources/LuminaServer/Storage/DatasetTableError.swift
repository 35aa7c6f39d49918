import Analytics

/// Why a dataset table could not be written or read; messages name the table, column and row.
enum DatasetTableError: Error, CustomStringConvertible, Equatable {
    /// Only generated names (lowercase letters, digits, underscores) are ever used as identifiers.
    case invalidTableName(String)
    case unknownColumnType(column: String, type: String)
    case columnLengthMismatch(column: String, count: Int, rowCount: Int)
    /// Dates and timestamps outside years 1–9999 have no portable SQL form.
    case dateOutOfRange(column: String, row: Int)
    case invalidPage(offset: Int, limit: Int)
    case unexpectedValue(table: String, column: String, row: Int, found: String)
    case columnCountMismatch(table: String, expected: Int, found: Int)

    var description: String {
        switch self {
        case .invalidTableName(let name):
            "'\(name)' is not a generated dataset table name (lowercase letters, digits and underscores, at most 63)"
        case .unknownColumnType(let column, let type):
            "column '\(column)' has unknown type '\(type)' (expected one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .columnLengthMismatch(let column, let count, let rowCount):
            "column '\(column)' has \(count) cells but the table has \(rowCount) rows"
        case .dateOutOfRange(let column, let row):
            "column '\(column)', row \(row): dates must fall in the years 1 to 9999"
        case .invalidPage(let offset, let limit):
            "invalid page: offset \(offset) and limit \(limit) must not be negative"
        case .unexpectedValue(let table, let column, let row, let found):
            "table \(table), column '\(column)', row \(row): unexpected stored value \(found)"
        case .columnCountMismatch(let table, let expected, let found):
            "table \(table): expected \(expected) columns, found \(found)"
        }
    }
}
