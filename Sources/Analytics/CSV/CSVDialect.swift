/// How a file writes its table: what was detected, reported back to the user.
public struct CSVDialect: Sendable, Codable, Equatable {
    public var delimiter: String
    public var quote: String
    /// `LF`, `CRLF`, `CR`, `mixed` or `none` (a single line).
    public var lineEnding: String
    public var hasHeader: Bool
    /// Whether numbers in the file write their decimals with a comma (`1,5`).
    public var decimalComma: Bool

    enum CodingKeys: String, CodingKey {
        case delimiter, quote
        case lineEnding = "line_ending", hasHeader = "has_header", decimalComma = "decimal_comma"
    }
}

/// The character encoding a file was read in.
public enum TextEncoding: String, Sendable, Codable, Equatable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-sig"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
}
