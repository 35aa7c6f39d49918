/// Splits UTF-8 bytes into records and fields (RFC 4180 plus what real files do), without copying:
/// each field is a packed reference into the buffer.
///
/// Reference layout (`FieldRef`): bits 0–39 the start offset, 40–62 the length, bit 63 set when the
/// field was quoted (its quotes and doubled quotes are removed only when the value is read).
struct CSVTokenizer {
    let delimiter: UInt8
    let quote: UInt8 = 0x22
    let maxFieldBytes: Int
    let maxColumns: Int

    struct Output {
        /// All fields, record after record.
        var fields: [UInt64] = []
        /// For each record, the index in `fields` where it ends.
        var recordEnds: [Int] = []
        /// The line each record starts on (1-based), for messages.
        var recordLines: [Int] = []
        var sawLF = false, sawCRLF = false, sawCR = false
    }

    static let quotedBit: UInt64 = 1 << 63

    static func pack(start: Int, length: Int, quoted: Bool) -> UInt64 {
        UInt64(start) | UInt64(length) << 40 | (quoted ? quotedBit : 0)
    }

    static func start(_ ref: UInt64) -> Int { Int(ref & 0xFF_FFFF_FFFF) }
    static func length(_ ref: UInt64) -> Int { Int((ref >> 40) & 0x7F_FFFF) }
    static func isQuoted(_ ref: UInt64) -> Bool { ref & quotedBit != 0 }

    /// Tokenizes `bytes`; blank lines produce no record.
    func tokenize(_ bytes: UnsafeBufferPointer<UInt8>, progress: (Double) -> Void) throws(CSVError) -> Output {
        var out = Output()
        out.fields.reserveCapacity(bytes.count / 6)
        let n = bytes.count
        var i = 0
        var line = 1
        var recordStartField = 0
        var recordLine = 1
        var nextProgress = n / 20
        while i < n {
            if i > nextProgress { progress(Double(i) / Double(n)); nextProgress += n / 20 }
            // One field.
            let fieldLine = line
            let fieldStart = i
            var quoted = false
            if bytes[i] == quote {
                quoted = true
                i += 1
                var closed = false
                while i < n {
                    let b = bytes[i]
                    if b == quote {
                        if i + 1 < n && bytes[i + 1] == quote { i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 } else if b == 0x0D && !(i + 1 < n && bytes[i + 1] == 0x0A) { line += 1 }
                    i += 1
                }
                if !closed {
                    throw .unterminatedQuote(line: fieldLine, column: out.fields.count - recordStartField + 1)
                }
                // Lenient: text after the closing quote stays part of the field.
                while i < n && bytes[i] != delimiter && bytes[i] != 0x0A && bytes[i] != 0x0D { i += 1 }
            } else {
                while i < n {
                    let b = bytes[i]
                    if b == delimiter || b == 0x0A || b == 0x0D { break }
                    i += 1
                }
            }
            let length = i - fieldStart
            if length > maxFieldBytes {
                throw .fieldTooLarge(line: fieldLine, column: out.fields.count - recordStartField + 1, limit: maxFieldBytes)
            }
            out.fields.append(Self.pack(start: fieldStart, length: length, quoted: quoted))
            if out.fields.count - recordStartField > maxColumns {
                throw .tooManyColumns(line: recordLine, count: out.fields.count - recordStartField, limit: maxColumns)
            }
            // What ends the field: a delimiter, a line end, or the end of the file.
            if i < n && bytes[i] == delimiter {
                i += 1
                if i == n { out.fields.append(Self.pack(start: n, length: 0, quoted: false)) }
                else { continue }
            }
            if i < n {
                if bytes[i] == 0x0D {
                    if i + 1 < n && bytes[i + 1] == 0x0A { out.sawCRLF = true; i += 2 } else { out.sawCR = true; i += 1 }
                } else {
                    out.sawLF = true
                    i += 1
                }
                line += 1
            }
            finishRecord(&out, from: recordStartField, line: recordLine)
            recordStartField = out.fields.count
            recordLine = line
            // Blank lines between records.
            while i < n && (bytes[i] == 0x0A || bytes[i] == 0x0D) {
                if bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                i += 1
                line += 1
                recordLine = line
            }
        }
        if recordStartField < out.fields.count { finishRecord(&out, from: recordStartField, line: recordLine) }
        progress(1)
        return out
    }

    private func finishRecord(_ out: inout Output, from start: Int, line: Int) {
        // A record of one empty unquoted field is a blank line.
        if out.fields.count - start == 1, Self.length(out.fields[start]) == 0, !Self.isQuoted(out.fields[start]) {
            out.fields.removeLast()
            return
        }
        out.recordEnds.append(out.fields.count)
        out.recordLines.append(line)
    }

    /// The field's value as bytes: quotes removed and doubled quotes undone.
    static func value(_ ref: UInt64, in bytes: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8> {
        let start = start(ref), length = length(ref)
        guard isQuoted(ref) else { return ArraySlice(UnsafeBufferPointer(rebasing: bytes[start..<(start + length)])) }
        var result: [UInt8] = []
        result.reserveCapacity(length)
        var i = start + 1
        let end = start + length
        var inQuotes = true
        while i < end {
            let b = bytes[i]
            if b == 0x22 {
                if inQuotes && i + 1 < end && bytes[i + 1] == 0x22 { result.append(0x22); i += 2; continue }
                inQuotes.toggle()
                i += 1
                continue
            }
            result.append(b)
            i += 1
        }
        return result[...]
    }
}
