import Foundation

/// Reads the data records of a file into `ColumnScan`s, splitting the bytes into parts that are
/// read on all cores at once.
///
/// Parts start after a line end outside quotes (found by quote parity from the first data byte).
/// Parity can be fooled by lenient quoting (a `"` inside an unquoted field), so every part but the
/// first is checked against where the part before it really ended, and read again from there if
/// the guess was wrong: the result, errors included, is always that of one sequential read.
///
/// `@unchecked Sendable`: the buffer is only read, and outlives every scan.
struct ChunkScanner: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    let options: CSVReadOptions
    let width: Int
    /// What to keep per column; nil skips the column.
    let kept: [KeptValues?]
    let evaluates: Bool
    /// Average bytes per record, to size the arrays of each part once.
    let bytesPerRecord: Double
    /// Average bytes per value of each text column (from the first rows), to size its byte
    /// buffer once: a buffer that has to grow copies what it holds into fresh memory, and on
    /// this path fresh memory (page faults, zeroing) costs more than the copying itself.
    var textBytesPerValue: [Double]? = nil
    /// Drops the pages a part has read, as it goes (see `PageReleaser`).
    var releaser: PageReleaser = .off
    /// At most this many parts (1 for a sequential read).
    var maxParts = Int.max

    /// One part's records.
    struct Part: Sendable {
        var scans: [ColumnScan]
        var records = 0
        var ragged = 0
        /// Position and line just after the last record (or the part's start).
        var lastRecordEnd: Int
        var lastRecordEndLine: Int
        /// Position and line after the blank lines that follow.
        var end: Int
        var endLine: Int
        var sawLF = false, sawCRLF = false, sawCR = false

        mutating func shiftLines(by delta: Int) {
            for c in scans.indices { scans[c].shiftLines(by: delta) }
        }
    }

    /// Reads the records that start in `from..<boundary` (the last one whole), starting on `line`.
    /// The arrays are sized for the records up to `sizedTo` (by default `boundary`): the first
    /// part of a parallel read is sized for the whole file, so the later parts are appended to it
    /// where it lies (`merge`) instead of everything being copied into new arrays. Room reserved
    /// and never written costs address space only, no memory.
    func scanPart(from: Int, to boundary: Int, line: Int, maxRecords: Int = .max, sizedTo: Int? = nil) throws(CSVError) -> Part {
        let capacity = min(Int(Double(max(0, max(boundary, sizedTo ?? 0) - from)) / max(bytesPerRecord, 1) * 1.05) + 16, maxRecords)
        var scans = kept.enumerated().map { c, kept in
            ColumnScan(kept: kept ?? .text, evaluates: evaluates, capacity: kept == nil ? 0 : capacity,
                       bytesPerValue: textBytesPerValue.map { $0[c] * 1.05 + 1 } ?? 16)
        }
        let active = kept.indices.filter { kept[$0] != nil }
        var tokenizer = CSVTokenizer(bytes: bytes, delimiter: delimiter, maxFieldBytes: options.maxFieldBytes,
                                     maxColumns: options.maxColumns, position: from, line: line)
        let scratch = ScratchBuffer()
        var fields = FieldList(capacity: width + 1)
        defer { fields.deallocate() }
        var part = Part(scans: [], lastRecordEnd: from, lastRecordEndLine: line, end: from, endLine: line)
        tokenizer.skipBlankLines()
        var released = from
        // Kept values go through batch slots, appended a batch at a time (see `ColumnScan.commit`);
        // wide files get shorter batches so the slots stay small.
        let batchRows = max(1, min(256, 65_536 / max(1, active.count)))
        let batchList = kept.map { ColumnScan.CellBatch(kept: $0 ?? .text, capacity: $0 == nil ? 1 : batchRows) }
        defer { for batch in batchList { batch.deallocate() } }
        try scans.withUnsafeMutableBufferPointer { (columns) throws(CSVError) in
            try batchList.withUnsafeBufferPointer { (batches) throws(CSVError) in
                // Rows in the batch slots. A local of this closure, not captured by a nested
                // function: a captured variable is boxed and every access to it checked at run time.
                var filled = 0
                @inline(__always) func commit(_ filled: inout Int) {
                    for c in active { columns[c].commit(filled, from: batches[c]) }
                    filled = 0
                }
                while tokenizer.position < boundary && part.records < maxRecords {
                    guard try tokenizer.nextRecord(into: &fields) else { break }
                    part.records += 1
                    if fields.count != width { part.ragged += 1 }
                    let recordLine = tokenizer.recordLine
                    for c in active {
                        if c < fields.count {
                            columns[c].add(CSVTokenizer.value(fields[c], in: bytes, scratch: scratch), line: recordLine, at: filled, in: batches[c])
                        } else {
                            columns[c].addNull(at: filled, in: batches[c])
                        }
                    }
                    filled += 1
                    if filled == batchRows { commit(&filled) }
                    part.lastRecordEnd = tokenizer.position
                    part.lastRecordEndLine = tokenizer.line
                    tokenizer.skipBlankLines()
                    // Every value of the records read so far has been copied out: their pages can go.
                    if releaser.enabled && tokenizer.position - released >= PageReleaser.step {
                        releaser.release(bytes, released..<tokenizer.position)
                        released = tokenizer.position
                    }
                }
                commit(&filled)
            }
        }
        part.scans = scans
        part.end = tokenizer.position
        part.endLine = tokenizer.line
        part.sawLF = tokenizer.sawLF
        part.sawCRLF = tokenizer.sawCRLF
        part.sawCR = tokenizer.sawCR
        return part
    }

    /// All records from `start` (on `line`) to the end, as consecutive parts.
    func scanAll(from start: Int, line: Int) throws(CSVError) -> [Part] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let count = bytes.count - start > 1 << 20 && cores > 1 ? min(cores, maxParts) : 1
        let bounds = boundaries(from: start, parts: count)
        let results = Parallel.map(Array(0..<count)) { k -> Result<Part, CSVError> in
            Result { () throws(CSVError) -> Part in
                try scanPart(from: bounds[k], to: bounds[k + 1], line: k == 0 ? line : 1, sizedTo: k == 0 && count > 1 ? bytes.count : nil)
            }
        }
        var parts: [Part] = [try results[0].get()]
        for k in 1..<count {
            let before = parts[k - 1]
            let guess = bounds[k]
            if before.lastRecordEnd <= guess && guess <= before.end {
                // The guess was a true record start: the part read what a sequential read would have.
                let shift = before.lastRecordEndLine + lineEnds(before.lastRecordEnd..<guess) - 1
                switch results[k] {
                case .success(var part):
                    part.shiftLines(by: shift)
                    parts.append(part)
                case .failure(let error):
                    throw error.shiftingLines(by: shift)
                }
            } else {
                parts.append(try scanPart(from: before.end, to: max(before.end, bounds[k + 1]), line: before.endLine))
            }
        }
        return parts
    }

    /// `parts + 1` ascending positions from `start` to the end, each after a line end outside quotes.
    func boundaries(from start: Int, parts: Int) -> [Int] {
        var result = [start]
        var position = start
        var inQuotes = false
        for k in 1..<parts {
            let target = start + (bytes.count - start) * k / parts
            if target > position {
                // Quote parity up to the target, counted in slices on all cores.
                let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, (target - position) >> 20))
                let from = position
                let odd = Parallel.map(Array(0..<slices)) { s in
                    let range = (from + (target - from) * s / slices)..<(from + (target - from) * (s + 1) / slices)
                    var count = 0
                    var at = range.lowerBound
                    while at < range.upperBound {
                        let stop = min(range.upperBound, at + PageReleaser.step)
                        count += quoteCount(at..<stop)
                        releaser.release(bytes, at..<stop)
                        at = stop
                    }
                    return count & 1 == 1
                }
                for slice in odd where slice { inQuotes.toggle() }
                position = target
            }
            while position < bytes.count {
                let b = bytes[position]
                position += 1
                if b == CSVTokenizer.quote { inQuotes.toggle() } else if !inQuotes && (b == 0x0A || b == 0x0D) {
                    if b == 0x0D && position < bytes.count && bytes[position] == 0x0A { position += 1 }
                    break
                }
            }
            result.append(position)
        }
        result.append(bytes.count)
        return result
    }

    /// Quote bytes in `range`, eight bytes at a time.
    func quoteCount(_ range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var count = 0
        var i = range.lowerBound
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        while i + 8 <= range.upperBound {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x2222_2222_2222_2222
            // High bit set exactly in the bytes that were quotes (now zero).
            let zero = ~(((x & low) &+ low) | x | low)
            count += CSVTokenizer.markedByteCount(zero)
            i += 8
        }
        while i < range.upperBound { if bytes[i] == CSVTokenizer.quote { count += 1 }; i += 1 }
        return count
    }

    /// Line ends in `range` (CRLF counts once).
    func lineEnds(_ range: Range<Int>) -> Int {
        var lines = 0
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == 0x0A { lines += 1 } else if bytes[i] == 0x0D && !(i + 1 < bytes.count && bytes[i + 1] == 0x0A) { lines += 1 }
            i += 1
        }
        return lines
    }

    /// Column `c` of all parts as one scan, taken out of `parts` to free memory as it goes.
    static func merge(_ parts: inout [Part], column c: Int) -> ColumnScan {
        var scans = take(&parts, column: c)
        return merge(&scans)
    }

    /// Column `c` of every part, in file order, taken out of `parts` (left with empty scans).
    static func take(_ parts: inout [Part], column c: Int) -> [ColumnScan] {
        let placeholder = ColumnScan(kept: .text, evaluates: false, capacity: 0)
        var scans: [ColumnScan] = []
        for k in parts.indices {
            scans.append(parts[k].scans[c])
            parts[k].scans[c] = placeholder
        }
        return scans
    }

    /// The scans of one column's consecutive parts as one scan, taken out of `scans` to free
    /// memory as it goes. The first part's arrays were sized for the whole file (see `scanPart`),
    /// so the later parts are appended in place.
    static func merge(_ scans: inout [ColumnScan]) -> ColumnScan {
        let placeholder = ColumnScan(kept: .text, evaluates: false, capacity: 0)
        var merged = scans[0]
        scans[0] = placeholder
        merged.reserve(rows: scans.reduce(0) { $0 + $1.rows } + merged.rows)
        for k in 1..<scans.count {
            let later = scans[k]
            scans[k] = placeholder
            merged.append(later)
        }
        return merged
    }
}

extension CSVError {
    /// The same error with its line moved by `delta` (for parts read as if they started on line 1).
    func shiftingLines(by delta: Int) -> CSVError {
        switch self {
        case .unterminatedQuote(let line, let column): .unterminatedQuote(line: line + delta, column: column)
        case .fieldTooLarge(let line, let column, let limit): .fieldTooLarge(line: line + delta, column: column, limit: limit)
        case .tooManyColumns(let line, let count, let limit): .tooManyColumns(line: line + delta, count: count, limit: limit)
        default: self
        }
    }
}
