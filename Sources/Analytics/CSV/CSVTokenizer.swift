/// Splits UTF-8 bytes into records and fields (RFC 4180 plus what real files do), one record at a
/// time and without copying: each field is a packed reference into the buffer, and the caller's
/// field array is reused from record to record, so reading a file allocates nothing per cell.
///
/// Reference layout: bits 0–38 the start offset, 39–61 the length, bit 62 set when a quoted field
/// needs undoing (doubled quotes, or text after the closing quote), bit 63 set when it was quoted.
/// The cursor can start anywhere a record starts, so parts of a file can be read in parallel.
struct CSVTokenizer {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let maxFieldBytes: Int
    let maxColumns: Int
    /// Where the next record (or the blank lines before it) starts.
    private(set) var position: Int
    /// The line at `position` (1-based), for messages.
    private(set) var line: Int
    /// The line the last record started on.
    private(set) var recordLine = 0
    private(set) var sawLF = false, sawCRLF = false, sawCR = false

    static let quote: UInt8 = 0x22
    static let quotedBit: UInt64 = 1 << 63
    static let complexBit: UInt64 = 1 << 62
    /// Fields are at most this long (the length has 23 bits).
    static let lengthLimit = (1 << 23) - 1

    init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, maxFieldBytes: Int, maxColumns: Int, position: Int = 0, line: Int = 1) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.maxFieldBytes = min(maxFieldBytes, Self.lengthLimit)
        self.maxColumns = maxColumns
        self.position = position
        self.line = line
    }

    static func pack(start: Int, length: Int, quoted: Bool, complex: Bool) -> UInt64 {
        UInt64(start) | UInt64(length) << 39 | (quoted ? quotedBit : 0) | (complex ? complexBit : 0)
    }

    static func start(_ ref: UInt64) -> Int { Int(ref & 0x7F_FFFF_FFFF) }
    static func length(_ ref: UInt64) -> Int { Int((ref >> 39) & 0x7F_FFFF) }
    static func isQuoted(_ ref: UInt64) -> Bool { ref & quotedBit != 0 }

    var isAtEnd: Bool { position >= bytes.count }

    /// Moves past line ends: blank lines produce no record.
    mutating func skipBlankLines() {
        let n = bytes.count
        var i = position
        while i < n {
            let b = bytes[i]
            if b == 0x0A { i += 1 } else if b == 0x0D { i += (i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1 } else { break }
            line += 1
        }
        position = i
    }

    /// Reads the next record's fields into `fields` (emptied first); false at the end of the bytes.
    /// For the few records read outside the scan (header, probes, tests): the same code as the scan's.
    mutating func nextRecord(into fields: inout [UInt64]) throws(CSVError) -> Bool {
        var list = FieldList(capacity: max(16, fields.capacity))
        defer { list.deallocate() }
        fields.removeAll(keepingCapacity: true)
        guard try nextRecord(into: &list) else { return false }
        fields.append(contentsOf: list.buffer)
        return true
    }

    /// Reads the next record's fields into `fields` (emptied first); false at the end of the bytes.
    mutating func nextRecord(into fields: inout FieldList) throws(CSVError) -> Bool {
        fields.count = 0
        skipBlankLines()
        let n = bytes.count
        guard position < n else { return false }
        recordLine = line
        var i = position
        while true {
            let fieldLine = line
            let fieldStart = i
            var quoted = false, complex = false
            if i < n && bytes[i] == Self.quote {
                quoted = true
                i += 1
                var closed = false
                while i < n {
                    // Jump over the bytes that are neither a quote nor a line end, eight at a
                    // time: the byte loop below would only step over them.
                    i = nextQuoteOrControl(from: i)
                    guard i < n else { break }
                    let b = bytes[i]
                    if b == Self.quote {
                        if i + 1 < n && bytes[i + 1] == Self.quote { complex = true; i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if b == 0x0A { line += 1 } else if b == 0x0D && !(i + 1 < n && bytes[i + 1] == 0x0A) { line += 1 }
                    i += 1
                }
                if !closed { throw .unterminatedQuote(line: fieldLine, column: fields.count + 1) }
                // Lenient: text after the closing quote stays part of the field.
                while i < n && bytes[i] != delimiter && bytes[i] != 0x0A && bytes[i] != 0x0D { complex = true; i += 1 }
            } else {
                i = unquotedFieldEnd(from: i)
            }
            let length = i - fieldStart
            if length > maxFieldBytes { throw .fieldTooLarge(line: fieldLine, column: fields.count + 1, limit: maxFieldBytes) }
            fields.append(Self.pack(start: fieldStart, length: length, quoted: quoted, complex: complex))
            if fields.count > maxColumns { throw .tooManyColumns(line: recordLine, count: fields.count, limit: maxColumns) }
            // What ends the field: a delimiter, a line end, or the end of the bytes.
            if i < n && bytes[i] == delimiter {
                i += 1
                if i < n { continue }
                fields.append(Self.pack(start: n, length: 0, quoted: false, complex: false))
                break
            }
            if i < n {
                if bytes[i] == 0x0D {
                    if i + 1 < n && bytes[i + 1] == 0x0A { sawCRLF = true; i += 2 } else { sawCR = true; i += 1 }
                } else {
                    sawLF = true
                    i += 1
                }
                line += 1
            }
            break
        }
        position = i
        return true
    }

    /// The first position from `start` holding the delimiter or a line end (or the end of the bytes).
    /// Eight bytes at a time: most fields are short, but a word test costs about what two byte
    /// tests do, and long text fields are crossed in a few steps. The word test looks for the
    /// delimiter and for any byte below 0x0E (line ends among them: one test instead of two);
    /// a candidate that is only a tab or another control byte is stepped over.
    @inline(__always)
    private func unquotedFieldEnd(from start: Int) -> Int {
        let n = bytes.count
        var i = start
        #if _endian(little)
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let delimiters = UInt64(delimiter) &* 0x0101_0101_0101_0101
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                var hits = Self.zeroBytes(word ^ delimiters) | Self.bytesBelow0E(word)
                // Little-endian: the lowest set bit belongs to the first candidate byte.
                while hits != 0 {
                    let k = i + hits.trailingZeroBitCount >> 3
                    let b = bytes[k]
                    if b == delimiter || b == 0x0A || b == 0x0D { return k }
                    hits &= hits - 1
                }
                i += 8
            }
        }
        #endif
        while i < n {
            let b = bytes[i]
            if b == delimiter || b == 0x0A || b == 0x0D { break }
            i += 1
        }
        return i
    }

    /// The first position from `start` that may hold a quote or a line end (a quote or any byte
    /// below 0x0E), or a position at most eight bytes before the end of the bytes, from where
    /// the caller's byte loop goes on: everything skipped is neither a quote nor a line end.
    @inline(__always)
    private func nextQuoteOrControl(from start: Int) -> Int {
        let n = bytes.count
        var i = start
        #if _endian(little)
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let hits = Self.zeroBytes(word ^ 0x2222_2222_2222_2222) | Self.bytesBelow0E(word)
                if hits != 0 { return i + hits.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        #endif
        return i
    }

    /// The high bit set in the bytes of `x` below 0x0E, and perhaps in bytes above such a byte
    /// (a borrow from a byte below 0x0E can reach the next one): so the lowest set bit is always
    /// a true one, and no byte below 0x0E is missed. Bytes of 0x80 and above are never set.
    @inline(__always)
    static func bytesBelow0E(_ x: UInt64) -> UInt64 {
        (x &- 0x0E0E_0E0E_0E0E_0E0E) & ~x & 0x8080_8080_8080_8080
    }

    /// The high bit set in exactly the bytes of `x` that are zero (no carries cross bytes).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low) &+ low) | x | low)
    }

    /// How many bytes `zeroBytes` marked (`marks` has bits only at the bytes' high bits): the
    /// marks moved to the low bits and summed into the top byte by one multiplication. Without
    /// a population-count instruction in the baseline x86-64 target, `nonzeroBitCount` is a
    /// dozen instructions; this is three.
    @inline(__always)
    static func markedByteCount(_ marks: UInt64) -> Int {
        Int(truncatingIfNeeded: ((marks >> 7) &* 0x0101_0101_0101_0101) >> 56)
    }

    /// The field's value: quotes removed and doubled quotes undone. Plain and simply quoted fields
    /// are views into `bytes`; the others are written into `scratch` (valid until its next use).
    /// Inlined into the scan for the common fields; only those with quotes to undo make a call.
    @inline(__always)
    static func value(_ ref: UInt64, in bytes: UnsafeBufferPointer<UInt8>, scratch: ScratchBuffer) -> UnsafeBufferPointer<UInt8> {
        let start = start(ref), length = length(ref)
        guard isQuoted(ref) else { return UnsafeBufferPointer(rebasing: bytes[start..<(start + length)]) }
        guard ref & complexBit != 0 else { return UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(start + length - 1)]) }
        return unquoted(ref, in: bytes, scratch: scratch)
    }

    /// A quoted field with doubled quotes or text after its closing quote, rewritten into `scratch`.
    @inline(never)
    private static func unquoted(_ ref: UInt64, in bytes: UnsafeBufferPointer<UInt8>, scratch: ScratchBuffer) -> UnsafeBufferPointer<UInt8> {
        let start = start(ref), length = length(ref)
        let out = scratch.reserve(length)
        var count = 0
        var i = start + 1
        let end = start + length
        var inQuotes = true
        while i < end {
            let b = bytes[i]
            if b == quote {
                if inQuotes && i + 1 < end && bytes[i + 1] == quote { out[count] = quote; count += 1; i += 2; continue }
                inQuotes.toggle()
                i += 1
                continue
            }
            out[count] = b
            count += 1
            i += 1
        }
        return UnsafeBufferPointer(rebasing: UnsafeBufferPointer(out)[0..<count])
    }

    /// The field's value as a string (for names and messages).
    static func string(_ ref: UInt64, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        let scratch = ScratchBuffer()
        return String(decoding: value(ref, in: bytes, scratch: scratch), as: UTF8.self)
    }
}

/// The fields of one record, reused from record to record: plain memory that grows when a
/// record is wider than any before, so adding a field is a store and a count (an array would
/// check its uniqueness and capacity on every append). The owner calls `deallocate`.
struct FieldList {
    private(set) var base: UnsafeMutablePointer<UInt64>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    var buffer: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    subscript(i: Int) -> UInt64 { base[i] }

    @inline(__always)
    mutating func append(_ ref: UInt64) {
        if count == capacity { grow() }
        base[count] = ref
        count += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }

    func deallocate() { base.deallocate() }
}

/// Reusable memory for field values that had to be rewritten; one per reading thread.
final class ScratchBuffer {
    private var storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256)

    /// At least `count` bytes; earlier contents are not kept.
    func reserve(_ count: Int) -> UnsafeMutableBufferPointer<UInt8> {
        if storage.count < count {
            storage.deallocate()
            storage = .allocate(capacity: max(count, storage.count * 2))
        }
        return storage
    }

    deinit { storage.deallocate() }
}
