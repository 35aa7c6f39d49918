/// Why a file could not be read as a table, with the place in the file where it matters.
public enum CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case notText(reason: String)
    case unterminatedQuote(line: Int, column: Int)
    case fieldTooLarge(line: Int, column: Int, limit: Int)
    case tooManyColumns(line: Int, count: Int, limit: Int)
    case truncatedGzip
    case invalidGzip(String)
    case gzipTooLarge(limit: Int64)
    case fileTooLarge(limit: Int64)
    case unreadable(String)

    public var description: String {
        switch self {
        case .empty: "the file is empty"
        case .notText(let reason): "this is not a text file (\(reason)); upload a CSV"
        case .unterminatedQuote(let line, let column): "unterminated quote starting at line \(line), column \(column)"
        case .fieldTooLarge(let line, let column, let limit): "the field at line \(line), column \(column) is larger than \(limit) bytes"
        case .tooManyColumns(let line, let count, let limit): "line \(line) has \(count) columns; at most \(limit) are supported"
        case .truncatedGzip: "the gzip file is truncated: it ends before its compressed data does"
        case .invalidGzip(let why): "the gzip file is damaged: \(why)"
        case .gzipTooLarge(let limit): "the gzip file expands to more than \(limit) bytes"
        case .fileTooLarge(let limit): "the file is larger than \(limit) bytes"
        case .unreadable(let why): "the file cannot be read: \(why)"
        }
    }

    /// A stable snake_case code for APIs.
    public var code: String {
        switch self {
        case .empty: "empty_file"
        case .notText: "not_text"
        case .unterminatedQuote: "unterminated_quote"
        case .fieldTooLarge: "field_too_large"
        case .tooManyColumns: "too_many_columns"
        case .truncatedGzip: "truncated_gzip"
        case .invalidGzip: "invalid_gzip"
        case .gzipTooLarge: "gzip_too_large"
        case .fileTooLarge: "file_too_large"
        case .unreadable: "unreadable"
        }
    }
}
