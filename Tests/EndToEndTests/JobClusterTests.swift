import Foundation
import LuminaTestSupport
import Testing

/// Scheduled jobs on several `lumina` processes sharing one PostgreSQL run each fire exactly once,
/// and a fire still runs after the node holding the job's lease was killed.
@Suite("jobs across a cluster") struct JobClusterTests {
    static func runs(_ node: LuminaProcess, token: String, job: String) async throws -> [[String: Any]] {
        let (status, body) = try await node.get("/api/v1/jobs/runs?job=\(job)&limit=500", headers: ["Authorization": "Bearer \(token)"])
        guard status == 200 else { throw HarnessError("runs: \(status) \(body)") }
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return json?["results"] as? [[String: Any]] ?? []
    }

    /// Waits until `condition` holds for the runs of `job`, polling the API.
    static func waitForRuns(_ node: LuminaProcess, token: String, job: String, timeout: Duration,
                            until condition: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try await runs(node, token: token, job: job)
            if condition(found) { return found }
            guard ContinuousClock.now < deadline else { throw HarnessError("runs of \(job) never matched; last: \(found)") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    @Test func eachFireRunsOnExactlyOneNode() async throws {
        let (url, directory) = try await TestDatabase.makePostgres()
        // Every minute, so the test sees a real scheduled fire on both nodes within a minute.
        let schedule = ["LUMINA_SCHEDULE_INSIGHTS": "every 1m"]
        let nodeA = try await LuminaProcess(extraEnvironment: schedule.merging(["LUMINA_NODE_ID": "node-a"]) { $1 },
                                            databaseURL: url, dataDirectory: directory + "/a")
        let nodeB = try await LuminaProcess(extraEnvironment: schedule.merging(["LUMINA_NODE_ID": "node-b"]) { $1 },
                                            databaseURL: url, dataDirectory: directory + "/b")
        let admin = try await ClusterTests.token(nodeA, email: "admin@example.com", name: "Admin")
        // Two fires, each recorded once: one run per scheduled_for, never a `skipped` twin.
        let found = try await Self.waitForRuns(nodeB, token: admin, job: "insights_generation", timeout: .seconds(150)) { runs in
            Set(runs.compactMap { $0["scheduled_for"] as? String }).count >= 2
                && runs.allSatisfy { ($0["status"] as? String) != "running" }
        }
        var perFire: [String: Int] = [:]
        for run in found { perFire[run["scheduled_for"] as? String ?? "-", default: 0] += 1 }
        #expect(perFire.values.allSatisfy { $0 == 1 }, "runs per fire: \(perFire)")
        #expect(found.allSatisfy { $0["status"] as? String == "succeeded" && $0["trigger"] as? String == "schedule" })
        #expect(Set(found.compactMap { $0["node"] as? String }).isSubset(of: ["node-a", "node-b"]))
        try await nodeA.stop()
        try await nodeB.stop()
    }

    @Test func aFireStillRunsAfterTheLeaseHolderIsKilled() async throws {
        let (url, directory) = try await TestDatabase.makePostgres()
        let environment = ["LUMINA_SCHEDULE_CLEANING": "every 1m", "LUMINA_JOB_LEASE_TTL": "3"]
        let nodeA = try await LuminaProcess(extraEnvironment: environment.merging(["LUMINA_NODE_ID": "node-a"]) { $1 },
                                            databaseURL: url, dataDirectory: directory + "/a")
        let admin = try await ClusterTests.token(nodeA, email: "admin@example.com", name: "Admin")

        // Node A's run waits on a locked table while holding the job's lease; then node A dies.
        let lock = try await PostgresTableLock.acquire(url: url, table: "datasets")
        let (status, body) = try await nodeA.send("POST", "/api/v1/jobs/data_cleaning/run", body: nil,
                                                  headers: ["Authorization": "Bearer \(admin)"])
        #expect(status == 202, "\(body)")
        try await Task.sleep(for: .milliseconds(500))
        try await nodeA.stop(signal: SIGKILL)
        try await lock.release()

        let nodeB = try await LuminaProcess(extraEnvironment: environment.merging(["LUMINA_NODE_ID": "node-b"]) { $1 },
                                            databaseURL: url, dataDirectory: directory + "/b")
        // The next scheduled fire runs on node B once A's lease has expired, and A's run is no longer `running`.
        let found = try await Self.waitForRuns(nodeB, token: admin, job: "data_cleaning", timeout: .seconds(150)) { runs in
            runs.contains { $0["node"] as? String == "node-b" && $0["trigger"] as? String == "schedule" && $0["status"] as? String == "succeeded" }
        }
        // The manual run node A was in when it died (a scheduled fire meanwhile may have been recorded `skipped`).
        let orphan = try #require(found.first { $0["node"] as? String == "node-a" && $0["trigger"] as? String == "manual" })
        #expect(orphan["status"] as? String == "interrupted")
        #expect((orphan["error"] as? String)?.contains("node-a") == true)
        try await nodeB.stop()
    }
}
