import Foundation
import Testing
@testable import JobScheduler

@Suite("Interval schedules")
struct IntervalScheduleTests {
    @Test func everyFifteenMinutesAlignsToTheHour() {
        let schedule = Schedule.every(minutes: 15)
        #expect(schedule.nextFire(after: instant("2025-06-01T10:07:30Z")) == instant("2025-06-01T10:15:00Z"))
        #expect(schedule.nextFire(after: instant("2025-06-01T10:15:00Z")) == instant("2025-06-01T10:30:00Z"))
        #expect(schedule.nextFire(after: instant("2025-06-01T23:59:59Z")) == instant("2025-06-02T00:00:00Z"))
        #expect(schedule.previousFire(atOrBefore: instant("2025-06-01T10:15:00Z")) == instant("2025-06-01T10:15:00Z"))
        #expect(schedule.previousFire(atOrBefore: instant("2025-06-01T10:14:59Z")) == instant("2025-06-01T10:00:00Z"))
    }

    @Test func intervalsThatDoNotDivideAnHourRestartAtMidnightUTC() {
        let schedule = Schedule.every(minutes: 45)
        #expect(schedule.nextFire(after: instant("2025-06-01T00:50:00Z")) == instant("2025-06-01T01:30:00Z"))
        #expect(schedule.nextFire(after: instant("2025-06-01T23:50:00Z")) == instant("2025-06-02T00:00:00Z"))
        #expect(schedule.previousFire(atOrBefore: instant("2025-06-02T00:10:00Z")) == instant("2025-06-02T00:00:00Z"))
    }

    @Test func everyNHoursAlignsToMidnightUTC() {
        #expect(Schedule.every(hours: 2).nextFire(after: instant("2025-06-01T01:00:00Z")) == instant("2025-06-01T02:00:00Z"))
        #expect(Schedule.every(hours: 1).nextFire(after: instant("2025-06-01T01:00:00Z")) == instant("2025-06-01T02:00:00Z"))
        #expect(Schedule.every(hours: 5).nextFire(after: instant("2025-06-01T21:00:00Z")) == instant("2025-06-02T00:00:00Z"))
        #expect(Schedule.every(hours: 24).nextFire(after: instant("2025-06-01T21:00:00Z")) == instant("2025-06-02T00:00:00Z"))
        #expect(Schedule.every(hours: 2) == Schedule.every(minutes: 120))
    }

    @Test func nonPositiveIntervalsNeverFire() {
        #expect(Schedule.every(minutes: 0).nextFire(after: instant("2025-06-01T00:00:00Z")) == nil)
        #expect(Schedule.every(hours: -1).previousFire(atOrBefore: instant("2025-06-01T00:00:00Z")) == nil)
    }
}

@Suite("Daily and weekly schedules across DST")
struct CalendarScheduleTests {
    @Test func dailySpringForwardBerlinFiresAtTheEndOfTheGap() {
        let schedule = Schedule.daily(hour: 2, minute: 30, timeZone: berlin)
        // 2025-03-30: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
        #expect(fires(schedule, after: instant("2025-03-29T12:00:00Z"), count: 2) == [
            instant("2025-03-30T03:00:00+02:00"),
            instant("2025-03-31T02:30:00+02:00"),
        ])
        #expect(schedule.previousFire(atOrBefore: instant("2025-03-30T02:00:00Z")) == instant("2025-03-30T01:00:00Z"))
    }

    @Test func dailyFallBackBerlinFiresOnce() {
        let schedule = Schedule.daily(hour: 2, minute: 30, timeZone: berlin)
        // 2025-10-26: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
        #expect(fires(schedule, after: instant("2025-10-25T12:00:00Z"), count: 2) == [
            instant("2025-10-26T02:30:00+02:00"),
            instant("2025-10-27T02:30:00+01:00"),
        ])
        #expect(schedule.previousFire(atOrBefore: instant("2025-10-26T02:30:00+01:00")) == instant("2025-10-26T02:30:00+02:00"))
    }

    @Test func dailyAcrossNewYorkTransitions() {
        let spring = Schedule.daily(hour: 2, minute: 30, timeZone: newYork)
        #expect(spring.nextFire(after: instant("2025-03-07T12:00:00Z")) == instant("2025-03-08T02:30:00-05:00"))
        #expect(spring.nextFire(after: instant("2025-03-09T00:00:00Z")) == instant("2025-03-09T03:00:00-04:00"))
        let fall = Schedule.daily(hour: 1, minute: 30, timeZone: newYork)
        #expect(fires(fall, after: instant("2025-11-01T12:00:00Z"), count: 2) == [
            instant("2025-11-02T01:30:00-04:00"),
            instant("2025-11-03T01:30:00-05:00"),
        ])
    }

    @Test func dailyMidnightUTC() {
        let schedule = Schedule.daily(hour: 0, minute: 0, timeZone: utc)
        #expect(schedule.nextFire(after: instant("2025-06-01T00:00:00Z")) == instant("2025-06-02T00:00:00Z"))
        #expect(schedule.previousFire(atOrBefore: instant("2025-06-01T23:59:59Z")) == instant("2025-06-01T00:00:00Z"))
    }

    @Test func weeklyUsesCalendarWeekdays() {
        let monday = Schedule.weekly(weekday: 2, hour: 9, minute: 0, timeZone: berlin)
        // 2025-06-01 is a Sunday.
        #expect(monday.nextFire(after: instant("2025-06-01T00:00:00Z")) == instant("2025-06-02T09:00:00+02:00"))
        #expect(monday.nextFire(after: instant("2025-06-02T07:00:00Z")) == instant("2025-06-09T09:00:00+02:00"))
        let sunday = Schedule.weekly(weekday: 1, hour: 0, minute: 0, timeZone: utc)
        #expect(sunday.nextFire(after: instant("2025-06-01T00:00:00Z")) == instant("2025-06-08T00:00:00Z"))
        #expect(Schedule.weekly(weekday: 8, hour: 0, minute: 0, timeZone: utc).nextFire(after: .now) == nil)
    }
}
