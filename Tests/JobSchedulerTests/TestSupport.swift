import Foundation
@testable import JobScheduler

/// Parses an ISO 8601 instant such as `2025-03-30T01:00:00Z` or `2025-03-30T03:00:00+02:00`.
func instant(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    guard let date = formatter.date(from: text) else { fatalError("bad test date \(text)") }
    return date
}

func zone(_ identifier: String) -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { fatalError("unknown zone \(identifier)") }
    return zone
}

let utc = zone("UTC")
let berlin = zone("Europe/Berlin")
let newYork = zone("America/New_York")

func cron(_ text: String, _ timeZone: TimeZone = utc) throws -> Schedule {
    .cron(try CronExpression(text), timeZone: timeZone)
}

/// The next `count` fire times after `start`.
func fires(_ schedule: Schedule, after start: Date, count: Int) -> [Date] {
    var result: [Date] = []
    var cursor = start
    while result.count < count, let next = schedule.nextFire(after: cursor) {
        result.append(next)
        cursor = next
    }
    return result
}
