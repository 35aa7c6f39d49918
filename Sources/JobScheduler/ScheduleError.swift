import Foundation

/// Why a schedule or cron expression from configuration was rejected.
///
/// Each message names the offending text and its position so an operator can fix
/// the configuration file without reading the parser.
public enum ScheduleError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    case empty
    case wrongFieldCount(expression: String, count: Int)
    case notANumber(field: Int, text: String)
    case outOfRange(field: Int, text: String, range: ClosedRange<Int>)
    case invalidStep(field: Int, text: String)
    case backwardsRange(field: Int, text: String)
    case unknownMacro(String)
    case unknownTimeZone(String)
    case invalidInterval(String)
    case invalidTime(String)
    case invalidWeekday(String)
    case unexpectedText(String, in: String)
    case unrecognized(String)

    public var description: String {
        switch self {
        case .empty:
            return "the schedule is empty"
        case let .wrongFieldCount(expression, count):
            return "cron expression \"\(expression)\" has \(count) field\(count == 1 ? "" : "s"); expected 5 (minute hour day-of-month month day-of-week)"
        case let .notANumber(field, text):
            return "cron field \(field) (\"\(text)\") is not a number\(CronField.allowsNames(field) ? " or name" : "")"
        case let .outOfRange(field, text, range):
            return "cron field \(field) (\"\(text)\") is out of range \(range.lowerBound)-\(range.upperBound)"
        case let .invalidStep(field, text):
            return "cron field \(field) (\"\(text)\") has a step that is not a positive number"
        case let .backwardsRange(field, text):
            return "cron field \(field) (\"\(text)\") is a range whose start is after its end"
        case let .unknownMacro(text):
            return "\"\(text)\" is not a cron macro; expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually"
        case let .unknownTimeZone(text):
            return "\"\(text)\" is not a known time zone identifier (such as UTC or Europe/Berlin)"
        case let .invalidInterval(text):
            return "\"\(text)\" is not an interval; expected a whole number of at least 1 followed by m or h (every 15m, every 2h)"
        case let .invalidTime(text):
            return "\"\(text)\" is not a time of day; expected HH:MM between 00:00 and 23:59"
        case let .invalidWeekday(text):
            return "\"\(text)\" is not a weekday; expected sun, mon, tue, wed, thu, fri or sat"
        case let .unexpectedText(extra, schedule):
            return "unexpected \"\(extra)\" at the end of schedule \"\(schedule)\""
        case let .unrecognized(text):
            return "\"\(text)\" is not a schedule; expected every 15m, every 1h, hourly, daily HH:MM [zone], weekly DAY HH:MM [zone], cron EXPR [TZ=zone], a 5-field cron expression or a macro such as @daily"
        }
    }

    public var errorDescription: String? { description }
}
