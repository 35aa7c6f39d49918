import Foundation

extension Schedule {
    /// Parses the schedule syntax used in configuration files:
    /// `every 15m`, `every 2h`, `every 30 minutes`, `hourly`, `daily 07:30 [zone]`,
    /// `weekly mon 09:00 [zone]`, `cron 0 */2 * * * [TZ=zone]`, a bare 5-field cron
    /// expression or a macro such as `@daily`. A zone may be written bare or as `TZ=zone`;
    /// without one, `defaultTimeZone` applies. `description` produces this syntax back.
    public init(parsing text: String, defaultTimeZone: TimeZone) throws(ScheduleError) {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let keyword = tokens.first?.lowercased() else { throw .empty }
        let rest = Array(tokens.dropFirst())
        let original = tokens.joined(separator: " ")

        switch keyword {
        case "every":
            self = try Self.parseInterval(rest, original: original)
        case "hourly":
            guard rest.isEmpty else { throw .unexpectedText(rest.joined(separator: " "), in: original) }
            self = .every(hours: 1)
        case "daily":
            guard let time = rest.first else { throw .invalidTime("") }
            let (hour, minute) = try Self.parseTime(time)
            let zone = try Self.parseZone(Array(rest.dropFirst()), default: defaultTimeZone, original: original)
            self = .daily(hour: hour, minute: minute, timeZone: zone)
        case "weekly":
            guard rest.count >= 2 else { throw rest.isEmpty ? .invalidWeekday("") : .invalidTime("") }
            let weekday = try Self.parseWeekday(rest[0])
            let (hour, minute) = try Self.parseTime(rest[1])
            let zone = try Self.parseZone(Array(rest.dropFirst(2)), default: defaultTimeZone, original: original)
            self = .weekly(weekday: weekday, hour: hour, minute: minute, timeZone: zone)
        case "cron":
            self = try Self.parseCron(rest, default: defaultTimeZone, original: original)
        default:
            if keyword.hasPrefix("@") || keyword.hasPrefix("tz=") || keyword.hasPrefix("cron_tz=") || tokens.count >= 5 {
                self = try Self.parseCron(tokens, default: defaultTimeZone, original: original)
            } else {
                throw .unrecognized(original)
            }
        }
    }

    private static let minuteUnits: Set<String> = ["m", "min", "mins", "minute", "minutes"]
    private static let hourUnits: Set<String> = ["h", "hr", "hrs", "hour", "hours"]

    private static func parseInterval(_ tokens: [String], original: String) throws(ScheduleError) -> Schedule {
        let joined = tokens.joined().lowercased()
        let digits = joined.prefix(while: \.isNumber)
        let unit = String(joined.dropFirst(digits.count))
        guard let count = Int(digits), count >= 1 else { throw .invalidInterval(tokens.joined(separator: " ")) }
        // A year is far beyond any job interval and keeps `count * 60` arithmetic safe.
        if minuteUnits.contains(unit), count <= 366 * 24 * 60 { return .every(minutes: count) }
        if hourUnits.contains(unit), count <= 366 * 24 { return .every(hours: count) }
        throw .invalidInterval(tokens.joined(separator: " "))
    }

    static func parseTime(_ text: String) throws(ScheduleError) -> (hour: Int, minute: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute)
        else { throw .invalidTime(text) }
        return (hour, minute)
    }

    static func parseWeekday(_ text: String) throws(ScheduleError) -> Int {
        let lower = text.lowercased()
        let full = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
        if let index = full.firstIndex(where: { $0 == lower || (lower.count >= 3 && $0.hasPrefix(lower)) }) {
            return index + 1
        }
        throw .invalidWeekday(text)
    }

    private static func parseZone(_ tokens: [String], default zone: TimeZone, original: String) throws(ScheduleError) -> TimeZone {
        guard let token = tokens.first else { return zone }
        guard tokens.count == 1 else { throw .unexpectedText(tokens.dropFirst().joined(separator: " "), in: original) }
        return try zoneNamed(token)
    }

    private static func zoneNamed(_ token: String) throws(ScheduleError) -> TimeZone {
        var name = token
        for prefix in ["TZ=", "CRON_TZ="] where name.uppercased().hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
        }
        guard !name.isEmpty, let zone = TimeZone(identifier: name) else { throw .unknownTimeZone(name) }
        return zone
    }

    private static func isZoneToken(_ token: String) -> Bool {
        let upper = token.uppercased()
        return upper.hasPrefix("TZ=") || upper.hasPrefix("CRON_TZ=")
    }

    /// Accepts the zone before the expression (`CRON_TZ=... 0 3 * * *`, as crontabs write it)
    /// or after it (`0 3 * * * TZ=...` or a bare zone name as a sixth token).
    private static func parseCron(_ tokens: [String], default zone: TimeZone, original: String) throws(ScheduleError) -> Schedule {
        var tokens = tokens
        var explicitZone: TimeZone?
        if let first = tokens.first, isZoneToken(first) {
            explicitZone = try zoneNamed(first)
            tokens.removeFirst()
        }
        guard let first = tokens.first else { throw .empty }
        let fieldCount = first.hasPrefix("@") ? 1 : 5
        if tokens.count < fieldCount {
            throw .wrongFieldCount(expression: tokens.joined(separator: " "), count: tokens.count)
        }
        let expression = try CronExpression(tokens.prefix(fieldCount).joined(separator: " "))
        let trailing = Array(tokens.dropFirst(fieldCount))
        if !trailing.isEmpty {
            guard explicitZone == nil, trailing.count == 1 else {
                if fieldCount == 5, !trailing.contains(where: isZoneToken), TimeZone(identifier: trailing.last!) == nil {
                    throw .wrongFieldCount(expression: tokens.joined(separator: " "), count: tokens.count)
                }
                throw .unexpectedText(trailing.joined(separator: " "), in: original)
            }
            explicitZone = try zoneNamed(trailing[0])
        }
        return .cron(expression, timeZone: explicitZone ?? zone)
    }
}
