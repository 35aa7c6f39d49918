import Foundation
import LuminaTestSupport
import Testing
@testable import LuminaServer

/// Uploads through the real server: WebSocket with milestones and resume, PUT for scripts, ingest
/// into a table of the dataset's own, cleaning with progress, and refusals that leave nothing behind.
@Suite("uploads and datasets") struct UploadsTests {
    /// A CSV with a date, a category, two numbers and a few duplicates and gaps, `rows` data rows.
    static func salesCSV(rows: Int) -> [UInt8] {
        var text = "date,region,units,revenue\n"
        for i in 0..<rows {
            let day = 1 + i % 28
            let region = ["North", "South", "East", "West"][i % 4]
            let units = 10 + i
            let revenue = i % 97 == 5 ? "" : String(format: "%.2f", Double(units) * 19.5)
            text += "2026-03-\(day < 10 ? "0" : "")\(day),\(region),\(units),\(revenue)\n"
        }
        text += "2026-03-01,North,10,195.00\n"  // an exact duplicate of the first data row
        return Array(text.utf8)
    }

    static func socketURL(_ client: TestClient, _ path: String, token: String) -> String {
        "ws://127.0.0.1:\(client.client.port!)\(path)?token=\(token)"
    }

    static func createUpload(_ client: TestClient, token: String, filename: String, size: Int) async throws -> Int {
        let reply = try await client.request(.post, "/api/v1/uploads", json: #"{"filename":"\#(filename)","size":\#(size)}"#, token: token)
        guard reply.status == .created, let id = reply.json["upload_id"]?.intValue else { throw TestFailure("create: \(reply.status) \(reply.text)") }
        #expect(reply.json["ws_url"]?.stringValue == "/ws/upload/\(id)/")
        #expect(reply.json["offset"] == .number(0))
        return id
    }

    /// Waits until the dataset reaches `status` (cleaning runs after upload).
    static func waitForStatus(_ client: TestClient, dataset: Int, token: String, _ status: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let reply = try await client.request(.get, "/api/v1/datasets/\(dataset)", token: token)
            if reply.json["status"]?.stringValue == status { return reply.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("dataset \(dataset) never became \(status)")
    }

    @Test func aSocketUploadReportsEachMilestoneThenBecomesACleanedDataset() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let file = Self.salesCSV(rows: 2_000)
            let id = try await Self.createUpload(client, token: ana.token, filename: "march sales.csv", size: file.count)
            let socket = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            defer { socket.close() }
            let resume = try await socket.next(type: "upload_resume")
            #expect(resume["offset"] as? Int == 0)
            // Four frames; the first alone crosses 10 and 25 percent.
            let cuts = [0, file.count * 3 / 10, file.count * 6 / 10, file.count * 9 / 10, file.count]
            for (start, end) in zip(cuts, cuts.dropFirst()) { socket.send(binary: Array(file[start..<end])) }
            var milestones: [Int] = []
            while milestones.last != 100 {
                let event = try await socket.next(type: "upload_progress")
                milestones.append(event["progress"] as? Int ?? -1)
                #expect(event["total"] as? Int == file.count)
                #expect(event["upload_id"] as? Int == id)
            }
            #expect(milestones == [10, 25, 50, 75, 100])
            let complete = try await socket.next(type: "upload_complete")
            let dataset = try #require(complete["dataset_id"] as? Int)

            let cleaned = try await Self.waitForStatus(client, dataset: dataset, token: ana.token, "cleaned")
            #expect(cleaned["name"]?.stringValue == "march sales")
            #expect(cleaned["raw_row_count"] == .number(2_001))
            #expect(cleaned["row_count"] == .number(2_000))
            #expect(cleaned["cleaning_report"]?["duplicates_removed"] == .number(1))
            let types = cleaned["columns"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
            #expect(types == ["date", "category", "integer", "float"])

            let rows = try await client.request(.get, "/api/v1/datasets/\(dataset)/rows?offset=0&limit=2", token: ana.token)
            #expect(rows.json["total"] == .number(2_000))
            #expect(rows.json["columns"] == .array(["date", "region", "units", "revenue"]))
            #expect(rows.json["rows"]?[0] == .array(["2026-03-01", "North", 10, 195]))
            let profile = try await client.request(.get, "/api/v1/datasets/\(dataset)/profile", token: ana.token)
            #expect(profile.json["columns"]?.arrayValue?.count == 4)
            let upload = try await client.request(.get, "/api/v1/uploads/\(id)", token: ana.token)
            #expect(upload.json["status"]?.stringValue == "complete")
            #expect(upload.json["dataset_id"]?.intValue == dataset)
        }
    }

    @Test func aDroppedSocketResumesFromTheServersOffset() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let file = Self.salesCSV(rows: 1_000)
            let id = try await Self.createUpload(client, token: ana.token, filename: "resume.csv", size: file.count)
            let half = file.count / 2
            let first = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            _ = try await first.next(type: "upload_resume")
            first.send(binary: Array(file[0..<half]))
            let progress = try await first.next(type: "upload_progress")
            #expect(progress["progress"] as? Int == 10)
            first.close()
            _ = try? await first.closeCode()

            let second = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            defer { second.close() }
            let resume = try await second.next(type: "upload_resume")
            #expect(resume["offset"] as? Int == half)
            second.send(binary: Array(file[half...]))
            let complete = try await second.next(type: "upload_complete")
            let dataset = try #require(complete["dataset_id"] as? Int)
            let stored = try await client.request(.get, "/api/v1/datasets/\(dataset)", token: ana.token)
            #expect(stored.json["raw_row_count"] == .number(1_001))
        }
    }

    @Test func scriptsUploadWithPutAndGetTheDataset() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let file = Self.salesCSV(rows: 300)
            let id = try await Self.createUpload(client, token: ana.token, filename: "put.csv", size: file.count)
            let response = try await client.client.executeRequest(
                uri: "/api/v1/uploads/\(id)", method: .put,
                headers: [.authorization: "Bearer \(ana.token)", .accept: "application/json"], body: .init(bytes: file))
            #expect(response.status == .created)
            let json = JSONValue.parse(String(buffer: response.body))
            #expect(json["raw_row_count"] == .number(301))
            #expect(json["columns"]?.arrayValue?.count == 4)
        }
    }

    @Test func refusedFilesLeaveNoDatasetTableOrFile() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            // A PNG renamed .csv: read, refused with a reason, nothing kept.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52] + Array(repeating: 0, count: 200)
            let id = try await Self.createUpload(client, token: ana.token, filename: "chart.csv", size: png.count)
            let socket = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            _ = try await socket.next(type: "upload_resume")
            socket.send(binary: png)
            let error = try await socket.next(type: "error")
            #expect(error["code"] as? String == "not_text")
            #expect((error["message"] as? String)?.contains("chart.csv") == true)
            #expect(try await socket.closeCode() == 4400)
            #expect(try await client.request(.get, "/api/v1/datasets", token: ana.token).json["count"] == .number(0))
            let failed = try await client.request(.get, "/api/v1/uploads/\(id)", token: ana.token)
            #expect(failed.json["status"]?.stringValue == "failed")
            let partFile = client.services.configuration.dataDirectory + "/uploads/upload-\(id).part"
            #expect(!FileManager.default.fileExists(atPath: partFile))
            let datasetsFolder = client.services.configuration.dataDirectory + "/datasets"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: datasetsFolder)) ?? []).isEmpty)

            // More bytes than announced.
            let small = try await Self.createUpload(client, token: ana.token, filename: "small.csv", size: 10)
            let over = TestSocket(url: Self.socketURL(client, "/ws/upload/\(small)/", token: ana.token))
            _ = try await over.next(type: "upload_resume")
            over.send(binary: Array("a,b\n1,2\n3,4\n5,6\n".utf8))
            #expect(try await over.next(type: "error")["code"] as? String == "too_much_data")

            // Empty, over-size, someone else's, signed out.
            let empty = try await client.request(.post, "/api/v1/uploads", json: #"{"filename":"e.csv","size":0}"#, token: ana.token)
            #expect(empty.status == .unprocessableContent)
            let huge = try await client.request(.post, "/api/v1/uploads", json: #"{"filename":"h.csv","size":2000000000000}"#, token: ana.token)
            #expect(huge.status == .contentTooLarge)
            #expect(try await client.request(.post, "/api/v1/uploads", json: #"{"filename":"x.csv","size":5}"#).status == .unauthorized)
            let mine = try await Self.createUpload(client, token: ana.token, filename: "mine.csv", size: 5)
            #expect(try await client.request(.get, "/api/v1/uploads/\(mine)", token: bob.token).status == .notFound)
            let stranger = TestSocket(url: Self.socketURL(client, "/ws/upload/\(mine)/", token: bob.token))
            #expect(try await stranger.closeCode() == 4403)
        }
    }

    @Test func cleaningProgressStepsAndDeleteRemoveEverything() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            let file = Self.salesCSV(rows: 500)
            let id = try await Self.createUpload(client, token: ana.token, filename: "steps.csv", size: file.count)
            let upload = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            _ = try await upload.next(type: "upload_resume")
            upload.send(binary: file)
            let dataset = try #require(try await upload.next(type: "upload_complete")["dataset_id"] as? Int)
            upload.close()
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: ana.token).json["status"]?.stringValue == "pending")

            let watcher = TestSocket(url: Self.socketURL(client, "/ws/data-cleaning/\(dataset)/", token: ana.token))
            defer { watcher.close() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await client.request(.post, "/api/v1/datasets/\(dataset)/clean", token: bob.token).status == .notFound)
            #expect(try await client.request(.post, "/api/v1/datasets/\(dataset)/clean", token: ana.token).status == .accepted)
            var steps: [String] = []
            var last: [String: Any] = [:]
            repeat {
                last = try await watcher.next(type: "cleaning_progress")
                if let step = last["step"] as? String, last["status"] as? String == "running" { steps.append(step) }
            } while last["status"] as? String == "running"
            #expect(last["status"] as? String == "completed")
            #expect(last["progress"] as? Int == 100)
            #expect(steps.contains("Removing duplicates..."))
            #expect(steps.contains("Handling missing values..."))
            _ = try await Self.waitForStatus(client, dataset: dataset, token: ana.token, "cleaned")
            // "Clean now" also finds insights; their list is the contract's shape.
            let deadline = ContinuousClock.now + .seconds(20)
            var insights = try await client.request(.get, "/api/v1/datasets/\(dataset)/insights", token: ana.token)
            while insights.json["count"] == .number(0), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                insights = try await client.request(.get, "/api/v1/datasets/\(dataset)/insights", token: ana.token)
            }
            #expect(insights.json["results"]?[0]?["dataset_id"]?.intValue == dataset)

            #expect(try await client.request(.delete, "/api/v1/datasets/\(dataset)", token: bob.token).status == .notFound)
            #expect(try await client.request(.delete, "/api/v1/datasets/\(dataset)", token: ana.token).status == .noContent)
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: ana.token).status == .notFound)
            let folder = client.services.configuration.dataDirectory + "/datasets/\(dataset)"
            #expect(!FileManager.default.fileExists(atPath: folder))
            let tables = try await client.services.tables.tableNames(ofDataset: dataset)
            #expect(tables.isEmpty, "left behind: \(tables)")
        }
    }

    /// Sends `bytes` as the whole upload with PUT and returns the reply.
    static func put(_ client: TestClient, token: String, filename: String, bytes: [UInt8]) async throws -> TestClient.Reply {
        let id = try await createUpload(client, token: token, filename: filename, size: bytes.count)
        let response = try await client.client.executeRequest(
            uri: "/api/v1/uploads/\(id)", method: .put,
            headers: [.authorization: "Bearer \(token)", .accept: "application/json"], body: .init(bytes: bytes))
        return TestClient.Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).csv")
        try Data(bytes).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", "-9", input.path]
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: input.path + ".gz") }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: input.path + ".gz")))
    }

    @Test func gzipIsAcceptedButTruncatedOrExplosiveGzipIsRefused() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false; $0.maxExpandedSize = 1 << 20 }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let compressed = try Self.gzip(Self.salesCSV(rows: 400))
            let ok = try await Self.put(client, token: ana.token, filename: "sales.csv.gz", bytes: compressed)
            #expect(ok.status == .created)
            #expect(ok.json["raw_row_count"] == .number(401))

            let truncated = try await Self.put(client, token: ana.token, filename: "cut.csv.gz", bytes: Array(compressed.prefix(compressed.count / 2)))
            #expect(truncated.status == .unprocessableContent)
            #expect(truncated.errorCode == "truncated_gzip")
            #expect(truncated.errorMessage?.contains("cut.csv.gz") == true)

            // 8 MiB of one repeated line compresses to a few KiB: more than the 1 MiB allowed here.
            let bomb = try Self.gzip(Array(String(repeating: "1,2,3\n", count: 8 << 20 / 6).utf8))
            #expect(bomb.count < 100_000)
            let refused = try await Self.put(client, token: ana.token, filename: "bomb.csv.gz", bytes: bomb)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "gzip_too_large")
            #expect(try await client.request(.get, "/api/v1/datasets", token: ana.token).json["count"] == .number(1))
            #expect(try await client.services.tables.allDatasetTables().count == 1)
        }
    }

    @Test func columnNamesAreDataNotSQLAndTheSameFileTwiceMakesTwoDatasets() async throws {
        try await TestServer.run(configure: { $0.cleanAfterUpload = false }) { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let file = Array("\"\"\"; DROP TABLE users; --\",amount\nfirst,1\nsecond,2\nthird,3\n".utf8)
            let first = try await Self.put(client, token: ana.token, filename: "evil.csv", bytes: file)
            #expect(first.status == .created)
            #expect(first.json["columns"]?[0]?["name"]?.stringValue == "\"; DROP TABLE users; --")
            let second = try await Self.put(client, token: ana.token, filename: "evil.csv", bytes: file)
            #expect(second.status == .created)
            #expect(first.json["id"] != second.json["id"])
            let rows = try await client.request(.get, "/api/v1/datasets/\(second.json["id"]?.intValue ?? 0)/rows", token: ana.token)
            #expect(rows.json["rows"]?[2] == .array(["third", 3]))
            // The users table is still there: signing in works.
            #expect(try await client.request(.post, "/api/v1/auth/token", json: #"{"email":"ana@example.com","password":"correct horse"}"#).status == .created)
        }
    }

    @Test func anUploadLeftHalfWayExpiresAndItsFileIsRemoved() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let file = Self.salesCSV(rows: 500)
            let id = try await Self.createUpload(client, token: ana.token, filename: "abandoned.csv", size: file.count)
            let socket = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            _ = try await socket.next(type: "upload_resume")
            socket.send(binary: Array(file.prefix(file.count / 3)))
            _ = try await socket.next(type: "upload_progress")
            socket.close()
            _ = try? await socket.closeCode()
            let part = client.services.configuration.dataDirectory + "/uploads/upload-\(id).part"
            #expect(FileManager.default.fileExists(atPath: part))
            // What the hourly housekeeping does once the expiry time has passed.
            try await Task.sleep(for: .milliseconds(300))
            let expired = try await client.services.uploads.expire(before: Date().addingTimeInterval(1))
            #expect(expired == 1)
            #expect(!FileManager.default.fileExists(atPath: part))
            let state = try await client.request(.get, "/api/v1/uploads/\(id)", token: ana.token)
            #expect(state.json["status"]?.stringValue == "expired")
            // Coming back later is refused with the reason, not silently restarted.
            let late = TestSocket(url: Self.socketURL(client, "/ws/upload/\(id)/", token: ana.token))
            let error = try await late.next(type: "error")
            #expect((error["message"] as? String)?.contains("not finished in time") == true)
        }
    }
}
