import Foundation
import JobScheduler

/// What the admin API and pages show about jobs, read from the scheduler and the run log.
struct JobsOverview: Sendable {
    let scheduler: JobScheduler
    let runs: JobRunStore

    enum RunFilterError: Error {
        case invalid(parameter: String, value: String, expected: String)
    }

    func jobs() async throws -> [JobView] {
        var views: [JobView] = []
        for status in await scheduler.jobs() {
            let last = try await runs.lastRun(job: status.name)
            views.append(JobView(name: status.name, schedule: status.schedule.description, nextRunAt: status.nextRunAt,
                                 running: status.running.map(JobRunView.init), lastRun: last.map(JobRunView.init)))
        }
        return views
    }

    /// Builds a run query from `job`, `status`, `date` (YYYY-MM-DD, UTC), `before` (run id) and
    /// `limit` parameters, rejecting values that name nothing.
    func query(job: String?, status: String?, date: String?, before: String?, limit: String?) async throws(RunFilterError) -> RunQuery {
        var query = RunQuery()
        if let job, !job.isEmpty {
            let names = await scheduler.jobs().map(\.name)
            guard names.contains(job) else {
                throw .invalid(parameter: "job", value: job, expected: "one of \(names.joined(separator: ", "))")
            }
            query.job = job
        }
        if let status, !status.isEmpty {
            guard let value = RunStatus(rawValue: status) else {
                throw .invalid(parameter: "status", value: status, expected: "running, succeeded, failed, interrupted or skipped")
            }
            query.status = value
        }
        if let date, !date.isEmpty {
            guard let day = Self.day(date) else { throw .invalid(parameter: "date", value: date, expected: "a date like 2026-11-24") }
            query.since = day
            query.until = day.addingTimeInterval(86_400)
        }
        if let before, !before.isEmpty {
            guard let id = Int64(before), id > 0 else { throw .invalid(parameter: "before", value: before, expected: "a run id") }
            query.beforeID = id
        }
        if let limit, !limit.isEmpty {
            guard let value = Int(limit), (1...500).contains(value) else {
                throw .invalid(parameter: "limit", value: limit, expected: "a number from 1 to 500")
            }
            query.limit = value
        }
        return query
    }

    private static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

extension JobsOverview.RunFilterError: CustomStringConvertible {
    var description: String {
        switch self {
        case .invalid(let parameter, let value, let expected): "'\(parameter)' must be \(expected), got '\(value)'."
        }
    }
}

extension JobsOverview {
    /// Starts `name` now (trigger `manual`), mapping scheduler refusals to the contract's errors.
    func start(_ name: String) async throws -> JobRun {
        do {
            return try await scheduler.runNow(name, trigger: .manual)
        } catch {
            switch error {
            case .unknownJob:
                throw APIError.notFound("job")
            case .alreadyRunning(_, let node):
                throw APIError.conflict("already_running", "\(name) is already running (on \(node)); wait for that run to finish.")
            case .shuttingDown:
                throw APIError(status: .serviceUnavailable, code: "shutting_down", message: "The server is shutting down; start the job on another node.")
            case .storage(let message):
                throw APIError(status: .serviceUnavailable, code: "job_not_started", message: "The job could not be recorded: \(message)")
            }
        }
    }
}
