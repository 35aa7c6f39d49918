import Foundation

/// Proleptic Gregorian day arithmetic on plain integers.
///
/// Schedules walk thousands of days when a cron expression rarely matches (29 February),
/// so this avoids building `DateComponents` per day and behaves identically on every platform.
enum CivilCalendar {
    static let secondsPerDay = 86_400

    /// Days since 1970-01-01 for a year, month (1-12) and day (1-31).
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12 // March is 0 so the leap day ends the year
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (month <= 2 ? yearOfEra + era * 400 + 1 : yearOfEra + era * 400, month, day)
    }

    /// 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday.
    static func weekday(dayNumber: Int) -> Int {
        floorMod(dayNumber + 4, 7)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }
}

/// Maps local wall-clock times in one zone to instants, spelling out the two DST cases
/// that `Calendar.date(from:)` resolves differently across platforms.
struct ZoneResolver {
    enum Resolution: Equatable {
        case unique(Int)
        /// Fall-back: the wall time happens twice; both instants in order.
        case repeated(Int, Int)
        /// Spring-forward: the wall time never happens; `gapEnd` is the first instant after the gap.
        case skipped(gapEnd: Int)
    }

    let zone: TimeZone

    func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// True when the zone's offset is the same across the day and its neighbours, which lets
    /// callers skip the per-time transition handling for almost every day.
    func constantOffset(aroundLocalDay day: Int) -> Int? {
        let start = day * CivilCalendar.secondsPerDay
        let before = offset(at: start - CivilCalendar.secondsPerDay)
        let after = offset(at: start + 2 * CivilCalendar.secondsPerDay)
        return before == after && offset(at: start) == before && offset(at: start + CivilCalendar.secondsPerDay) == before ? before : nil
    }

    /// `local` is seconds since 1970-01-01T00:00 of the local wall clock (as if it were UTC).
    func resolve(local: Int) -> Resolution {
        let day = CivilCalendar.secondsPerDay
        let before = offset(at: local - day)
        let after = offset(at: local + day)
        var candidates: [Int] = []
        for o in Set([before, after, offset(at: local)]) {
            let instant = local - o
            if offset(at: instant) == o { candidates.append(instant) }
        }
        candidates.sort()
        if let first = candidates.first, let last = candidates.last {
            return first == last ? .unique(first) : .repeated(first, last)
        }
        // In a gap the instant computed with the old offset already lies past the transition
        // and the one with the new offset lies before it; bisect for the transition itself.
        var low = local - max(before, after)
        var high = local - min(before, after)
        let oldOffset = offset(at: low)
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if offset(at: mid) == oldOffset { low = mid } else { high = mid }
        }
        return .skipped(gapEnd: high)
    }
}
