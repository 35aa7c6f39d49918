import Foundation
import Testing
@testable import JobScheduler

@Suite("Cron expressions")
struct CronExpressionTests {
    @Test func stepsRangesAndLists() throws {
        #expect(try cron("*/15 * * * *").nextFire(after: instant("2025-06-01T10:07:00Z")) == instant("2025-06-01T10:15:00Z"))
        // 2025-06-06 is a Friday; the next weekday business slot is Monday 09:10.
        #expect(try fires(cron("10-50/10 9-17 * * MON-FRI"), after: instant("2025-06-06T17:40:00Z"), count: 2) == [
            instant("2025-06-06T17:50:00Z"), instant("2025-06-09T09:10:00Z"),
        ])
        #expect(try fires(cron("0 1,2 * * *"), after: instant("2025-06-01T00:00:00Z"), count: 3) == [
            instant("2025-06-01T01:00:00Z"), instant("2025-06-01T02:00:00Z"), instant("2025-06-02T01:00:00Z"),
        ])
        #expect(try cron("0 */2 * * *").nextFire(after: instant("2025-06-01T01:00:00Z")) == instant("2025-06-01T02:00:00Z"))
        #expect(try cron("5/20 * * * *").nextFire(after: instant("2025-06-01T01:46:00Z")) == instant("2025-06-01T02:05:00Z"))
    }

    @Test func monthAndWeekdayNames() throws {
        #expect(try cron("0 0 1 JAN *").nextFire(after: instant("2025-01-01T00:00:00Z")) == instant("2026-01-01T00:00:00Z"))
        #expect(try cron("0 12 * jul,Aug sun").nextFire(after: instant("2025-06-01T00:00:00Z")) == instant("2025-07-06T12:00:00Z"))
    }

    @Test func zeroAndSevenAreBothSunday() throws {
        let zero = try cron("0 0 * * 0")
        let seven = try cron("0 0 * * 7")
        let start = instant("2025-06-02T00:00:00Z")
        #expect(zero.nextFire(after: start) == instant("2025-06-08T00:00:00Z"))
        #expect(seven.nextFire(after: start) == instant("2025-06-08T00:00:00Z"))
        #expect(try cron("0 0 * * 5-7").nextFire(after: start) == instant("2025-06-06T00:00:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
        // The 13th OR any Friday. 2025-06-06 and 2025-06-13 are Fridays; 2025-07-13 is a Sunday.
        let schedule = try cron("0 0 13 * 5")
        #expect(fires(schedule, after: instant("2025-06-01T00:00:00Z"), count: 3) == [
            instant("2025-06-06T00:00:00Z"), instant("2025-06-13T00:00:00Z"), instant("2025-06-20T00:00:00Z"),
        ])
        #expect(fires(schedule, after: instant("2025-07-12T00:00:00Z"), count: 2) == [
            instant("2025-07-13T00:00:00Z"), instant("2025-07-18T00:00:00Z"),
        ])
        // A day-of-month starting with `*` is not a restriction, so the fields AND together.
        #expect(try cron("0 0 */2 * 5").nextFire(after: instant("2025-06-01T00:00:00Z")) == instant("2025-06-13T00:00:00Z"))
    }

    @Test func monthEndsAndLeapDays() throws {
        #expect(try cron("0 0 31 * *").nextFire(after: instant("2025-04-01T00:00:00Z")) == instant("2025-05-31T00:00:00Z"))
        #expect(try fires(cron("0 0 31 * *"), after: instant("2025-05-31T00:00:00Z"), count: 2) == [
            instant("2025-07-31T00:00:00Z"), instant("2025-08-31T00:00:00Z"),
        ])
        #expect(try cron("0 0 29 2 *").nextFire(after: instant("2025-01-01T00:00:00Z")) == instant("2028-02-29T00:00:00Z"))
        #expect(try cron("0 0 29 2 *").nextFire(after: instant("2024-02-29T00:00:00Z")) == instant("2028-02-29T00:00:00Z"))
        // 2100 is not a leap year, so the search must reach 2104.
        #expect(try cron("0 0 29 2 *").nextFire(after: instant("2096-03-01T00:00:00Z")) == instant("2104-02-29T00:00:00Z"))
        #expect(try cron("0 0 29 2 *").previousFire(atOrBefore: instant("2027-06-01T00:00:00Z")) == instant("2024-02-29T00:00:00Z"))
        #expect(try cron("0 0 31 2 *").nextFire(after: instant("2025-01-01T00:00:00Z")) == nil)
        #expect(try cron("0 0 30 2 *").previousFire(atOrBefore: instant("2025-01-01T00:00:00Z")) == nil)
    }

    @Test func fixedTimeCronFollowsDailyDSTRules() throws {
        let schedule = try cron("30 2 * * *", berlin)
        #expect(schedule.nextFire(after: instant("2025-03-29T12:00:00Z")) == instant("2025-03-30T03:00:00+02:00"))
        #expect(fires(schedule, after: instant("2025-10-25T12:00:00Z"), count: 2) == [
            instant("2025-10-26T02:30:00+02:00"), instant("2025-10-27T02:30:00+01:00"),
        ])
    }

    @Test func wildcardHourCronFollowsTheWallClock() throws {
        let schedule = try cron("*/30 * * * *", newYork)
        // Spring forward: 02:00 and 02:30 never happen.
        #expect(fires(schedule, after: instant("2025-03-09T01:00:00-05:00"), count: 2) == [
            instant("2025-03-09T01:30:00-05:00"), instant("2025-03-09T03:00:00-04:00"),
        ])
        // Fall back: 01:00 and 01:30 happen twice, and both times are real half hours.
        #expect(fires(schedule, after: instant("2025-11-02T00:30:00-04:00"), count: 5) == [
            instant("2025-11-02T01:00:00-04:00"), instant("2025-11-02T01:30:00-04:00"),
            instant("2025-11-02T01:00:00-05:00"), instant("2025-11-02T01:30:00-05:00"),
            instant("2025-11-02T02:00:00-05:00"),
        ])
        #expect(schedule.previousFire(atOrBefore: instant("2025-11-02T01:45:00-05:00")) == instant("2025-11-02T01:30:00-05:00"))
    }

    @Test func macros() throws {
        let start = instant("2025-06-04T10:20:00Z") // a Wednesday
        #expect(try cron("@hourly").nextFire(after: start) == instant("2025-06-04T11:00:00Z"))
        #expect(try cron("@daily").nextFire(after: start) == instant("2025-06-05T00:00:00Z"))
        #expect(try cron("@midnight").nextFire(after: start) == instant("2025-06-05T00:00:00Z"))
        #expect(try cron("@weekly").nextFire(after: start) == instant("2025-06-08T00:00:00Z"))
        #expect(try cron("@monthly").nextFire(after: start) == instant("2025-07-01T00:00:00Z"))
        #expect(try cron("@yearly").nextFire(after: start) == instant("2026-01-01T00:00:00Z"))
    }

    @Test(arguments: [
        ("0 0 32 * *", #"cron field 3 ("32") is out of range 1-31"#),
        ("60 * * * *", #"cron field 1 ("60") is out of range 0-59"#),
        ("0 24 * * *", #"cron field 2 ("24") is out of range 0-23"#),
        ("0 0 * 13 *", #"cron field 4 ("13") is out of range 1-12"#),
        ("0 0 * * 8", #"cron field 5 ("8") is out of range 0-7"#),
        ("0 0 * FOO *", #"cron field 4 ("FOO") is not a number or name"#),
        ("x * * * *", #"cron field 1 ("x") is not a number"#),
        ("*/0 * * * *", #"cron field 1 ("*/0") has a step that is not a positive number"#),
        ("5-1 * * * *", #"cron field 1 ("5-1") is a range whose start is after its end"#),
        ("1,,2 * * * *", #"cron field 1 ("1,,2") is not a number"#),
        ("* * * *", #"cron expression "* * * *" has 4 fields; expected 5 (minute hour day-of-month month day-of-week)"#),
        ("@fortnightly", #""@fortnightly" is not a cron macro; expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually"#),
    ])
    func invalidExpressions(text: String, message: String) {
        #expect {
            _ = try CronExpression(text)
        } throws: { error in
            String(describing: error) == message
        }
    }
}
