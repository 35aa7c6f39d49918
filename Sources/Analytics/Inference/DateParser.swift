/// Dates and times as people write them. Ambiguous `03/04/2024` keeps both readings until the
/// whole column has been seen, so day-first or month-first is decided by the data.
enum DateParser {
    struct Parsed {
        var year: Int
        /// For `a/b/yyyy` forms the two leading numbers in written order; for unambiguous forms month and day.
        var first: Int
        var second: Int
        var ambiguous: Bool
        var seconds: Int?
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse<C: RandomAccessCollection<UInt8>>(_ cell: C) -> Parsed? where C.Index == Int {
        guard cell.count >= 6, cell.count <= 40 else { return nil }
        let bytes = Array(cell)
        var i = 0
        func number(maxDigits: Int) -> (Int, Int)? {
            var value = 0, digits = 0
            while i < bytes.count, digits < maxDigits, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                value = value * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            return digits == 0 ? nil : (value, digits)
        }
        if bytes[0] >= 0x30 && bytes[0] <= 0x39 {
            guard let (a, aDigits) = number(maxDigits: 4), i < bytes.count else { return nil }
            let separator = bytes[i]
            guard separator == 0x2D || separator == 0x2F || separator == 0x2E else { return nil }
            i += 1
            guard let (b, _) = number(maxDigits: 2), i < bytes.count, bytes[i] == separator else { return nil }
            i += 1
            guard let (c, cDigits) = number(maxDigits: 4) else { return nil }
            var parsed: Parsed
            if aDigits == 4 {
                guard CivilDate.isValid(year: a, month: b, day: c) else { return nil }
                parsed = Parsed(year: a, first: b, second: c, ambiguous: false)
            } else if cDigits == 4 && aDigits <= 2 {
                guard (CivilDate.isValid(year: c, month: a, day: b) || CivilDate.isValid(year: c, month: b, day: a)) else { return nil }
                parsed = Parsed(year: c, first: a, second: b, ambiguous: true)
                if separator == 0x2E { parsed = Parsed(year: c, first: b, second: a, ambiguous: false) }
            } else {
                return nil
            }
            return time(bytes, from: i, date: parsed)
        }
        // `Apr 05, 2023`, `Jan 1 2000`, `5 January 2021`
        var words: [String] = []
        var current: [UInt8] = []
        for b in bytes {
            if b == 0x20 || b == 0x2C || b == 0x2D {
                if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)); current = [] }
            } else {
                current.append(b)
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        guard words.count == 3 else { return nil }
        guard let month = months.firstIndex(of: String(words[0].lowercased().prefix(3))), words[0].count >= 3,
              let day = Int(words[1]), let year = Int(words[2]), words[2].count == 4,
              CivilDate.isValid(year: year, month: month + 1, day: day) else { return nil }
        return Parsed(year: year, first: month + 1, second: day, ambiguous: false)
    }

    /// An optional `T` or space and `HH:MM[:SS[.fff]]` with an optional `Z` or offset.
    private static func time(_ bytes: [UInt8], from start: Int, date: Parsed) -> Parsed? {
        var date = date
        guard start < bytes.count else { return date }
        guard bytes[start] == 0x54 || bytes[start] == 0x20 else { return nil }
        var i = start + 1
        func two() -> Int? {
            guard i + 1 < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, bytes[i + 1] >= 0x30, bytes[i + 1] <= 0x39 else { return nil }
            defer { i += 2 }
            return Int(bytes[i] - 0x30) * 10 + Int(bytes[i + 1] - 0x30)
        }
        guard let hour = two(), hour < 24, i < bytes.count, bytes[i] == 0x3A else { return nil }
        i += 1
        guard let minute = two(), minute < 60 else { return nil }
        var second = 0
        if i < bytes.count && bytes[i] == 0x3A {
            i += 1
            guard let s = two(), s < 61 else { return nil }
            second = s
            if i < bytes.count && bytes[i] == 0x2E { i += 1; while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 } }
        }
        var offset = 0
        if i < bytes.count && bytes[i] == 0x5A { i += 1 }
        else if i < bytes.count && (bytes[i] == 0x2B || bytes[i] == 0x2D) {
            let sign = bytes[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = two() else { return nil }
            if i < bytes.count && bytes[i] == 0x3A { i += 1 }
            let om = two() ?? 0
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == bytes.count else { return nil }
        date.seconds = hour * 3600 + minute * 60 + second - offset
        return date
    }
}
