import Foundation
import Hummingbird
import JobScheduler

/// `/api/v1/jobs`: the scheduled jobs, their run history and "run now", for administrators.
struct JobsAPIController: Sendable {
    let overview: JobsOverview

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.get(use: list)
        group.get("runs", use: runs)
        group.get("runs/:id", use: run)
        group.post(":name/run", use: start)
    }

    @Sendable func list(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        return try .list(try await overview.jobs())
    }

    @Sendable func runs(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let parameters = request.uri.queryParameters
        let query: RunQuery
        do {
            query = try await overview.query(
                job: parameters["job"].map(String.init), status: parameters["status"].map(String.init),
                date: parameters["date"].map(String.init), before: parameters["before"].map(String.init),
                limit: parameters["limit"].map(String.init))
        } catch {
            throw APIError.badRequest("invalid_parameter", error.description)
        }
        let found = try await overview.runs.runs(query)
        return try .list(found.map(JobRunView.init), count: try await overview.runs.count(query))
    }

    @Sendable func run(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        guard let id = Int64(context.parameters.get("id") ?? ""), id > 0,
              let run = try await overview.runs.run(id: id) else { throw APIError.notFound("job run") }
        return try .json(JobRunView(run))
    }

    @Sendable func start(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try context.requireAdmin()
        let name = context.parameters.get("name") ?? ""
        let run = try await overview.start(name)
        return try .json(JobRunView(run), status: .accepted)
    }
}
