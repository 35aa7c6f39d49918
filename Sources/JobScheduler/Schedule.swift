import Foundation

/// When a job fires.
///
/// Interval schedules are aligned to UTC so every node of a cluster computes the same fire
/// times regardless of when it started; calendar schedules carry their own time zone so
/// "daily 07:30 Europe/Berlin" stays 07:30 for the people reading the report across DST.
public enum Schedule: Sendable, Hashable, CustomStringConvertible {
    /// Every N minutes: at :00, :15, ... when N divides 60, otherwise counted from midnight UTC
    /// each day (restarting at midnight); N of a day or more counts from 1970-01-01 UTC.
    case every(minutes: Int)
    /// Once a day at a local time. A time skipped by spring-forward fires at the end of the gap;
    /// a time repeated by fall-back fires once, at its first occurrence.
    case daily(hour: Int, minute: Int, timeZone: TimeZone)
    /// Once a week; `weekday` counts like `Calendar`: 1 = Sunday ... 7 = Saturday.
    case weekly(weekday: Int, hour: Int, minute: Int, timeZone: TimeZone)
    case cron(CronExpression, timeZone: TimeZone)

    /// Every N hours counted from midnight UTC (every 2h fires at 00:00, 02:00, ... UTC).
    ///
    /// A factory rather than a case because Swift cannot pattern-match two cases sharing the
    /// base name `every`; `.every(hours: 2)` equals `.every(minutes: 120)` and prints as `every 2h`.
    public static func every(hours: Int) -> Schedule {
        .every(minutes: hours > Int.max / 60 ? Int.max : (hours < Int.min / 60 ? Int.min : hours * 60))
    }

    /// Long enough for a 29 February expression to reach the next leap year even across a
    /// skipped century leap year (2096 → 2104), short enough that a never-matching expression
    /// (`0 0 31 2 *`) answers nil quickly.
    static let searchDays = 366 * 9

    /// The first fire time strictly after `date`, or nil when the schedule never fires again.
    public func nextFire(after date: Date) -> Date? {
        let t = date.timeIntervalSince1970
        switch self {
        case let .every(minutes):
            return Self.intervalFire(stepMinutes: minutes, after: t)
        default:
            return calendarFire(after: t)
        }
    }

    /// The latest fire time at or before `date`; used to detect fires missed while no node ran.
    public func previousFire(atOrBefore date: Date) -> Date? {
        let t = date.timeIntervalSince1970
        switch self {
        case let .every(minutes):
            return Self.intervalFire(stepMinutes: minutes, atOrBefore: t)
        default:
            return calendarFire(atOrBefore: t)
        }
    }

    public var description: String {
        switch self {
        case let .every(minutes):
            return minutes > 0 && minutes % 60 == 0 ? "every \(minutes / 60)h" : "every \(minutes)m"
        case let .daily(hour, minute, zone):
            return "daily \(Self.clock(hour, minute)) \(Self.zoneName(zone))"
        case let .weekly(weekday, hour, minute, zone):
            let name = (1...7).contains(weekday) ? CronField.weekdayNames[weekday - 1].lowercased() : "\(weekday)"
            return "weekly \(name) \(Self.clock(hour, minute)) \(Self.zoneName(zone))"
        case let .cron(expression, zone):
            return "cron \(expression.source) TZ=\(Self.zoneName(zone))"
        }
    }

    /// Foundation reports UTC as "GMT"; people configure and expect "UTC".
    static func zoneName(_ zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }

    static func clock(_ hour: Int, _ minute: Int) -> String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    // MARK: - Interval schedules

    /// Steps that fit in a day restart at each UTC midnight so that, e.g., every 45m still
    /// fires at 00:00 every day; longer steps count from the epoch.
    private static func intervalFire(stepMinutes: Int, after t: TimeInterval) -> Date? {
        guard stepMinutes > 0, stepMinutes <= Int.max / 60 else { return nil }
        let step = stepMinutes * 60
        let day = CivilCalendar.secondsPerDay
        let whole = Int(t.rounded(.down))
        if step >= day {
            return Date(timeIntervalSince1970: TimeInterval((CivilCalendar.floorDiv(whole, step) + 1) * step))
        }
        let dayStart = CivilCalendar.floorDiv(whole, day) * day
        let candidate = dayStart + ((whole - dayStart) / step + 1) * step
        return Date(timeIntervalSince1970: TimeInterval(min(candidate, dayStart + day)))
    }

    private static func intervalFire(stepMinutes: Int, atOrBefore t: TimeInterval) -> Date? {
        guard stepMinutes > 0, stepMinutes <= Int.max / 60 else { return nil }
        let step = stepMinutes * 60
        let day = CivilCalendar.secondsPerDay
        let whole = Int(t.rounded(.down))
        if step >= day {
            return Date(timeIntervalSince1970: TimeInterval(CivilCalendar.floorDiv(whole, step) * step))
        }
        let dayStart = CivilCalendar.floorDiv(whole, day) * day
        return Date(timeIntervalSince1970: TimeInterval(dayStart + (whole - dayStart) / step * step))
    }

    // MARK: - Calendar schedules

    /// What a calendar schedule asks of one local day.
    private struct DayPlan {
        var zone: TimeZone
        var minutesOfDay: [Int]
        /// Wall-clock plans fire at every real occurrence of a listed time and skip times in a
        /// gap; fixed-time plans fire once per listed time and move a skipped time to the gap's end.
        var followsWallClock: Bool
        var matches: (_ month: Int, _ day: Int, _ weekday: Int) -> Bool
    }

    private var dayPlan: DayPlan? {
        switch self {
        case .every:
            return nil
        case let .daily(hour, minute, zone):
            guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return DayPlan(zone: zone, minutesOfDay: [hour * 60 + minute], followsWallClock: false) { _, _, _ in true }
        case let .weekly(weekday, hour, minute, zone):
            guard (1...7).contains(weekday), (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return DayPlan(zone: zone, minutesOfDay: [hour * 60 + minute], followsWallClock: false) { _, _, wd in
                wd == weekday - 1
            }
        case let .cron(expression, zone):
            return DayPlan(zone: zone, minutesOfDay: expression.minutesOfDay, followsWallClock: expression.hourIsWildcard) {
                expression.matches(month: $0, day: $1, weekday: $2)
            }
        }
    }

    /// Fire instants (seconds since the epoch) for one local day, ascending.
    private static func instants(_ plan: DayPlan, localDay: Int) -> [Int] {
        let resolver = ZoneResolver(zone: plan.zone)
        let dayStart = localDay * CivilCalendar.secondsPerDay
        if let offset = resolver.constantOffset(aroundLocalDay: localDay) {
            return plan.minutesOfDay.map { dayStart + $0 * 60 - offset }
        }
        var result: [Int] = []
        for minute in plan.minutesOfDay {
            switch resolver.resolve(local: dayStart + minute * 60) {
            case let .unique(instant):
                result.append(instant)
            case let .repeated(first, second):
                result.append(first)
                if plan.followsWallClock { result.append(second) }
            case let .skipped(gapEnd):
                if !plan.followsWallClock { result.append(gapEnd) }
            }
        }
        return result.sorted()
    }

    private func localDay(of t: TimeInterval, in zone: TimeZone) -> Int {
        let whole = Int(t.rounded(.down))
        let offset = ZoneResolver(zone: zone).offset(at: whole)
        return CivilCalendar.floorDiv(whole + offset, CivilCalendar.secondsPerDay)
    }

    private func planMatches(_ plan: DayPlan, localDay: Int) -> Bool {
        let date = CivilCalendar.date(dayNumber: localDay)
        return plan.matches(date.month, date.day, CivilCalendar.weekday(dayNumber: localDay))
    }

    private func calendarFire(after t: TimeInterval) -> Date? {
        guard let plan = dayPlan, !plan.minutesOfDay.isEmpty else { return nil }
        let today = localDay(of: t, in: plan.zone)
        // Start a day early: a fall-back repeat or gap shift can put yesterday's time after `t`.
        for day in (today - 1)...(today + Self.searchDays) where planMatches(plan, localDay: day) {
            if let instant = Self.instants(plan, localDay: day).first(where: { TimeInterval($0) > t }) {
                return Date(timeIntervalSince1970: TimeInterval(instant))
            }
        }
        return nil
    }

    private func calendarFire(atOrBefore t: TimeInterval) -> Date? {
        guard let plan = dayPlan, !plan.minutesOfDay.isEmpty else { return nil }
        let today = localDay(of: t, in: plan.zone)
        for day in stride(from: today + 1, through: today - Self.searchDays, by: -1) where planMatches(plan, localDay: day) {
            if let instant = Self.instants(plan, localDay: day).last(where: { TimeInterval($0) <= t }) {
                return Date(timeIntervalSince1970: TimeInterval(instant))
            }
        }
        return nil
    }
}
