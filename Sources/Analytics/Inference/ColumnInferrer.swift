/// Decides each column's type from all of its cells and builds the typed column.
///
/// A column is numeric, boolean or temporal when at least 95% of its non-null cells read that way;
/// the rest become nulls and are reported, so a `T` (trace) among rainfall numbers does not turn the
/// whole column into text. Strings with few distinct values become dictionary-encoded categories.
///
/// The decision uses the evidence a `ColumnScan` gathered over every row; the values come from
/// the scan that kept the decided type (the first pass when the guess was right, else a second).
enum ColumnInferrer {
    static let strayTolerance = 0.05

    enum Decision: Equatable {
        case empty, boolean, number(decimalComma: Bool), temporal, string
    }

    struct Outcome {
        var column: Column
        var strayCells: [(line: Int, value: String)]
        var strayCount: Int
    }

    /// The type all rows support, tried in order: boolean, number (decimal point, then comma), date,
    /// string; nil when that needs decimal-comma evidence the scan did not gather.
    static func decide(_ scan: ColumnScan) -> Decision? {
        let present = scan.present
        guard present > 0 else { return .empty }
        let allowed = Int(Double(present) * strayTolerance)
        // A column of only 0 and 1 stays numeric: it is more often a count or a flag code than a yes/no.
        if scan.booleanPossible && scan.booleanWords > 0 { return .boolean }
        for (decimalComma, evidence) in [(false, scan.pointNumbers), (true, scan.commaNumbers)] {
            if decimalComma && !scan.evaluatesComma { return nil }
            let strays = evidence.strays
            if (strays.count <= allowed || strays.isCodedPlaceholder(present: present)) && strays.count < present {
                return .number(decimalComma: decimalComma)
            }
        }
        let dates = scan.dates
        if dates.strays.count <= allowed && dates.strays.count < present
            && dates.strays.count + invalidDates(dates) <= allowed { return .temporal }
        return .string
    }

    /// Month-first unless some date only makes sense day-first (the US convention is the common default).
    static func readsDayFirst(_ dates: ColumnScan.DateEvidence) -> Bool { dates.dayFirst && !dates.monthFirst }

    static func invalidDates(_ dates: ColumnScan.DateEvidence) -> Int {
        readsDayFirst(dates) ? dates.invalidDayFirst : dates.invalidMonthFirst
    }

    /// Few distinct short values: a category; otherwise free text. Values keep their spelling:
    /// normalising case and spaces is cleaning's job, and it reports what it changed.
    static func isCategory(_ scan: ColumnScan) -> Bool {
        let present = scan.present
        // A category repeats: on average every value appears ten times, and there are at most 500.
        let limit = min(ColumnScan.maxCategories, max(20, present / 10))
        let distinct = scan.dictionary.count
        // Sentences (several words on average) are free text even when they repeat.
        return !scan.tooManyDistinct && distinct <= limit && scan.totalLength / present <= 60
            && scan.spaces < present * 3 && distinct < present
    }

    /// What a scan has to keep for `decision` to be built from it.
    static func kept(for decision: Decision) -> KeptValues {
        switch decision {
        case .boolean: .boolean
        case .number(let decimalComma): .number(decimalComma: decimalComma)
        case .temporal: .temporal
        case .empty, .string: .text
        }
    }

    /// The column, or nil when `values` did not keep what `decision` needs (a second scan must).
    static func build(name: String, decision: Decision, evidence: ColumnScan, values: consuming ColumnScan) -> Outcome? {
        func plain(_ type: ColumnType, _ storage: ColumnStorage, _ validity: ValidityBitmap) -> Outcome {
            Outcome(column: Column(name: name, type: type, storage: storage, validity: validity), strayCells: [], strayCount: 0)
        }
        switch decision {
        case .empty:
            return plain(.text, .text(TextStorage(bytes: [], offsets: [Int](repeating: 0, count: values.rows + 1))),
                         ValidityBitmap(count: values.rows, allValid: false))
        case .boolean:
            guard values.kept == .boolean else { return nil }
            return plain(.boolean, .boolean(values.booleans), ValidityBitmap(values.validity))
        case .number(let decimalComma):
            guard values.kept == .number(decimalComma: decimalComma) else { return nil }
            let numbers = decimalComma ? evidence.commaNumbers : evidence.pointNumbers
            let storage: ColumnStorage = numbers.integral ? .integer(values.doubles.map { Int64($0) }) : .float(values.doubles)
            return Outcome(column: Column(name: name, type: numbers.integral ? .integer : .float, storage: storage,
                                          validity: ValidityBitmap(values.validity)),
                           strayCells: numbers.strays.samples, strayCount: numbers.strays.count)
        case .temporal:
            guard values.kept == .temporal else { return nil }
            let dates = evidence.dates
            let dayFirst = readsDayFirst(dates), hasTime = dates.hasTime
            var validity = values.validity
            var stamps = [Int64](repeating: 0, count: values.rows)
            // Files are often sorted by date: neighbouring rows share the calendar part, whose day
            // number is worked out once (the last one is remembered; the seconds are added per row).
            let calendarBits: UInt64 = (1 << 33) - 1
            var lastCalendar: UInt64 = .max
            var lastDays: Int64? = nil
            for row in 0..<values.rows where validity[row] {
                let word = values.packedDates[row]
                if word & calendarBits != lastCalendar {
                    lastCalendar = word & calendarBits
                    let d = ColumnScan.unpack(word)
                    let (month, day) = d.ambiguous && dayFirst ? (d.second, d.first) : (d.first, d.second)
                    lastDays = CivilDate.isValid(year: d.year, month: month, day: day) ? Int64(CivilDate(year: d.year, month: month, day: day).days) : nil
                }
                guard let days = lastDays else {
                    validity[row] = false
                    continue
                }
                stamps[row] = hasTime ? days * 86_400 + Int64(ColumnScan.unpack(word).seconds ?? 0) : days
            }
            let bitmap = ValidityBitmap(validity)
            let column = hasTime
                ? Column(name: name, type: .datetime, storage: .datetime(stamps), validity: bitmap)
                : Column(name: name, type: .date, storage: .date(stamps.map { Int32(truncatingIfNeeded: $0) }), validity: bitmap)
            return Outcome(column: column, strayCells: dates.strays.samples, strayCount: dates.strays.count + invalidDates(dates))
        case .string:
            guard values.kept == .category || values.kept == .text, !values.tooManyDistinct || values.kept == .text else { return nil }
            let validity = ValidityBitmap(values.validity)
            if isCategory(values) {
                if values.kept == .category { return plain(.category, .category(codes: values.codes, dictionary: values.dictionary.strings), validity) }
                // Kept as text, but few distinct values: encode them now.
                let text = values.text.finish()
                var dictionary = ByteDictionary()
                var codes = [UInt32](repeating: 0, count: values.rows)
                for row in 0..<values.rows where values.validity[row] {
                    codes[row] = text.withValue(row) { dictionary.code(of: $0, limit: .max)! }
                }
                return plain(.category, .category(codes: codes, dictionary: dictionary.strings), validity)
            }
            guard values.kept == .text else { return nil }
            return plain(.text, .text(values.text.finish()), validity)
        }
    }
}

extension ValidityBitmap {
    /// From one flag per row, eight flags at a time: a `Bool` is stored as the byte 0 or 1, so a
    /// multiplication gathers the low bits of eight bytes into one byte (this runs once per column
    /// on the whole file, between the parallel scan and the table).
    init(_ flags: [Bool]) {
        self.init(count: flags.count, allValid: false)
        var valid = 0
        flags.withUnsafeBufferPointer { f in
            guard let start = f.baseAddress else { return }
            let raw = UnsafeRawPointer(start)
            for w in 0..<words.count {
                var word: UInt64 = 0
                let base = w << 6
                let bits = min(64, f.count - base)
                var bit = 0
                #if _endian(little)
                while bit + 8 <= bits {
                    // Byte k of `eight` is flag k (0 or 1); the product's top byte has flag k at bit k.
                    let eight = raw.loadUnaligned(fromByteOffset: base + bit, as: UInt64.self) & 0x0101_0101_0101_0101
                    word |= ((eight &* 0x0102_0408_1020_4080) >> 56) << UInt64(bit)
                    bit += 8
                }
                #endif
                while bit < bits {
                    if f[base + bit] { word |= 1 << UInt64(bit) }
                    bit += 1
                }
                valid += word.nonzeroBitCount
                words[w] = word
            }
        }
        nullCount = flags.count - valid
    }
}
