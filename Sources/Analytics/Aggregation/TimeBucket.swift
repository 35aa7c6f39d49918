/// Calendar periods for time-series charts, computed on day numbers without `Calendar`.
///
/// Dates are days since 1970-01-01 (UTC); datetimes are floored to their UTC day first. Weeks
/// start on Monday (ISO 8601). Converting civil dates uses the days-from-civil arithmetic on the
/// proleptic Gregorian calendar, so bucketing a million rows is a table lookup per row, not a
/// `DateComponents` allocation.
public enum TimeBucket: String, Sendable, Codable, CaseIterable {
    case day, week, month, quarter, year

    /// The ordinal of the period containing `day` (monotonic in time, comparable within a bucket kind).
    public func ordinal(ofDay day: Int) -> Int {
        switch self {
        case .day: return day
        // 1970-01-01 was a Thursday; shifting by 3 makes Monday the first day of each week.
        case .week: return Self.floorDiv(day + 3, 7)
        case .month:
            let c = CivilDate(days: day)
            return c.year * 12 + (c.month - 1)
        case .quarter:
            let c = CivilDate(days: day)
            return c.year * 4 + (c.month - 1) / 3
        case .year: return CivilDate(days: day).year
        }
    }

    /// The first day of the period with this ordinal.
    public func firstDay(ofOrdinal ordinal: Int) -> Int {
        switch self {
        case .day: return ordinal
        case .week: return ordinal * 7 - 3
        case .month: return CivilDate(year: Self.floorDiv(ordinal, 12), month: ordinal - Self.floorDiv(ordinal, 12) * 12 + 1, day: 1).days
        case .quarter:
            let y = Self.floorDiv(ordinal, 4)
            return CivilDate(year: y, month: (ordinal - y * 4) * 3 + 1, day: 1).days
        case .year: return CivilDate(year: ordinal, month: 1, day: 1).days
        }
    }

    /// A chart label: `2024-03-18` (day, and week by its Monday), `2024-03`, `2024-Q1`, `2024`.
    public func label(ofOrdinal ordinal: Int) -> String {
        switch self {
        case .day, .week: return CivilDate(days: firstDay(ofOrdinal: ordinal)).isoString
        case .month:
            let c = CivilDate(days: firstDay(ofOrdinal: ordinal))
            return "\(c.year)-\(Self.pad(c.month))"
        case .quarter:
            let y = Self.floorDiv(ordinal, 4)
            return "\(y)-Q\(ordinal - y * 4 + 1)"
        case .year: return String(ordinal)
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
}

/// A proleptic Gregorian date converted to and from days since 1970-01-01.
public struct CivilDate: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Converts via 400-year eras counted from March, so leap days fall at the end of the year.
    public init(days: Int) {
        let z = days + 719_468
        let era = TimeBucket.floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = TimeBucket.floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * mp + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `YYYY-MM-DD` built from digits directly: charts label a thousand days per query.
    public var isoString: String {
        guard (0...9999).contains(year) else { return "\(year)-\(TimeBucket.pad(month))-\(TimeBucket.pad(day))" }
        let digits: [UInt8] = [
            UInt8(48 + year / 1000), UInt8(48 + year / 100 % 10), UInt8(48 + year / 10 % 10), UInt8(48 + year % 10), 45,
            UInt8(48 + month / 10), UInt8(48 + month % 10), 45, UInt8(48 + day / 10), UInt8(48 + day % 10),
        ]
        return String(decoding: digits, as: UTF8.self)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Mar 2024`, for sentences in insights.
    public var monthYear: String { "\(Self.monthNames[month - 1]) \(year)" }
}
