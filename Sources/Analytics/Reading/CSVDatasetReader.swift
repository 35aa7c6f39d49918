import Foundation

/// Limits and policies for reading a file.
public struct CSVReadOptions: Sendable {
    /// Largest single field; larger ones are an error naming where they start.
    public var maxFieldBytes: Int = 8 << 20
    public var maxColumns: Int = 20_000
    /// Largest expanded size of a gzip file (zip bombs are refused).
    public var maxExpandedBytes: Int64 = 8 << 30
    public init() {}
}

/// Something the reader decided or worked around, for the user to know.
public struct ReadWarning: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var column: String?
    public var count: Int
    public var samples: [String]
}

/// A file read into a typed table, with what was detected along the way.
public struct ReadResult: Sendable {
    public var table: Table
    public var dialect: CSVDialect
    public var encoding: TextEncoding
    /// Data rows read (header and skipped title rows excluded).
    public var rawRowCount: Int
    public var skippedTitleRows: Int
    /// Rows whose field count differed from the header's (short ones padded with nulls, long ones cut).
    public var raggedRows: Int
    public var warnings: [ReadWarning]
}

/// Reads CSV files (plain or gzip) into typed tables, the same way for uploads and `lumina analyze`.
///
/// Memory: the file's bytes (decoded to UTF-8) plus one 8-byte reference per cell while the columns
/// are built; cells are never materialised as `String`s except in text and category columns.
public enum CSVDatasetReader {
    public static func read(fileAt url: URL, options: CSVReadOptions = .init(), progress: (Double) -> Void = { _ in }) throws -> ReadResult {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CSVError.unreadable(error.localizedDescription)
        }
        return try read(data: [UInt8](data), options: options, progress: progress)
    }

    public static func read(data raw: [UInt8], options: CSVReadOptions = .init(), progress: (Double) -> Void = { _ in }) throws(CSVError) -> ReadResult {
        var raw = raw
        if raw.withUnsafeBufferPointer(GzipInflater.isGzip) {
            raw = try raw.withUnsafeBufferPointer { buffer throws(CSVError) in try GzipInflater.inflate(buffer, limit: options.maxExpandedBytes) }
        }
        guard !raw.isEmpty else { throw .empty }
        let (bytes, encoding) = try TextDecoder.decode(raw)
        guard !bytes.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }) else { throw .empty }
        var warnings: [ReadWarning] = []
        if encoding == .windows1252 {
            warnings.append(ReadWarning(code: "encoding_fallback", message: "The file is not valid UTF-8; it was read as Windows-1252 (Latin-1).",
                                        column: nil, count: 1, samples: []))
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(CSVError) in
            let delimiter = DialectSniffer.delimiter(in: buffer)
            let tokenizer = CSVTokenizer(delimiter: delimiter, maxFieldBytes: min(options.maxFieldBytes, (1 << 23) - 1), maxColumns: options.maxColumns)
            let tokens = try tokenizer.tokenize(buffer) { progress($0 * 0.6) }
            return try TableBuilder(bytes: buffer, tokens: tokens, delimiter: delimiter, encoding: encoding, warnings: warnings)
                .build { progress(0.6 + $0 * 0.4) }
        }
    }
}
