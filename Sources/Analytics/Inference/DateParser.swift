/// Dates and times as people write them. Ambiguous `03/04/2024` keeps both readings until the
/// whole column has been seen, so day-first or month-first is decided by the data.
///
/// Parses straight from the cell's bytes without allocating: it runs on every cell of every
/// column that might be temporal.
enum DateParser {
    struct Parsed: Equatable {
        var year: Int
        /// For `a/b/yyyy` forms the two leading numbers in written order; for unambiguous forms month and day.
        var first: Int
        var second: Int
        var ambiguous: Bool
        var seconds: Int?
    }

    /// The first three letters of each month, lowercase, as one 24-bit key each.
    static let monthKeys: [UInt32] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { name in
        name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The date (and time) `cell` spells, or nil. A date never reads as a number, with a decimal
    /// point or comma (it has the same separator twice, a middle part of at most two digits, or a
    /// leading month name), nor as a boolean (it has six bytes or more): the scan of a column
    /// expected to hold dates relies on it, and the tests hold the parsers to it.
    static func parse(_ cell: UnsafeBufferPointer<UInt8>) -> Parsed? {
        let n = cell.count
        guard n >= 6, n <= 40 else { return nil }
        var i = 0
        if isDigit(cell[0]) {
            let (a, aDigits) = number(cell, at: &i, maxDigits: 4)
            guard aDigits > 0, i < n else { return nil }
            let separator = cell[i]
            guard separator == 0x2D || separator == 0x2F || separator == 0x2E else { return nil }
            i += 1
            let (b, bDigits) = number(cell, at: &i, maxDigits: 2)
            guard bDigits > 0, i < n, cell[i] == separator else { return nil }
            i += 1
            let (c, cDigits) = number(cell, at: &i, maxDigits: 4)
            guard cDigits > 0 else { return nil }
            var parsed: Parsed
            if aDigits == 4 {
                guard CivilDate.isValid(year: a, month: b, day: c) else { return nil }
                parsed = Parsed(year: a, first: b, second: c, ambiguous: false)
            } else if cDigits == 4 && aDigits <= 2 {
                guard CivilDate.isValid(year: c, month: a, day: b) || CivilDate.isValid(year: c, month: b, day: a) else { return nil }
                parsed = Parsed(year: c, first: a, second: b, ambiguous: true)
                if separator == 0x2E { parsed = Parsed(year: c, first: b, second: a, ambiguous: false) }
            } else {
                return nil
            }
            return time(cell, from: i, date: parsed)
        }
        // Word dates start with a month name (after any separators): other first letters, as in
        // most words, rule the cell out before it is split into words.
        switch cell[0] | 0x20 {
        case 0x61, 0x64, 0x66, 0x6A, 0x6D, 0x6E, 0x6F, 0x73, 0x20, 0x2C, 0x2D:  // a d f j m n o s, space , -
            return startsWithMonthName(cell) ? wordDate(cell) : nil
        default: return nil
        }
    }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Up to `maxDigits` digits from `i` (moved past them). A static function with the position
    /// passed in, not a nested one capturing it: a captured variable is boxed and every access to
    /// it checked at run time, which cost more than the parsing.
    @inline(__always)
    private static func number(_ cell: UnsafeBufferPointer<UInt8>, at i: inout Int, maxDigits: Int) -> (value: Int, digits: Int) {
        var value = 0, digits = 0
        while i < cell.count, digits < maxDigits, isDigit(cell[i]) {
            value = value * 10 + Int(cell[i] - 0x30)
            digits += 1
            i += 1
        }
        return (value, digits)
    }

    /// Two digits at `i` (moved past them), or nil.
    @inline(__always)
    private static func two(_ bytes: UnsafeBufferPointer<UInt8>, at i: inout Int) -> Int? {
        guard i + 1 < bytes.count, isDigit(bytes[i]), isDigit(bytes[i + 1]) else { return nil }
        defer { i += 2 }
        return Int(bytes[i] - 0x30) * 10 + Int(bytes[i + 1] - 0x30)
    }

    /// Whether the first three bytes after any leading separators spell a month (any case):
    /// `wordDate` reads nothing else. Words such as `South` or `Delivered` are ruled out here
    /// before the cell is split into words. A separator among the three bytes matches no month,
    /// just as a first word shorter than three letters does in `wordDate`.
    @inline(__always)
    static func startsWithMonthName(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < cell.count && (cell[i] == 0x20 || cell[i] == 0x2C || cell[i] == 0x2D) { i += 1 }
        guard i + 3 <= cell.count else { return false }
        return monthIndex(cell, i..<(i + 3)) != nil
    }

    /// `Apr 05, 2023`, `Jan 1 2000`: three words split by spaces, commas or dashes.
    static func wordDate(_ cell: UnsafeBufferPointer<UInt8>) -> Parsed? {
        let n = cell.count
        var words: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
        var count = 0
        var i = 0
        while i < n {
            while i < n && (cell[i] == 0x20 || cell[i] == 0x2C || cell[i] == 0x2D) { i += 1 }
            guard i < n else { break }
            let start = i
            while i < n && !(cell[i] == 0x20 || cell[i] == 0x2C || cell[i] == 0x2D) { i += 1 }
            switch count {
            case 0: words.0 = start..<i
            case 1: words.1 = start..<i
            case 2: words.2 = start..<i
            default: return nil
            }
            count += 1
            // The month comes first: give up at once on any other first word.
            if count == 1 && monthIndex(cell, words.0) == nil { return nil }
        }
        guard count == 3, let month = monthIndex(cell, words.0),
              let day = integer(cell, words.1), words.2.count == 4, let year = integer(cell, words.2),
              CivilDate.isValid(year: year, month: month + 1, day: day) else { return nil }
        return Parsed(year: year, first: month + 1, second: day, ambiguous: false)
    }

    /// The month whose name the word starts with (at least three letters, any case).
    private static func monthIndex(_ cell: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Int? {
        guard word.count >= 3 else { return nil }
        var key: UInt32 = 0
        for k in word.lowerBound..<(word.lowerBound + 3) {
            var b = cell[k]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            key = key << 8 | UInt32(b)
        }
        return monthKeys.firstIndex(of: key)
    }

    /// A whole number written with ASCII digits (an optional leading `+`), as `Int(_:)` reads it.
    private static func integer(_ cell: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Int? {
        var k = word.lowerBound
        if k < word.upperBound && cell[k] == 0x2B { k += 1 }
        guard k < word.upperBound, word.upperBound - k <= 18 else { return nil }
        var value = 0
        while k < word.upperBound {
            let b = cell[k]
            guard b >= 0x30 && b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
            k += 1
        }
        return value
    }

    /// An optional `T` or space and `HH:MM[:SS[.fff]]` with an optional `Z` or offset.
    private static func time(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, date: Parsed) -> Parsed? {
        var date = date
        let n = bytes.count
        guard start < n else { return date }
        guard bytes[start] == 0x54 || bytes[start] == 0x20 else { return nil }
        var i = start + 1
        guard let hour = two(bytes, at: &i), hour < 24, i < n, bytes[i] == 0x3A else { return nil }
        i += 1
        guard let minute = two(bytes, at: &i), minute < 60 else { return nil }
        var second = 0
        if i < n && bytes[i] == 0x3A {
            i += 1
            guard let s = two(bytes, at: &i), s < 61 else { return nil }
            second = s
            if i < n && bytes[i] == 0x2E { i += 1; while i < n && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 } }
        }
        var offset = 0
        if i < n && bytes[i] == 0x5A { i += 1 }
        else if i < n && (bytes[i] == 0x2B || bytes[i] == 0x2D) {
            let sign = bytes[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = two(bytes, at: &i) else { return nil }
            if i < n && bytes[i] == 0x3A { i += 1 }
            let om = two(bytes, at: &i) ?? 0
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == n else { return nil }
        date.seconds = hour * 3600 + minute * 60 + second - offset
        return date
    }
}
