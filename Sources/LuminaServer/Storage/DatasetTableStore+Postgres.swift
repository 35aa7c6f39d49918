import Analytics
import Logging
import NIOCore
import PostgresNIO

/// Loading rows into PostgreSQL with `COPY ... FROM STDIN` in text format.
///
/// COPY parses rows on the server without a statement per batch, roughly ten times faster than
/// batched INSERTs. Rows are written into ~1 MB buffers that are sent as they fill, so memory stays
/// bounded whatever the table's size.
extension DatasetTableStore {
    static let copyBufferBytes = 1 << 20

    func copyRows(of table: Table, into name: String, on connection: PostgresConnection, logger: Logger,
                  reporter: inout ProgressReporter, progress: @Sendable (Int, Int) async -> Void) async throws {
        let encoders = try table.columns.map(CopyCellEncoder.init(column:))
        let columns = [Self.rowColumn] + table.columns.indices.map(Self.columnName)
        var reporter2 = reporter
        let allocator = ByteBufferAllocator()
        // `copyFrom` quotes the (checked) table and column names itself.
        try await connection.copyFrom(table: name, columns: columns, format: .text(.init()), logger: logger) { writer in
            var buffer = allocator.buffer(capacity: Self.copyBufferBytes + 64 * 1024)
            var rowsInBuffer = 0
            for row in 0..<table.rowCount {
                buffer.writeString(String(row))
                for encoder in encoders {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    try encoder.write(row: row, into: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                rowsInBuffer += 1
                if buffer.readableBytes >= Self.copyBufferBytes {
                    try await writer.write(buffer)
                    buffer = allocator.buffer(capacity: Self.copyBufferBytes + 64 * 1024)
                    if reporter2.advance(by: rowsInBuffer) { await progress(reporter2.written, reporter2.total) }
                    rowsInBuffer = 0
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
            _ = reporter2.advance(by: rowsInBuffer)
        }
        reporter = reporter2
    }
}

/// Writes one Analytics column's cells in COPY text format.
///
/// In that format a tab ends a field, a newline ends a row, `\N` is null and a backslash starts an
/// escape, so backslash, tab, newline and carriage return in values are written as `\\`, `\t`, `\n`
/// and `\r`; every other byte (quotes, semicolons, UTF-8) passes through as data. A text value `\N`
/// is therefore written `\\N` and stays text.
private struct CopyCellEncoder {
    let column: Column
    /// Category values, escaped once rather than once per row.
    let dictionary: [[UInt8]]

    init(column: Column) throws {
        self.column = column
        if case .category(let codes, let dictionary) = column.storage {
            if let bad = codes.indices.first(where: { column.validity[$0] && Int(codes[$0]) >= dictionary.count }) {
                throw DatasetTableError.unexpectedValue(table: "(input)", column: column.name, row: bad,
                                                        found: "category code \(codes[bad]) of \(dictionary.count)")
            }
            self.dictionary = dictionary.map { value in
                var bytes: [UInt8] = []
                Self.appendEscaped(Array(value.utf8), to: &bytes)
                return bytes
            }
        } else {
            self.dictionary = []
        }
    }

    static let null: [UInt8] = Array("\\N".utf8)

    func write(row: Int, into buffer: inout ByteBuffer) throws {
        guard column.validity[row] else {
            buffer.writeBytes(Self.null)
            return
        }
        switch column.storage {
        case .integer(let values): buffer.writeString(String(values[row]))
        case .float(let values):
            // Swift's description is the shortest text that reads back as the same double.
            if values[row].isFinite { buffer.writeString(values[row].description) } else { buffer.writeBytes(Self.null) }
        case .boolean(let values): buffer.writeInteger(values[row] ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .date(let values):
            guard DatasetCellFormat.isInRange(days: Int(values[row])) else {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: row)
            }
            buffer.writeString(DatasetCellFormat.date(days: Int(values[row])))
        case .datetime(let values):
            guard DatasetCellFormat.isInRange(seconds: values[row]) else {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: row)
            }
            buffer.writeString(DatasetCellFormat.postgresTimestamp(seconds: values[row]))
        case .category(let codes, _): buffer.writeBytes(dictionary[Int(codes[row])])
        case .text(let text):
            text.withValue(row) { bytes in Self.writeEscaped(bytes, into: &buffer) }
        }
    }

    /// Copies runs of plain bytes in one go and escapes the four special ones.
    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        var runStart = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte == 0 || escapeLetter(byte) != nil else { continue }
            if runStart < i { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart..<i])) }
            if let escape = escapeLetter(byte) {
                buffer.writeInteger(UInt8(ascii: "\\"))
                buffer.writeInteger(escape)
            } else {
                // PostgreSQL text cannot hold NUL (see DatasetCellFormat.storable).
                buffer.writeBytes(DatasetCellFormat.replacementCharacter)
            }
            runStart = i + 1
        }
        if runStart < bytes.count { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[runStart...])) }
    }

    static func appendEscaped(_ bytes: [UInt8], to output: inout [UInt8]) {
        for byte in bytes {
            if let escape = escapeLetter(byte) {
                output.append(UInt8(ascii: "\\"))
                output.append(escape)
            } else if byte == 0 {
                output.append(contentsOf: DatasetCellFormat.replacementCharacter)
            } else {
                output.append(byte)
            }
        }
    }

    /// The letter after the backslash for a byte COPY would otherwise read as syntax.
    static func escapeLetter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "\t"): UInt8(ascii: "t")
        case UInt8(ascii: "\n"): UInt8(ascii: "n")
        case UInt8(ascii: "\r"): UInt8(ascii: "r")
        default: nil
        }
    }
}
