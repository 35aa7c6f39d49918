/// Decides each column's type from all of its cells and builds the typed column.
///
/// A column is numeric, boolean or temporal when at least 95% of its non-null cells read that way;
/// the rest become nulls and are reported, so a `T` (trace) among rainfall numbers does not turn the
/// whole column into text. Strings with few distinct values become dictionary-encoded categories.
struct ColumnInferrer {
    let bytes: UnsafeBufferPointer<UInt8>
    static let strayTolerance = 0.05

    struct Outcome {
        var column: Column
        var strayCells: [(row: Int, value: String)]
        var strayCount: Int
    }

    /// One cell's bytes, without copying: a view into the file, or into `extra` for quoted cells
    /// whose doubled quotes had to be undone.
    typealias Cell = Slice<UnsafeBufferPointer<UInt8>>

    func infer(name: String, cells: [UInt64?]) -> Outcome {
        var extra: [UInt8] = []
        var quotedSpans: [Int: Range<Int>] = [:]
        for (row, ref) in cells.enumerated() {
            guard let ref, CSVTokenizer.isQuoted(ref) else { continue }
            let start = extra.count
            extra.append(contentsOf: CSVTokenizer.value(ref, in: bytes))
            quotedSpans[row] = start..<extra.count
        }
        return extra.withUnsafeBufferPointer { extraBuffer in
            let values: [Cell?] = cells.enumerated().map { row, ref in
                guard let ref else { return nil }
                let cell: Cell
                if let span = quotedSpans[row] {
                    cell = extraBuffer[span]
                } else {
                    let start = CSVTokenizer.start(ref)
                    cell = bytes[start..<(start + CSVTokenizer.length(ref))]
                }
                let trimmed = CellParser.trimmed(cell)
                return CellParser.isNull(trimmed) ? nil : trimmed
            }
            return infer(name: name, cells: cells, values: values)
        }
    }

    private func infer(name: String, cells: [UInt64?], values: [Cell?]) -> Outcome {
        let present = values.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        var validity = ValidityBitmap(count: cells.count)
        for (row, value) in values.enumerated() where value == nil { validity[row] = false }
        guard present > 0 else {
            return Outcome(column: Column(name: name, type: .text, storage: .text(TextStorage([String](repeating: "", count: cells.count))),
                                          validity: validity), strayCells: [], strayCount: 0)
        }
        let allowedStrays = Int(Double(present) * Self.strayTolerance)
        if let outcome = booleanColumn(name, values, validity, present) { return outcome }
        if let outcome = numericColumn(name, values, validity, present, allowedStrays) { return outcome }
        if let outcome = temporalColumn(name, values, validity, present, allowedStrays) { return outcome }
        return stringColumn(name, cells, validity, present)
    }

    private func booleanColumn(_ name: String, _ values: [Cell?], _ validity: ValidityBitmap, _ present: Int) -> Outcome? {
        var result = [Bool](repeating: false, count: values.count)
        var words = 0
        for (row, value) in values.enumerated() {
            guard let value else { continue }
            switch CellParser.boolean(value) {
            case .word(let truth)?: result[row] = truth; words += 1
            case .digit(let truth)?: result[row] = truth
            case nil: return nil
            }
        }
        // A column of only 0 and 1 stays numeric: it is more often a count or a flag code than a yes/no.
        guard words > 0 else { return nil }
        return Outcome(column: Column(name: name, type: .boolean, storage: .boolean(result), validity: validity), strayCells: [], strayCount: 0)
    }

    private func numericColumn(_ name: String, _ values: [Cell?], _ validity: ValidityBitmap, _ present: Int,
                               _ allowedStrays: Int) -> Outcome? {
        for decimalComma in [false, true] {
            var doubles = [Double](repeating: 0, count: values.count)
            var integral = true
            var strays: [(Int, String)] = []
            var strayCount = 0
            var strayTokens: Set<[UInt8]> = []
            var validity = validity
            for (row, value) in values.enumerated() {
                guard let value else { continue }
                if let number = CellParser.number(value, decimalComma: decimalComma) {
                    doubles[row] = number.value
                    if !number.isInteger { integral = false }
                } else {
                    strayCount += 1
                    if strayTokens.count <= 3 { strayTokens.insert(Array(value)) }
                    if strayCount > allowedStrays && !Self.isCodedPlaceholder(strayTokens, strayCount, present) { break }
                    if strays.count < 5 { strays.append((row, String(decoding: value, as: UTF8.self))) }
                    validity[row] = false
                }
            }
            let tolerated = strayCount <= allowedStrays || Self.isCodedPlaceholder(strayTokens, strayCount, present)
            guard tolerated, strayCount < present else { continue }
            let storage: ColumnStorage = integral ? .integer(doubles.map { Int64($0) }) : .float(doubles)
            return Outcome(column: Column(name: name, type: integral ? .integer : .float, storage: storage, validity: validity),
                           strayCells: strays, strayCount: strayCount)
        }
        return nil
    }

    /// A few short tokens repeated among numbers (`T` for a trace of rain, `x` for suppressed) are
    /// codes for "no number here", not a sign that the column is text.
    static func isCodedPlaceholder(_ tokens: Set<[UInt8]>, _ strays: Int, _ present: Int) -> Bool {
        tokens.count <= 3 && tokens.allSatisfy { $0.count <= 4 } && strays * 4 <= present
    }

    private func temporalColumn(_ name: String, _ values: [Cell?], _ validity: ValidityBitmap, _ present: Int,
                                _ allowedStrays: Int) -> Outcome? {
        var parsed = [DateParser.Parsed?](repeating: nil, count: values.count)
        var strays: [(Int, String)] = []
        var strayCount = 0
        var dayFirst = false, monthFirst = false, hasTime = false
        var validity = validity
        for (row, value) in values.enumerated() {
            guard let value else { continue }
            if let date = DateParser.parse(value) {
                parsed[row] = date
                if date.ambiguous {
                    if date.first > 12 { dayFirst = true }
                    if date.second > 12 { monthFirst = true }
                }
                if date.seconds != nil { hasTime = true }
            } else {
                strayCount += 1
                if strayCount > allowedStrays { return nil }
                if strays.count < 5 { strays.append((row, String(decoding: value, as: UTF8.self))) }
                validity[row] = false
            }
        }
        guard strayCount < present else { return nil }
        // Month-first unless some date only makes sense day-first (the US convention is the common default).
        let readDayFirst = dayFirst && !monthFirst
        var days = [Int64](repeating: 0, count: values.count)
        for (row, date) in parsed.enumerated() {
            guard let date else { continue }
            let (month, day) = date.ambiguous && readDayFirst ? (date.second, date.first) : (date.first, date.second)
            guard CivilDate.isValid(year: date.year, month: month, day: day) else {
                validity[row] = false
                strayCount += 1
                continue
            }
            days[row] = Int64(CivilDate(year: date.year, month: month, day: day).days)
            if hasTime { days[row] = days[row] * 86_400 + Int64(date.seconds ?? 0) }
        }
        guard strayCount <= allowedStrays else { return nil }
        let column = hasTime
            ? Column(name: name, type: .datetime, storage: .datetime(days), validity: validity)
            : Column(name: name, type: .date, storage: .date(days.map { Int32(truncatingIfNeeded: $0) }), validity: validity)
        return Outcome(column: column, strayCells: strays, strayCount: strayCount)
    }

    /// Few distinct short values: a category; otherwise free text. Values keep their spelling:
    /// normalising case and spaces is cleaning's job, and it reports what it changed.
    private func stringColumn(_ name: String, _ cells: [UInt64?], _ validity: ValidityBitmap, _ present: Int) -> Outcome {
        var dictionary: [String] = []
        var codesByValue: [String: UInt32] = [:]
        var codes = [UInt32](repeating: 0, count: cells.count)
        var strings = [String](repeating: "", count: cells.count)
        var totalLength = 0
        var spaces = 0
        // A category repeats: on average every value appears ten times, and there are at most 500.
        let categoryLimit = min(500, max(20, present / 10))
        var isCategory = true
        for (row, ref) in cells.enumerated() where validity[row] {
            guard let ref else { continue }
            let text = String(decoding: CSVTokenizer.value(ref, in: bytes), as: UTF8.self)
            strings[row] = text
            totalLength += text.utf8.count
            spaces += text.utf8.reduce(0) { $0 + ($1 == 0x20 ? 1 : 0) }
            guard isCategory else { continue }
            if let code = codesByValue[text] {
                codes[row] = code
            } else {
                if dictionary.count >= categoryLimit { isCategory = false; continue }
                let code = UInt32(dictionary.count)
                codesByValue[text] = code
                dictionary.append(text)
                codes[row] = code
            }
        }
        // Sentences (several words on average) are free text even when they repeat.
        if isCategory && totalLength / present <= 60 && spaces < present * 3 && dictionary.count < present {
            return Outcome(column: Column(name: name, type: .category, storage: .category(codes: codes, dictionary: dictionary), validity: validity),
                           strayCells: [], strayCount: 0)
        }
        return Outcome(column: Column(name: name, type: .text, storage: .text(TextStorage(strings)), validity: validity), strayCells: [], strayCount: 0)
    }
}
