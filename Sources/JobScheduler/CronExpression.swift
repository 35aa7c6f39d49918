/// A standard five-field cron expression: minute hour day-of-month month day-of-week.
///
/// The parsed fields are kept as bit sets so matching a candidate time is a few shifts,
/// which matters when a rare expression (`0 0 29 2 *`) is searched across years.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (fields separated by single spaces), or the macro.
    public let source: String

    let minutes: UInt64
    let hours: UInt32
    let daysOfMonth: UInt32
    let months: UInt16
    let daysOfWeek: UInt8
    /// Fields written with a leading `*` count as unrestricted for the day-of-month /
    /// day-of-week OR rule, as in classic cron (so `*/2` in day-of-week still ANDs).
    let dayOfMonthIsWildcard: Bool
    let dayOfWeekIsWildcard: Bool
    /// An hour field starting with `*` means the job follows the wall clock through DST
    /// changes; a fixed hour means "this time of day", which shifts out of a gap and runs once.
    let hourIsWildcard: Bool

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    public init(_ text: String) throws(ScheduleError) {
        let trimmed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !trimmed.isEmpty else { throw .empty }
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else { throw .unknownMacro(trimmed) }
            expanded = macro
        }
        let fields = expanded.split(separator: " ").map(String.init)
        guard fields.count == 5 else { throw .wrongFieldCount(expression: trimmed, count: fields.count) }

        source = trimmed.hasPrefix("@") ? trimmed.lowercased() : trimmed
        minutes = try CronField.parse(fields[0], index: 1)
        hours = UInt32(try CronField.parse(fields[1], index: 2))
        daysOfMonth = UInt32(try CronField.parse(fields[2], index: 3))
        months = UInt16(try CronField.parse(fields[3], index: 4))
        var weekdays = try CronField.parse(fields[4], index: 5)
        if weekdays & (1 << 7) != 0 { weekdays = (weekdays | 1) & ~(1 << 7) } // 7 is Sunday too
        daysOfWeek = UInt8(weekdays)
        hourIsWildcard = fields[1].hasPrefix("*")
        dayOfMonthIsWildcard = fields[2].hasPrefix("*")
        dayOfWeekIsWildcard = fields[4].hasPrefix("*")
    }

    public var description: String { source }

    func matches(month: Int, day: Int, weekday: Int) -> Bool {
        guard months & (1 << month) != 0 else { return false }
        let dayOfMonthMatches = daysOfMonth & (1 << day) != 0
        let dayOfWeekMatches = daysOfWeek & (1 << weekday) != 0
        if dayOfMonthIsWildcard || dayOfWeekIsWildcard {
            return dayOfMonthMatches && dayOfWeekMatches
        }
        return dayOfMonthMatches || dayOfWeekMatches
    }

    /// Minutes of the day (0-1439) on which the expression fires, ascending.
    var minutesOfDay: [Int] {
        var result: [Int] = []
        for hour in 0..<24 where hours & (1 << hour) != 0 {
            for minute in 0..<60 where minutes & (1 << minute) != 0 {
                result.append(hour * 60 + minute)
            }
        }
        return result
    }
}

/// Parsing of one cron field into a bit set.
enum CronField {
    static let ranges: [ClosedRange<Int>] = [0...59, 0...23, 1...31, 1...12, 0...7]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    static func allowsNames(_ index: Int) -> Bool { index == 4 || index == 5 }

    /// `index` is 1-based so error messages match how people count cron fields.
    static func parse(_ field: String, index: Int) throws(ScheduleError) -> UInt64 {
        let range = ranges[index - 1]
        var bits: UInt64 = 0
        for part in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw .notANumber(field: index, text: field) }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw .invalidStep(field: index, text: part) }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw .invalidStep(field: index, text: part) }
                step = value
            }
            let base = pieces[0]
            let low: Int
            var high: Int
            if base == "*" {
                low = range.lowerBound
                high = range.upperBound
                if index == 5 { high = 6 } // `*` must not add 7 and double-count Sunday
            } else if let dash = base.firstIndex(of: "-") {
                let startText = String(base[..<dash])
                let endText = String(base[base.index(after: dash)...])
                low = try value(startText, index: index, range: range)
                high = try value(endText, index: index, range: range)
                guard low <= high else { throw .backwardsRange(field: index, text: part) }
            } else {
                low = try value(base, index: index, range: range)
                // `10/5` means "from 10 to the end in steps of 5", as in Vixie cron.
                high = pieces.count == 2 ? range.upperBound : low
            }
            var v = low
            while v <= high {
                bits |= 1 << UInt64(v)
                v += step
            }
        }
        return bits
    }

    private static func value(_ text: String, index: Int, range: ClosedRange<Int>) throws(ScheduleError) -> Int {
        let number: Int
        if let parsed = Int(text) {
            number = parsed
        } else if index == 4, let i = monthNames.firstIndex(of: text.uppercased()) {
            number = i + 1
        } else if index == 5, let i = weekdayNames.firstIndex(of: text.uppercased()) {
            number = i
        } else {
            throw .notANumber(field: index, text: text)
        }
        guard range.contains(number) else { throw .outOfRange(field: index, text: text, range: range) }
        return number
    }
}
