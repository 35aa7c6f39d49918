import Foundation
import Hummingbird
import JobScheduler

/// `/admin/jobs/`: every job with its schedule, next run and last status, the run history with
/// filters, one run's log, and "Run now". Pages render complete on the server and then follow
/// `job_started` / `job_progress` / `job_finished` over `/ws/notifications/` (admin-jobs.js).
struct AdminJobsPagesController: Sendable {
    let overview: JobsOverview
    let views: ViewRenderer

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get("jobs", use: jobs)
        group.get("jobs/runs/:id", use: run)
        group.post("jobs/:name/run", use: start)
    }

    struct JobRow {
        let name: String
        let schedule: String
        let nextRun: String
        let lastStatus: String?
        let lastRunID: Int64?
        let lastStarted: String?
        let running: Bool
    }

    struct RunRow {
        let id: Int64
        let job: String
        let trigger: String
        let node: String
        let status: String
        let started: String
        let startedISO: String
        let duration: String
        let items: String
        let error: String?
    }

    struct Option {
        let value: String
        let selected: Bool
    }

    @Sendable func jobs(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let parameters = request.uri.queryParameters
        let job = parameters["job"].map(String.init) ?? ""
        let status = parameters["status"].map(String.init) ?? ""
        let date = parameters["date"].map(String.init) ?? ""
        var filterError: String?
        var query = RunQuery()
        do {
            query = try await overview.query(job: job, status: status, date: date, before: parameters["before"].map(String.init),
                                             limit: parameters["limit"].map(String.init))
        } catch {
            filterError = error.description
        }
        let jobViews = try await overview.jobs()
        let runs = filterError == nil ? try await overview.runs.runs(query) : []
        let total = filterError == nil ? try await overview.runs.count(query) : 0
        struct Page {
            let jobs: [JobRow]
            let runs: [RunRow]
            let count: Int
            let jobOptions: [Option]
            let statusOptions: [Option]
            let date: String
            let filterError: String?
            let filtered: Bool
            let olderLink: String?
        }
        let older: String? = if runs.count == query.limit, let last = runs.last {
            "?" + [("job", job), ("status", status), ("date", date), ("before", "\(last.id)")]
                .filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
        } else { nil }
        let page = Page(
            jobs: jobViews.map(Self.jobRow),
            runs: runs.map(Self.runRow),
            count: total,
            jobOptions: jobViews.map { Option(value: $0.name, selected: $0.name == job) },
            statusOptions: ["running", "succeeded", "failed", "interrupted", "skipped"].map { Option(value: $0, selected: $0 == status) },
            date: date, filterError: filterError, filtered: !job.isEmpty || !status.isEmpty || !date.isEmpty,
            olderLink: older)
        return views.page("admin_jobs", page: page, context: context, title: "Jobs")
    }

    @Sendable func run(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        guard let id = Int64(context.parameters.get("id") ?? ""), id > 0,
              let run = try await overview.runs.run(id: id) else { throw APIError.notFound("job run") }
        struct LogRow { let at: String; let level: String; let message: String }
        struct Page { let run: RunRow; let log: [LogRow]; let finished: Bool; let itemsTotal: Int? }
        let page = Page(run: Self.runRow(run),
                        log: run.log.map { LogRow(at: Self.time($0.at), level: $0.level, message: $0.message) },
                        finished: run.status != .running, itemsTotal: run.itemsTotal)
        return views.page("admin_job_run", page: page, context: context, title: "Run #\(run.id) · \(run.job)")
    }

    /// The no-JavaScript path of "Run now": start, then show the run's page.
    @Sendable func start(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        _ = try await FormBody(request, context: context)
        let name = context.parameters.get("name") ?? ""
        let run = try await overview.start(name)
        return Response(status: .seeOther, headers: [.location: "/admin/jobs/runs/\(run.id)/"])
    }

    static func jobRow(_ job: JobView) -> JobRow {
        JobRow(name: job.name, schedule: job.schedule, nextRun: job.nextRunAt.map(HTMLFormat.date) ?? "never",
               lastStatus: job.running?.status ?? job.lastRun?.status, lastRunID: job.running?.id ?? job.lastRun?.id,
               lastStarted: (job.running?.startedAt ?? job.lastRun?.startedAt).map(HTMLFormat.date), running: job.running != nil)
    }

    static func runRow(_ run: JobRun) -> RunRow {
        RunRow(id: run.id, job: run.job, trigger: run.trigger.rawValue, node: run.node, status: run.status.rawValue,
               started: HTMLFormat.date(run.startedAt), startedISO: ISO8601DateFormatter().string(from: run.startedAt),
               duration: run.durationMs.map(Self.duration) ?? "–",
               items: run.itemsTotal.map { "\(run.itemsDone) / \($0)" } ?? (run.itemsDone > 0 ? "\(run.itemsDone)" : "–"),
               error: run.error)
    }

    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1_000 { return "\(milliseconds) ms" }
        if milliseconds < 60_000 { return String(format: "%.1f s", Double(milliseconds) / 1_000) }
        return "\(milliseconds / 60_000) min \((milliseconds % 60_000) / 1_000) s"
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
