import Analytics
import Logging
import NIOCore
import PostgresNIO

/// Loading rows into PostgreSQL with `COPY ... FROM STDIN` in text format.
///
/// COPY parses rows on the server without a statement per batch, roughly ten times faster than
/// batched INSERTs. Rows are written into ~1 MB buffers that are sent as they fill, so memory stays
/// bounded whatever the table's size. Building the text is the client's share of the work, so cells
/// are written straight into the buffer as bytes: numbers, dates and timestamps digit by digit,
/// text as runs of bytes, without a `String` per cell.
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
                CopyCellEncoder.writeDecimal(Int64(row), into: &buffer)
                for encoder in encoders {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    encoder.write(row: row, into: &buffer)
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
///
/// The column's storage is unpacked once into typed arrays, so a cell is a switch on a plain kind and
/// an index, and every check that can fail (category codes, date ranges) runs before the first row.
struct CopyCellEncoder {
    private enum Kind { case integer, float, boolean, date, datetime, category, text }
    private let kind: Kind
    private let validity: ValidityBitmap
    private let integers: [Int64]
    private let floats: [Double]
    private let booleans: [Bool]
    private let days: [Int32]
    private let codes: [UInt32]
    private let text: TextStorage?
    /// Category values, escaped once rather than once per row.
    private let dictionary: [[UInt8]]

    init(column: Column) throws {
        validity = column.validity
        var integers: [Int64] = [], floats: [Double] = [], booleans: [Bool] = [], days: [Int32] = [], codes: [UInt32] = []
        var text: TextStorage?
        var dictionary: [[UInt8]] = []
        switch column.storage {
        case .integer(let values):
            kind = .integer
            integers = values
        case .float(let values):
            kind = .float
            floats = values
        case .boolean(let values):
            kind = .boolean
            booleans = values
        case .date(let values):
            kind = .date
            if let bad = values.indices.first(where: { column.validity[$0] && !DatasetCellFormat.isInRange(days: Int(values[$0])) }) {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: bad)
            }
            days = values
        case .datetime(let values):
            kind = .datetime
            if let bad = values.indices.first(where: { column.validity[$0] && !DatasetCellFormat.isInRange(seconds: values[$0]) }) {
                throw DatasetTableError.dateOutOfRange(column: column.name, row: bad)
            }
            integers = values
        case .category(let values, let names):
            kind = .category
            if let bad = values.indices.first(where: { column.validity[$0] && Int(values[$0]) >= names.count }) {
                throw DatasetTableError.unexpectedValue(table: "(input)", column: column.name, row: bad,
                                                        found: "category code \(values[bad]) of \(names.count)")
            }
            codes = values
            dictionary = names.map { value in
                var bytes: [UInt8] = []
                Self.appendEscaped(Array(value.utf8), to: &bytes)
                return bytes
            }
        case .text(let values):
            kind = .text
            text = values
        }
        self.integers = integers
        self.floats = floats
        self.booleans = booleans
        self.days = days
        self.codes = codes
        self.text = text
        self.dictionary = dictionary
    }

    static let null: [UInt8] = Array("\\N".utf8)

    func write(row: Int, into buffer: inout ByteBuffer) {
        guard validity[row] else {
            buffer.writeBytes(Self.null)
            return
        }
        switch kind {
        case .integer: Self.writeDecimal(integers[row], into: &buffer)
        case .float:
            // Swift's description is the shortest text that reads back as the same double.
            let value = floats[row]
            if value.isFinite { buffer.writeString(value.description) } else { buffer.writeBytes(Self.null) }
        case .boolean: buffer.writeInteger(booleans[row] ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .date:
            let date = CivilDate(days: Int(days[row]))
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 10) { DatasetCellFormat.writeDate(date, into: $0, at: 0) }
        case .datetime:
            let seconds = integers[row]
            let dayNumber = DatasetCellFormat.floorDays(seconds)
            let date = CivilDate(days: Int(dayNumber))
            let rest = Int(seconds - dayNumber * 86_400)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 22) { out in
                var i = DatasetCellFormat.writeDate(date, into: out, at: 0)
                out[i] = UInt8(ascii: " ")
                i = DatasetCellFormat.writeTime(secondsOfDay: rest, into: out, at: i + 1)
                out[i] = UInt8(ascii: "+")
                out[i + 1] = UInt8(ascii: "0")
                out[i + 2] = UInt8(ascii: "0")
                return i + 3
            }
        case .category: buffer.writeBytes(dictionary[Int(codes[row])])
        case .text:
            text?.withValue(row) { bytes in Self.writeEscaped(bytes, into: &buffer) }
        }
    }

    /// Writes `value` in decimal digits (with a leading minus sign when negative).
    static func writeDecimal(_ value: Int64, into buffer: inout ByteBuffer) {
        var magnitude = value.magnitude
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let length = digits + (value < 0 ? 1 : 0)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { out in
            if value < 0 { out[0] = UInt8(ascii: "-") }
            var i = length - 1
            repeat {
                out[i] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                i -= 1
            } while magnitude > 0
            return length
        }
    }

    /// Copies runs of plain bytes in one go and escapes the four special ones.
    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout ByteBuffer) {
        var runStart = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            // Everything above the control characters and the backslash is plain data.
            guard byte < 0x20 || byte == UInt8(ascii: "\\") else { continue }
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
