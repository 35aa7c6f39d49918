import Foundation
import Testing
@testable import LuminaServer

@Suite("Operations") struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        try await TestServer.run { client in
            let health = try await client.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.json["status"]?.stringValue == "ok")
            // The database check has a 2 s timeout; on a machine busy with the rest of the suite the
            // first probe can miss it, as a load balancer's would: probe like one, a few times.
            var ready = try await client.request(.get, "/readyz")
            for _ in 0..<10 where ready.status != .ok {
                try await Task.sleep(for: .milliseconds(500))
                ready = try await client.request(.get, "/readyz")
            }
            #expect(ready.status == .ok)
        }
    }

    @Test func staticFilesAndChartJSAreServed() async throws {
        try await TestServer.run { client in
            let css = try await client.request(.get, "/static/css/app.css", headers: [.accept: "*/*"])
            #expect(css.status == .ok)
            #expect(css.text.contains(".topbar"))
            let chart = try await client.request(.get, "/static/vendor/chart.min.js", headers: [.accept: "*/*"])
            #expect(chart.status == .ok, "Chart.js comes from Debian's libjs-chart.js")
            #expect(chart.text.contains("Chart"))
        }
    }

    @Test func migrationsAreRecordedAndIdempotent() async throws {
        try await TestServer.run { client in
            let database = client.services.database
            let again = try await Migrator(database: database, logger: .init(label: "test")).migrate()
            #expect(again.isEmpty)
            let count = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == Schema.migrations.count)
        }
    }

    @Test func listsHaveTheContractShape() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let datasets = try await client.request(.get, "/api/v1/datasets?offset=0&limit=10", token: ana.token)
            #expect(datasets.status == .ok)
            #expect(datasets.json == .object(["results": .array([]), "count": .number(0)]))
            let bad = try await client.request(.get, "/api/v1/datasets?limit=-3", token: ana.token)
            #expect(bad.status == .badRequest)
            #expect(bad.errorMessage == "'limit' must be a non-negative integer, got '-3'.")
        }
    }
}
