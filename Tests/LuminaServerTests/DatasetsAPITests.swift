import Foundation
import SQLKit
import Testing
@testable import LuminaServer

@Suite("Datasets API") struct DatasetsAPITests {
    /// Records a dataset row the way ingest does, owned by `ownerID`.
    static func insertDataset(_ client: TestClient, ownerID: Int, name: String) async throws -> Int {
        try await client.services.database.withConnection { db in
            let now = Date()
            let id = try await db.insert(into: "datasets")
                .columns("owner_id", "name", "status", "source_filename", "raw_row_count", "row_count", "column_count", "created_at", "updated_at")
                .values(SQLBind(ownerID), SQLBind(name), SQLBind("pending"), SQLBind(name + ".csv"), SQLBind(3), SQLBind(3), SQLBind(2),
                        SQLBind(now), SQLBind(now))
                .returning("id").first()!.decode(column: "id", as: Int.self)
            for (position, column) in [("region", "category"), ("revenue", "float")].enumerated() {
                try await db.insert(into: "dataset_columns").columns("dataset_id", "position", "name", "sql_name", "type", "nullable", "stage")
                    .values(SQLBind(id), SQLBind(position), SQLBind(column.0), SQLBind("c\(position)"), SQLBind(column.1), SQLBind(true), SQLBind("raw"))
                    .run()
            }
            return id
        }
    }

    @Test func ownerSeesTheContractShapeAndOthersGet404() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            let id = try await Self.insertDataset(client, ownerID: ana.id, name: "sales")

            let mine = try await client.request(.get, "/api/v1/datasets/\(id)", token: ana.token)
            #expect(mine.status == .ok)
            #expect(mine.json["name"]?.stringValue == "sales")
            #expect(mine.json["status"]?.stringValue == "pending")
            #expect(mine.json["raw_row_count"] == .number(3))
            #expect(mine.json["cleaning_report"] == .null)
            #expect(mine.json["columns"] == .array([
                .object(["name": .string("region"), "type": .string("category"), "nullable": .bool(true)]),
                .object(["name": .string("revenue"), "type": .string("float"), "nullable": .bool(true)]),
            ]))
            #expect(try await client.request(.get, "/api/v1/datasets", token: ana.token).json["count"] == .number(1))

            let peek = try await client.request(.get, "/api/v1/datasets/\(id)", token: bob.token)
            #expect(peek.status == .notFound)
            #expect(try await client.request(.get, "/api/v1/datasets", token: bob.token).json["count"] == .number(0))
            #expect(try await client.request(.get, "/api/v1/datasets/\(id)", token: admin.token).status == .ok)
        }
    }

    @Test func membersOfADashboardChartingTheDatasetMaySeeIt() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            let dataset = try await Self.insertDataset(client, ownerID: ana.id, name: "sales")
            let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Sales"}"#, token: ana.token)
            let dashboard = try #require(created.json["id"]?.intValue)
            try await client.services.database.withConnection { db in
                try await db.insert(into: "visualizations")
                    .columns("dashboard_id", "dataset_id", "title", "chart", "config", "layout", "created_at", "updated_at")
                    .values(SQLBind(dashboard), SQLBind(dataset), SQLBind("Revenue"), SQLBind("bar"), SQLBind("{}"), SQLBind("{}"),
                            SQLBind(Date()), SQLBind(Date()))
                    .run()
            }
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: bob.token).status == .notFound)
            _ = try await client.request(.post, "/api/v1/dashboards/\(dashboard)/members", json: #"{"email":"bob@example.com","role":"viewer"}"#, token: ana.token)
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: bob.token).status == .ok)
            let widgets = try await client.request(.get, "/api/v1/dashboards/\(dashboard)", token: bob.token).json["widgets"]
            #expect(widgets?.arrayCount == 1)
        }
    }

    /// A browser session signed in through the login form.
    static func signedIn(_ client: TestClient, _ email: String) async throws -> BrowserSession {
        var browser = BrowserSession(client: client)
        let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/login/").text))
        let login = try await browser.post("/accounts/login/", form: ["csrf_token": csrf, "email": email, "password": "correct horse"])
        #expect(login.status == .seeOther, "\(login.text)")
        return browser
    }

    @Test func deleteFormRemovesTheDatasetForItsOwnerOnly() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            _ = try await client.registerAndLogin("bob@example.com")
            let dataset = try await Self.insertDataset(client, ownerID: ana.id, name: "ana-sales")

            var bob = try await Self.signedIn(client, "bob@example.com")
            let bobCSRF = try #require(BrowserSession.csrfToken(in: try await bob.get("/datasets/").text))
            #expect(try await bob.post("/datasets/\(dataset)/delete/", form: ["csrf_token": bobCSRF]).status == .notFound)

            var browser = try await Self.signedIn(client, "ana@example.com")
            let page = try await browser.get("/datasets/\(dataset)/")
            #expect(page.text.contains("action=\"/datasets/\(dataset)/delete/\""))
            let csrf = try #require(BrowserSession.csrfToken(in: page.text))
            let forged = try await browser.post("/datasets/\(dataset)/delete/", form: ["csrf_token": "not-the-token"])
            #expect(forged.status == .forbidden)
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: ana.token).status == .ok, "a forged form deletes nothing")

            let deleted = try await browser.post("/datasets/\(dataset)/delete/", form: ["csrf_token": csrf])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers[.location] == "/datasets/")
            #expect(try await client.request(.get, "/api/v1/datasets/\(dataset)", token: ana.token).status == .notFound)
            #expect(!(try await browser.get("/datasets/").text.contains("ana-sales")))
        }
    }

    @Test func datasetPageListsWhatTheUserMaySee() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            _ = try await Self.insertDataset(client, ownerID: bob.id, name: "bob-only")
            var browser = BrowserSession(client: client)
            let csrf = try #require(BrowserSession.csrfToken(in: try await browser.get("/accounts/register/").text))
            _ = try await browser.post("/accounts/register/", form: ["csrf_token": csrf, "email": "ana@example.com",
                                                                     "password": "long enough", "password_confirm": "long enough"])
            let page = try await browser.get("/datasets/")
            #expect(page.status == .ok)
            #expect(!page.text.contains("bob-only"))
            #expect(page.text.contains("No datasets yet."))
        }
    }
}

extension JSONValue {
    var arrayCount: Int? { if case .array(let items) = self { items.count } else { nil } }
}
