import Foundation
import LuminaTestSupport
import SQLKit
import Testing
@testable import LuminaServer

@Suite("Jobs API and run log") struct JobsAPITests {
    /// Polls a run until it is no longer `running`.
    static func finished(_ client: TestClient, run id: Int, token: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let reply = try await client.request(.get, "/api/v1/jobs/runs/\(id)", token: token)
            if reply.json["status"]?.stringValue != "running" { return reply.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("run \(id) did not finish")
    }

    @Test func adminsSeeTheThreeJobsWithSchedulesAndNextRuns() async throws {
        try await TestServer.run(configure: TestServer.defaultSchedules) { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let analyst = try await client.registerAndLogin("ana@example.com")
            let reply = try await client.request(.get, "/api/v1/jobs", token: admin.token)
            #expect(reply.status == .ok)
            #expect(reply.json["count"] == .number(3))
            let jobs = reply.json["results"]?.arrayValue ?? []
            #expect(jobs.compactMap { $0["name"]?.stringValue } == ["data_cleaning", "insights_generation", "report_generation"])
            #expect(jobs[0]["schedule"]?.stringValue == "every 1h")
            #expect(jobs[1]["schedule"]?.stringValue == "every 2h")
            #expect(jobs[2]["schedule"]?.stringValue?.hasPrefix("daily 00:00") == true)
            for job in jobs {
                let next = try #require(job["next_run_at"]?.stringValue.flatMap { ISO8601DateFormatter().date(from: $0) })
                #expect(next > Date())
                #expect(job["last_run"] == .null)
            }
            #expect(try await client.request(.get, "/api/v1/jobs", token: analyst.token).status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/jobs/runs", token: analyst.token).status == .forbidden)
            #expect(try await client.request(.post, "/api/v1/jobs/data_cleaning/run", token: analyst.token).status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/jobs").status == .unauthorized)
        }
    }

    @Test func runNowCleansWhatIsPendingAndRecordsTheRun() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false }) { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let file = UploadsTests.salesCSV(rows: 200)
            let upload = try await UploadsTests.createUpload(client, token: admin.token, filename: "quarterly sales.csv", size: file.count)
            let put = try await client.client.executeRequest(uri: "/api/v1/uploads/\(upload)", method: .put,
                                                             headers: [.authorization: "Bearer \(admin.token)"], body: .init(bytes: file))
            #expect(put.status == .created)
            let started = try await client.request(.post, "/api/v1/jobs/data_cleaning/run", token: admin.token)
            #expect(started.status == .accepted)
            #expect(started.json["status"]?.stringValue == "running")
            #expect(started.json["trigger"]?.stringValue == "manual")
            #expect(started.json["job"]?.stringValue == "data_cleaning")
            let id = try #require(started.json["id"]?.intValue)

            let run = try await Self.finished(client, run: id, token: admin.token)
            #expect(run["status"]?.stringValue == "succeeded")
            #expect(run["items_total"] == .number(1))
            #expect(run["items"] == .number(1))
            #expect(run["duration_ms"]?.intValue != nil)
            #expect(run["finished_at"]?.stringValue != nil)
            let messages = run["log"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages.contains { $0.contains("Cleaned") && $0.contains("quarterly sales") }, "log: \(messages)")
            let datasets = try await client.request(.get, "/api/v1/datasets", token: admin.token)
            #expect(datasets.json["results"]?[0]?["status"]?.stringValue == "cleaned")

            let listed = try await client.request(.get, "/api/v1/jobs/runs?job=data_cleaning&status=succeeded", token: admin.token)
            #expect(listed.json["count"] == .number(1))
            #expect(listed.json["results"]?[0]?["id"]?.intValue == id)
            let jobs = try await client.request(.get, "/api/v1/jobs", token: admin.token)
            #expect(jobs.json["results"]?[0]?["last_run"]?["id"]?.intValue == id)
            #expect(try await client.request(.get, "/api/v1/jobs/runs?status=failed", token: admin.token).json["count"] == .number(0))
        }
    }

    @Test func aDatasetThatCannotBeCleanedFailsTheRunWithItsName() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            // A dataset row whose raw file is gone (deleted from disk behind the server's back).
            let dataset = try await DatasetsAPITests.insertDataset(client, ownerID: admin.id, name: "orphaned")
            let started = try await client.request(.post, "/api/v1/jobs/data_cleaning/run", token: admin.token)
            let run = try await Self.finished(client, run: try #require(started.json["id"]?.intValue), token: admin.token)
            #expect(run["status"]?.stringValue == "failed")
            #expect(run["error"]?.stringValue?.contains("#\(dataset)") == true)
            let messages = run["log"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages.contains { $0.contains("orphaned") && $0.contains("raw file") }, "log: \(messages)")
            let stored = try await client.request(.get, "/api/v1/datasets/\(dataset)", token: admin.token)
            #expect(stored.json["status"]?.stringValue == "failed")
            #expect(stored.json["error"]?.stringValue?.contains("raw file") == true)
        }
    }

    @Test func badFiltersAndUnknownJobsAreExplained() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let status = try await client.request(.get, "/api/v1/jobs/runs?status=done", token: admin.token)
            #expect(status.status == .badRequest)
            #expect(status.errorMessage?.contains("'status'") == true)
            let job = try await client.request(.get, "/api/v1/jobs/runs?job=backup", token: admin.token)
            #expect(job.status == .badRequest)
            #expect(job.errorMessage?.contains("data_cleaning") == true)
            #expect(try await client.request(.get, "/api/v1/jobs/runs?date=2026-02-30", token: admin.token).status == .badRequest)
            #expect(try await client.request(.post, "/api/v1/jobs/backup/run", token: admin.token).status == .notFound)
            #expect(try await client.request(.get, "/api/v1/jobs/runs/999", token: admin.token).status == .notFound)
        }
    }

    @Test func aJobRunningOnAnotherNodeIsAConflict() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            // Another node holds the lease of report_generation for the next minute.
            let store = JobLeaseStore(database: client.services.database)
            let claim = try await store.claimManual(job: "report_generation", node: "node-elsewhere", ttl: 60, now: Date())
            guard case .acquired = claim else { throw TestFailure("lease not taken: \(claim)") }
            let reply = try await client.request(.post, "/api/v1/jobs/report_generation/run", token: admin.token)
            #expect(reply.status == .conflict)
            #expect(reply.errorCode == "already_running")
            #expect(reply.errorMessage?.contains("node-elsewhere") == true)
        }
    }

    @Test func adminsWatchRunsStartAndFinishOnTheirNotificationSocket() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let socket = TestSocket(url: "ws://127.0.0.1:\(client.client.port!)/ws/notifications/?token=\(admin.token)")
            defer { socket.close() }
            try await Task.sleep(for: .milliseconds(300))
            let started = try await client.request(.post, "/api/v1/jobs/insights_generation/run", token: admin.token)
            let id = try #require(started.json["id"]?.intValue)
            let startedEvent = try await socket.next(type: "job_started")
            #expect((startedEvent["run"] as? [String: Any])?["id"] as? Int == id)
            #expect(startedEvent["job"] as? String == "insights_generation")
            let finished = try await socket.next(type: "job_finished")
            let run = try #require(finished["run"] as? [String: Any])
            #expect(run["id"] as? Int == id)
            #expect(run["status"] as? String == "succeeded")
            #expect(finished["status"] as? String == "succeeded")
        }
    }
}
