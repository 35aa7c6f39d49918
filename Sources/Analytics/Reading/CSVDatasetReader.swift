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
/// Memory: the file (mapped, not copied, when it is already UTF-8) plus the typed table; nothing is
/// kept per cell while reading, and only distinct category values become `String`s.
public enum CSVDatasetReader {
    public static func read(fileAt url: URL, options: CSVReadOptions = .init(), progress: (Double) -> Void = { _ in }) throws -> ReadResult {
        if url.isFileURL, let file = MappedFile(path: url.path) {
            return try withExtendedLifetime(file) {
                try read(buffer: file.bytes, options: options, progress: progress, releaser: PageReleaser(enabled: true))
            }
        }
        let data: Data
        do {
            // Mapped, not copied: the reader works on views into the file.
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw CSVError.unreadable(error.localizedDescription)
        }
        return try data.withUnsafeBytes { raw in
            try read(buffer: raw.bindMemory(to: UInt8.self), options: options, progress: progress)
        }
    }

    public static func read(data raw: [UInt8], options: CSVReadOptions = .init(), progress: (Double) -> Void = { _ in }) throws(CSVError) -> ReadResult {
        try raw.withUnsafeBufferPointer { buffer throws(CSVError) in try read(buffer: buffer, options: options, progress: progress) }
    }

    /// `releaser` may drop pages of `raw` once read: on only when `raw` is a `MappedFile`'s bytes.
    /// `sequential` reads in one part and builds the columns one after another: the plain order
    /// of work that the parallel read must reproduce exactly (the tests compare the two).
    static func read(buffer raw: UnsafeBufferPointer<UInt8>, options: CSVReadOptions, progress: (Double) -> Void,
                     releaser: PageReleaser = .off, sequential: Bool = false) throws(CSVError) -> ReadResult {
        if GzipInflater.isGzip(raw) {
            let inflated = try GzipInflater.inflate(raw, limit: options.maxExpandedBytes)
            return try inflated.withUnsafeBufferPointer { buffer throws(CSVError) in
                try decodeAndRead(buffer, options: options, progress: progress, sequential: sequential)
            }
        }
        return try decodeAndRead(raw, options: options, progress: progress, releaser: releaser, sequential: sequential)
    }

    private static func decodeAndRead(_ raw: UnsafeBufferPointer<UInt8>, options: CSVReadOptions, progress: (Double) -> Void,
                                      releaser: PageReleaser = .off, sequential: Bool) throws(CSVError) -> ReadResult {
        guard !raw.isEmpty else { throw .empty }
        let decoded = try TextDecoder.decode(raw, releaser: releaser)
        if let converted = decoded.converted {
            return try converted.withUnsafeBufferPointer { buffer throws(CSVError) in
                try readUTF8(buffer, encoding: decoded.encoding, options: options, progress: progress, sequential: sequential)
            }
        }
        return try readUTF8(UnsafeBufferPointer(rebasing: raw[decoded.skip...]), encoding: decoded.encoding, options: options, progress: progress,
                            releaser: releaser, sequential: sequential)
    }

    private static func readUTF8(_ bytes: UnsafeBufferPointer<UInt8>, encoding: TextEncoding, options: CSVReadOptions,
                                 progress: (Double) -> Void, releaser: PageReleaser = .off, sequential: Bool) throws(CSVError) -> ReadResult {
        guard !bytes.allSatisfy({ $0 == 0x0A || $0 == 0x0D || $0 == 0x20 }) else { throw .empty }
        var warnings: [ReadWarning] = []
        if encoding == .windows1252 {
            warnings.append(ReadWarning(code: "encoding_fallback", message: "The file is not valid UTF-8; it was read as Windows-1252 (Latin-1).",
                                        column: nil, count: 1, samples: []))
        }
        let delimiter = DialectSniffer.delimiter(in: bytes)
        return try TableBuilder(bytes: bytes, delimiter: delimiter, encoding: encoding, options: options, warnings: warnings, releaser: releaser,
                                sequential: sequential)
            .build(progress: progress)
    }
}
