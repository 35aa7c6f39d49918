/// Free text values of one column, stored as one contiguous UTF-8 buffer plus offsets.
///
/// A million notes as `[String]` cost a heap allocation each (plus 16 bytes of string header);
/// here they cost their bytes and one offset, are built by copying bytes straight out of the file,
/// and can be hashed and compared without creating a `String`. Null cells hold no bytes.
public struct TextStorage: Sendable, Equatable {
    /// Every value's UTF-8 bytes, back to back.
    public private(set) var bytes: [UInt8]
    /// Value `i` is `bytes[offsets[i]..<offsets[i + 1]]`; `count + 1` entries, starting at 0.
    public private(set) var offsets: [Int]

    public init(_ values: [String]) {
        var builder = Builder(capacity: values.count, byteCapacity: values.reduce(0) { $0 + $1.utf8.count })
        for value in values { builder.append(value) }
        self = builder.finish()
    }

    init(bytes: [UInt8], offsets: [Int]) {
        precondition(offsets.first == 0 && offsets.last == bytes.count, "offsets must span the bytes")
        self.bytes = bytes
        self.offsets = offsets
    }

    public var count: Int { offsets.count - 1 }

    public subscript(i: Int) -> String {
        withValue(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// All values as strings (allocates one `String` per value: for small columns and tests).
    public var values: [String] { (0..<count).map { self[$0] } }

    /// The UTF-8 length of value `i`.
    public func byteCount(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }

    /// Calls `body` with value `i`'s bytes, without copying them.
    public func withValue<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let start = offsets[i], end = offsets[i + 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The values at `rows`, in that order.
    func gather<Rows: Sequence<Int>>(rows: Rows) -> TextStorage {
        var total = 0
        for r in rows { total += byteCount(r) }
        var builder = Builder(capacity: rows.underestimatedCount, byteCapacity: total)
        bytes.withUnsafeBufferPointer { all in
            for r in rows { builder.append(UnsafeBufferPointer(rebasing: all[offsets[r]..<offsets[r + 1]])) }
        }
        return builder.finish()
    }

    /// The values at the members of `rows`, in order: the bytes of each run of consecutive rows
    /// copied at once, and their offsets moved by one amount per run.
    func gather(rows: RowSet) -> TextStorage {
        precondition(rows.rows <= count, "a row set of a longer table")
        var total = 0
        rows.forEachRun { run in total += offsets[run.upperBound] - offsets[run.lowerBound] }
        return bytes.withUnsafeBufferPointer { source in
            offsets.withUnsafeBufferPointer { from in
                var newOffsets = [Int](repeating: 0, count: rows.count + 1)
                let newBytes = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
                    newOffsets.withUnsafeMutableBufferPointer { to in
                        var j = 0, written = 0
                        rows.forEachRun { run in
                            let start = from[run.lowerBound], end = from[run.upperBound]
                            if end > start, let base = source.baseAddress, let target = out.baseAddress {
                                (target + written).initialize(from: base + start, count: end - start)
                            }
                            let shift = written - start
                            for r in run {
                                j += 1
                                to[j] = from[r + 1] + shift
                            }
                            written += end - start
                        }
                        initialized = written
                    }
                }
                return TextStorage(bytes: newBytes, offsets: newOffsets)
            }
        }
    }

    /// Replaces the values at `rows` (ascending) with `replacement` of their bytes, which must be
    /// no longer, moving the bytes of later values down where they lie. Trimming a column this
    /// way needs no second buffer the size of the column.
    mutating func shrink<Rows: Sequence<Int>>(rows: Rows, _ replacement: (UnsafeBufferPointer<UInt8>) -> String) {
        var written = 0
        bytes.withUnsafeMutableBufferPointer { b in
            offsets.withUnsafeMutableBufferPointer { o in
                var rows = rows.makeIterator()
                var nextRow = rows.next()
                var start = o[0]
                for i in 0..<(o.count - 1) {
                    let end = o[i + 1]
                    if nextRow == i {
                        nextRow = rows.next()
                        var value = replacement(UnsafeBufferPointer(rebasing: b[start..<end]))
                        value.withUTF8 { v in
                            precondition(v.count <= end - start, "a replacement may not be longer than its value")
                            if let source = v.baseAddress, !v.isEmpty { (b.baseAddress! + written).update(from: source, count: v.count) }
                            written += v.count
                        }
                    } else {
                        if written != start, end > start {
                            UnsafeMutableRawPointer(b.baseAddress! + written).copyMemory(from: b.baseAddress! + start, byteCount: end - start)
                        }
                        written += end - start
                    }
                    start = end
                    o[i + 1] = written
                }
            }
        }
        bytes.removeLast(bytes.count - written)
    }

    /// Appends values one after another.
    struct Builder {
        private var bytes: [UInt8] = []
        private var offsets: [Int] = [0]

        init(capacity: Int = 0, byteCapacity: Int = 0) {
            bytes.reserveCapacity(byteCapacity)
            offsets.reserveCapacity(capacity + 1)
        }

        var count: Int { offsets.count - 1 }

        mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
            bytes.append(contentsOf: value)
            offsets.append(bytes.count)
        }

        mutating func append(_ value: String) {
            bytes.append(contentsOf: value.utf8)
            offsets.append(bytes.count)
        }

        /// A null or empty cell.
        mutating func appendEmpty() { offsets.append(bytes.count) }

        /// Appends another builder's values after this one's.
        mutating func append(contentsOf other: Builder) {
            let base = bytes.count
            bytes.append(contentsOf: other.bytes)
            offsets.reserveCapacity(offsets.count + other.count)
            for i in 1..<other.offsets.count { offsets.append(base + other.offsets[i]) }
        }

        func finish() -> TextStorage { TextStorage(bytes: bytes, offsets: offsets) }
    }
}
