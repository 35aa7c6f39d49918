import Foundation
import Testing
@testable import JobScheduler

@Suite("Schedule parsing")
struct ScheduleParsingTests {
    @Test func intervals() throws {
        #expect(try Schedule(parsing: "every 15m", defaultTimeZone: berlin) == .every(minutes: 15))
        #expect(try Schedule(parsing: "every 30 minutes", defaultTimeZone: berlin) == .every(minutes: 30))
        #expect(try Schedule(parsing: "every 1h", defaultTimeZone: berlin) == .every(hours: 1))
        #expect(try Schedule(parsing: "Every 2 hours", defaultTimeZone: berlin) == .every(hours: 2))
        #expect(try Schedule(parsing: "hourly", defaultTimeZone: berlin) == .every(hours: 1))
    }

    @Test func calendarSchedules() throws {
        #expect(try Schedule(parsing: "daily 00:00", defaultTimeZone: utc) == .daily(hour: 0, minute: 0, timeZone: utc))
        #expect(try Schedule(parsing: "daily 07:30 Europe/Berlin", defaultTimeZone: utc) == .daily(hour: 7, minute: 30, timeZone: berlin))
        #expect(try Schedule(parsing: "daily 7:30 TZ=America/New_York", defaultTimeZone: utc) == .daily(hour: 7, minute: 30, timeZone: newYork))
        #expect(try Schedule(parsing: "weekly mon 09:00", defaultTimeZone: berlin) == .weekly(weekday: 2, hour: 9, minute: 0, timeZone: berlin))
        #expect(try Schedule(parsing: "weekly Saturday 23:59 UTC", defaultTimeZone: berlin) == .weekly(weekday: 7, hour: 23, minute: 59, timeZone: utc))
    }

    @Test func cronForms() throws {
        let twoHourly = try CronExpression("0 */2 * * *")
        #expect(try Schedule(parsing: "cron 0 */2 * * *", defaultTimeZone: utc) == .cron(twoHourly, timeZone: utc))
        #expect(try Schedule(parsing: "cron 0 */2 * * * TZ=Europe/Berlin", defaultTimeZone: utc) == .cron(twoHourly, timeZone: berlin))
        #expect(try Schedule(parsing: "cron 0 */2 * * * Europe/Berlin", defaultTimeZone: utc) == .cron(twoHourly, timeZone: berlin))
        #expect(try Schedule(parsing: "CRON_TZ=Europe/Berlin 0 */2 * * *", defaultTimeZone: utc) == .cron(twoHourly, timeZone: berlin))
        #expect(try Schedule(parsing: "0   */2 * * *", defaultTimeZone: berlin) == .cron(twoHourly, timeZone: berlin))
        #expect(try Schedule(parsing: "@daily", defaultTimeZone: berlin) == .cron(CronExpression("@daily"), timeZone: berlin))
        #expect(try Schedule(parsing: "cron @weekly TZ=UTC", defaultTimeZone: berlin) == .cron(CronExpression("@weekly"), timeZone: utc))
    }

    @Test(arguments: [
        "every 15m", "every 1h", "every 2h", "every 45m", "daily 00:00 Europe/Berlin", "daily 07:30 UTC",
        "weekly mon 09:00 America/New_York", "cron 0 */2 * * * TZ=UTC", "cron 10-50/10 9-17 * JAN-JUN MON-FRI TZ=Europe/Berlin",
        "cron @monthly TZ=Europe/Berlin",
    ])
    func descriptionRoundTrips(text: String) throws {
        let schedule = try Schedule(parsing: text, defaultTimeZone: newYork)
        #expect(schedule.description == text)
        #expect(try Schedule(parsing: schedule.description, defaultTimeZone: newYork) == schedule)
    }

    @Test func descriptionsOfBuiltSchedules() throws {
        #expect(Schedule.every(hours: 1).description == "every 1h")
        #expect(Schedule.every(minutes: 90).description == "every 90m")
        #expect(Schedule.daily(hour: 0, minute: 0, timeZone: berlin).description == "daily 00:00 Europe/Berlin")
        #expect(try cron("0 */2 * * *").description == "cron 0 */2 * * * TZ=UTC")
    }

    @Test(arguments: [
        ("", "the schedule is empty"),
        ("fortnightly", #""fortnightly" is not a schedule; expected every 15m, every 1h, hourly, daily HH:MM [zone], weekly DAY HH:MM [zone], cron EXPR [TZ=zone], a 5-field cron expression or a macro such as @daily"#),
        ("every 0m", #""0m" is not an interval; expected a whole number of at least 1 followed by m or h (every 15m, every 2h)"#),
        ("every 5 days", #""5 days" is not an interval; expected a whole number of at least 1 followed by m or h (every 15m, every 2h)"#),
        ("daily 25:00", #""25:00" is not a time of day; expected HH:MM between 00:00 and 23:59"#),
        ("daily 07:30 Mars/Olympus", #""Mars/Olympus" is not a known time zone identifier (such as UTC or Europe/Berlin)"#),
        ("daily 07:30 UTC extra", #"unexpected "extra" at the end of schedule "daily 07:30 UTC extra""#),
        ("weekly someday 09:00", #""someday" is not a weekday; expected sun, mon, tue, wed, thu, fri or sat"#),
        ("cron 0 0 32 * *", #"cron field 3 ("32") is out of range 1-31"#),
        ("cron 0 0 * *", #"cron expression "0 0 * *" has 4 fields; expected 5 (minute hour day-of-month month day-of-week)"#),
        ("0 0 * * * * *", #"cron expression "0 0 * * * * *" has 7 fields; expected 5 (minute hour day-of-month month day-of-week)"#),
    ])
    func invalidSchedules(text: String, message: String) {
        #expect {
            _ = try Schedule(parsing: text, defaultTimeZone: utc)
        } throws: { error in
            String(describing: error) == message
        }
    }
}
