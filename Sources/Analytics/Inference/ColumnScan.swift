/// What a column scan keeps of every cell, besides the statistics that decide the column's type.
enum KeptValues: Equatable, Sendable {
    case boolean
    case number(decimalComma: Bool)
    case temporal
    case category
    case text
}

/// One column of one part of a file, read cell by cell: the evidence for every candidate type
/// (so the type is decided over all rows) and the values of one expected type (guessed from the
/// first rows), so a well-guessed column is typed in the same pass with no per-cell allocation.
///
/// Scans of consecutive parts merge into the scan of the whole (`append`), in file order.
struct ColumnScan: Sendable {
    let kept: KeptValues
    /// Whether to gather the evidence for every type, or only keep values (a second pass).
    let evaluates: Bool
    /// Whether decimal-comma evidence is gathered: not for columns expected to read with a decimal
    /// point, where it would double the parsing and only matters if the point reading fails.
    let evaluatesComma: Bool

    var rows = 0
    var present = 0

    // Evidence per candidate type.
    var booleanPossible = true
    var booleanWords = 0
    var pointNumbers = NumberEvidence()
    var commaNumbers = NumberEvidence()
    var dates = DateEvidence()
    /// For string columns: total UTF-8 length and spaces of the present values.
    var totalLength = 0
    var spaces = 0

    // Kept values (one of these grows); `validity` is false for nulls and cells the kept type cannot read.
    var validity: [Bool] = []
    var booleans: [Bool] = []
    var doubles: [Double] = []
    var packedDates: [UInt64] = []
    var codes: [UInt32] = []
    var dictionary = ByteDictionary()
    /// More distinct values than any category may have were met (codes stop being kept).
    var tooManyDistinct = false
    var text = TextStorage.Builder()

    static let maxCategories = 500

    struct NumberEvidence: Sendable {
        var strays = StrayLog(tracksTokens: true)
        var integral = true

        @inline(__always)
        mutating func note(_ number: CellParser.Number?, _ cell: UnsafeBufferPointer<UInt8>, line: Int) {
            if let number { if !number.isInteger { integral = false } } else { strays.add(cell, line: line) }
        }
    }

    struct DateEvidence: Sendable {
        var strays = StrayLog(tracksTokens: false)
        var dayFirst = false, monthFirst = false, hasTime = false
        /// Parsed dates that are no calendar day when ambiguous ones are read month-first / day-first.
        var invalidMonthFirst = 0, invalidDayFirst = 0
    }

    /// Room for `capacity` cells; a text column also for `bytesPerValue` bytes per cell.
    init(kept: KeptValues, evaluates: Bool, capacity: Int, bytesPerValue: Double = 16) {
        self.kept = kept
        self.evaluates = evaluates
        evaluatesComma = evaluates && kept != .number(decimalComma: false)
        validity.reserveCapacity(capacity)
        switch kept {
        case .boolean: booleans.reserveCapacity(capacity)
        case .number: doubles.reserveCapacity(capacity)
        case .temporal: packedDates.reserveCapacity(capacity)
        case .category: codes.reserveCapacity(capacity)
        case .text: text = TextStorage.Builder(capacity: capacity, byteCapacity: Int(Double(capacity) * bytesPerValue))
        }
    }

    /// A missing cell (a short row) or one that reads as null, kept in slot `k` of `batch`.
    @inline(__always)
    mutating func addNull(at k: Int, in batch: CellBatch) {
        rows += 1
        batch.validity[k] = false
        switch kept {
        case .boolean: batch.booleans[k] = false
        case .number: batch.doubles[k] = 0
        case .temporal: batch.words[k] = 0
        case .category: batch.codes[k] = 0
        case .text: text.appendEmpty()
        }
    }

    /// One cell's value (quotes undone, not trimmed), from the record starting at `line`, kept in
    /// slot `k` of `batch` until `commit` appends the batch.
    @inline(__always)
    mutating func add(_ raw: UnsafeBufferPointer<UInt8>, line: Int, at k: Int, in batch: CellBatch) {
        let cell = CellParser.trimmed(raw)
        if CellParser.isNull(cell) { addNull(at: k, in: batch); return }
        rows += 1
        present += 1
        var truth: CellParser.Truth?
        var point: CellParser.Number?, comma: CellParser.Number?
        var date: DateParser.Parsed?
        if evaluates {
            if booleanPossible {
                truth = CellParser.boolean(cell)
                switch truth {
                case .word?: booleanWords += 1
                case .digit?: break
                case nil: booleanPossible = false
                }
            }
            // In a column expected to hold dates the date parser goes first: a cell that reads as
            // a date is never a number in either reading (see `DateParser.parse`), so both
            // number parsers are skipped and the cell counted as a number stray, as it would be.
            let expectedDate = kept == .temporal ? DateParser.parse(cell) : nil
            if expectedDate != nil {
                date = expectedDate
                pointNumbers.strays.add(cell, line: line)
                if evaluatesComma { commaNumbers.strays.add(cell, line: line) }
            } else {
                point = CellParser.number(cell, decimalComma: false)
                pointNumbers.note(point, cell, line: line)
                if evaluatesComma {
                    // A cell whose first byte starts no number (most words) reads as none with a decimal comma either.
                    if point == nil && !CellParser.canStartNumber(cell[0]) {
                        comma = nil
                    } else {
                        comma = CellParser.hasSeparator(cell) ? CellParser.number(cell, decimalComma: true) : point
                    }
                    commaNumbers.note(comma, cell, line: line)
                }
                // A cell that reads as a decimal-point number is never a date (numbers have no `/`,
                // no inner `-` and at most one `.`; dates need the same separator twice or a month
                // name): the date parser is skipped and the cell counted as a date stray, as it would
                // be. In a column expected to hold dates the parser has already said no.
                date = point == nil && kept != .temporal ? DateParser.parse(cell) : nil
            }
            if let date {
                if date.ambiguous {
                    if date.first > 12 { dates.dayFirst = true }
                    if date.second > 12 { dates.monthFirst = true }
                }
                if date.seconds != nil { dates.hasTime = true }
                let validMonthFirst = CivilDate.isValid(year: date.year, month: date.first, day: date.second)
                let validDayFirst = date.ambiguous ? CivilDate.isValid(year: date.year, month: date.second, day: date.first) : validMonthFirst
                if !validMonthFirst { dates.invalidMonthFirst += 1 }
                if !validDayFirst { dates.invalidDayFirst += 1 }
            } else {
                dates.strays.add(cell, line: line)
            }
        }
        switch kept {
        case .boolean:
            if !evaluates { truth = CellParser.boolean(cell) }
            switch truth {
            case .word(let t)?, .digit(let t)?: batch.booleans[k] = t; batch.validity[k] = true
            case nil: batch.booleans[k] = false; batch.validity[k] = false
            }
        case .number(let decimalComma):
            let number = evaluates ? (decimalComma ? comma : point) : CellParser.number(cell, decimalComma: decimalComma)
            if !evaluates {
                if decimalComma { commaNumbers.note(number, cell, line: line) } else { pointNumbers.note(number, cell, line: line) }
            }
            batch.doubles[k] = number?.value ?? 0
            batch.validity[k] = number != nil
        case .temporal:
            if !evaluates { date = DateParser.parse(cell) }
            batch.words[k] = date.map(Self.pack) ?? 0
            batch.validity[k] = date != nil
        case .category:
            countText(raw)
            batch.validity[k] = true
            if !tooManyDistinct, let code = dictionary.code(of: raw, limit: Self.maxCategories) {
                batch.codes[k] = code
            } else {
                tooManyDistinct = true
                batch.codes[k] = 0
            }
        case .text:
            countText(raw)
            batch.validity[k] = true
            text.append(raw)
            if !tooManyDistinct && dictionary.code(of: raw, limit: Self.maxCategories) == nil { tooManyDistinct = true }
        }
    }

    /// Appends the first `count` slots of `batch` (filled by `add` and `addNull`) to the kept
    /// values: one append per array per batch instead of one per cell, as the arrays would check
    /// their uniqueness and capacity on every append.
    mutating func commit(_ count: Int, from batch: CellBatch) {
        guard count > 0 else { return }
        validity.append(contentsOf: UnsafeBufferPointer(start: batch.validity, count: count))
        switch kept {
        case .boolean: booleans.append(contentsOf: UnsafeBufferPointer(start: batch.booleans, count: count))
        case .number: doubles.append(contentsOf: UnsafeBufferPointer(start: batch.doubles, count: count))
        case .temporal: packedDates.append(contentsOf: UnsafeBufferPointer(start: batch.words, count: count))
        case .category: codes.append(contentsOf: UnsafeBufferPointer(start: batch.codes, count: count))
        case .text: break
        }
    }

    @inline(__always)
    private mutating func countText(_ raw: UnsafeBufferPointer<UInt8>) {
        totalLength += raw.count
        spaces += CellParser.spaceCount(raw)
    }

    /// Slots for one batch of cells of one column, reused batch after batch (one per column of a
    /// part): `ColumnScan.add` writes a cell's kept value to its slot, `commit` appends the batch.
    /// Only the array of the column's kept type has room for the batch. Plain pointers (no class)
    /// so the per-cell code does no reference counting; the owner calls `deallocate`.
    struct CellBatch {
        let validity: UnsafeMutablePointer<Bool>
        let booleans: UnsafeMutablePointer<Bool>
        let doubles: UnsafeMutablePointer<Double>
        let words: UnsafeMutablePointer<UInt64>
        let codes: UnsafeMutablePointer<UInt32>

        init(kept: KeptValues, capacity: Int) {
            func room(_ type: KeptValues) -> Int {
                switch (kept, type) {
                case (.boolean, .boolean), (.number, .number), (.temporal, .temporal), (.category, .category): capacity
                default: 1
                }
            }
            validity = .allocate(capacity: capacity)
            booleans = .allocate(capacity: room(.boolean))
            doubles = .allocate(capacity: room(.number(decimalComma: false)))
            words = .allocate(capacity: room(.temporal))
            codes = .allocate(capacity: room(.category))
        }

        func deallocate() {
            validity.deallocate()
            booleans.deallocate()
            doubles.deallocate()
            words.deallocate()
            codes.deallocate()
        }
    }

    /// Year, the two leading numbers, ambiguity and seconds of day (when written) in one word.
    static func pack(_ d: DateParser.Parsed) -> UInt64 {
        var word = UInt64(d.year & 0xFFFF) | UInt64(d.first & 0xFF) << 16 | UInt64(d.second & 0xFF) << 24
        if d.ambiguous { word |= 1 << 32 }
        if let s = d.seconds { word |= 1 << 33 | UInt64(s + (1 << 28)) << 34 }
        return word
    }

    static func unpack(_ word: UInt64) -> (year: Int, first: Int, second: Int, ambiguous: Bool, seconds: Int?) {
        (Int(word & 0xFFFF), Int((word >> 16) & 0xFF), Int((word >> 24) & 0xFF), word & (1 << 32) != 0,
         word & (1 << 33) != 0 ? Int(word >> 34) - (1 << 28) : nil)
    }

    /// Room for `rows` cells in all, so appending later parts copies each array once.
    mutating func reserve(rows total: Int) {
        validity.reserveCapacity(total)
        switch kept {
        case .boolean: booleans.reserveCapacity(total)
        case .number: doubles.reserveCapacity(total)
        case .temporal: packedDates.reserveCapacity(total)
        case .category: codes.reserveCapacity(total)
        case .text: break
        }
    }

    /// Appends the scan of the part of the file that follows this one. Category codes of the
    /// later part are renumbered into this part's dictionary.
    mutating func append(_ later: consuming ColumnScan) {
        rows += later.rows
        present += later.present
        booleanPossible = booleanPossible && later.booleanPossible
        booleanWords += later.booleanWords
        pointNumbers.strays.append(later.pointNumbers.strays)
        pointNumbers.integral = pointNumbers.integral && later.pointNumbers.integral
        commaNumbers.strays.append(later.commaNumbers.strays)
        commaNumbers.integral = commaNumbers.integral && later.commaNumbers.integral
        dates.strays.append(later.dates.strays)
        dates.dayFirst = dates.dayFirst || later.dates.dayFirst
        dates.monthFirst = dates.monthFirst || later.dates.monthFirst
        dates.hasTime = dates.hasTime || later.dates.hasTime
        dates.invalidMonthFirst += later.dates.invalidMonthFirst
        dates.invalidDayFirst += later.dates.invalidDayFirst
        totalLength += later.totalLength
        spaces += later.spaces
        validity.append(contentsOf: later.validity)
        switch kept {
        case .boolean: booleans.append(contentsOf: later.booleans)
        case .number: doubles.append(contentsOf: later.doubles)
        case .temporal: packedDates.append(contentsOf: later.packedDates)
        case .category, .text:
            var renumber: [UInt32] = []
            if !tooManyDistinct && !later.tooManyDistinct {
                for code in 0..<later.dictionary.count {
                    let mapped = later.dictionary.withEntry(code) { dictionary.code(of: $0, limit: Self.maxCategories) }
                    guard let mapped else { tooManyDistinct = true; break }
                    renumber.append(mapped)
                }
            } else {
                tooManyDistinct = true
            }
            if kept == .text {
                text.append(contentsOf: later.text)
            } else if !tooManyDistinct {
                // Empty cells keep code 0, as `addNull` writes it: the codes are then those of
                // one sequential scan, whatever the parts.
                codes.reserveCapacity(codes.count + later.codes.count)
                for (code, valid) in zip(later.codes, later.validity) { codes.append(valid ? renumber[Int(code)] : 0) }
            }
        }
        later.validity = []
    }

    /// Drops the kept values, keeping the evidence.
    mutating func release() {
        validity = []
        booleans = []
        doubles = []
        packedDates = []
        codes = []
        dictionary = ByteDictionary()
        text = TextStorage.Builder()
    }

    mutating func shiftLines(by delta: Int) {
        pointNumbers.strays.shiftLines(by: delta)
        commaNumbers.strays.shiftLines(by: delta)
        dates.strays.shiftLines(by: delta)
    }
}
