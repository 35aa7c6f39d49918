import Foundation
import Testing
@testable import LuminaServer

@Suite("Dashboards API") struct DashboardsAPITests {
    @Test func createListReadRenameDelete() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Sales","description":"Q3"}"#, token: ana.token)
            #expect(created.status == .created)
            #expect(created.json["version"] == .number(1))
            #expect(created.json["filters"] == .object([:]))
            #expect(created.json["widgets"] == .array([]))
            #expect(created.json["owner_id"] == .number(Double(ana.id)))
            let id = try #require(created.json["id"]?.intValue)

            let list = try await client.request(.get, "/api/v1/dashboards", token: ana.token)
            #expect(list.json["count"] == .number(1))
            #expect(list.json["results"].flatMap { if case .array(let a) = $0 { a.count } else { nil } } == 1)

            let renamed = try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"Sales 2026","version":1,"filters":{"Region":"North"}}"#, token: ana.token)
            #expect(renamed.status == .ok)
            #expect(renamed.json["name"]?.stringValue == "Sales 2026")
            #expect(renamed.json["version"] == .number(2))
            #expect(renamed.json["filters"]?["Region"]?.stringValue == "North")

            let stale = try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"Old","version":1}"#, token: ana.token)
            #expect(stale.status == .conflict)
            #expect(stale.errorCode == "version_conflict")
            #expect(stale.json["error"]?["details"]?["current_version"] == .number(2))

            #expect(try await client.request(.delete, "/api/v1/dashboards/\(id)", token: ana.token).status == .noContent)
            #expect(try await client.request(.get, "/api/v1/dashboards/\(id)", token: ana.token).status == .notFound)
        }
    }

    @Test func analystCannotSeeAnotherAnalystsDashboard() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Private"}"#, token: ana.token)
            let id = created.json["id"]?.intValue ?? 0
            let peek = try await client.request(.get, "/api/v1/dashboards/\(id)", token: bob.token)
            #expect(peek.status == .notFound)
            #expect(peek.errorCode == "not_found")
            #expect(try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"x","version":1}"#, token: bob.token).status == .notFound)
            #expect(try await client.request(.delete, "/api/v1/dashboards/\(id)", token: bob.token).status == .notFound)
            #expect(try await client.request(.get, "/api/v1/dashboards", token: bob.token).json["count"] == .number(0))
            #expect(try await client.request(.get, "/api/v1/datasets/\(id)", token: bob.token).status == .notFound)
        }
    }

    @Test func adminSeesEveryDashboard() async throws {
        try await TestServer.run { client in
            let admin = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            _ = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Ana's"}"#, token: ana.token)
            #expect(try await client.request(.get, "/api/v1/dashboards", token: admin.token).json["count"] == .number(1))
        }
    }

    @Test func viewerCannotCreateDashboards() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let viewer = try await client.registerAndLogin("vic@example.com")
            try await client.services.users.update(id: viewer.id, role: .viewer)
            let reply = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Mine"}"#, token: viewer.token)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCode == "forbidden")
            #expect(try await client.request(.get, "/api/v1/dashboards", token: viewer.token).status == .ok)
        }
    }

    @Test func sharingGivesViewersReadOnlyAccess() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let ana = try await client.registerAndLogin("ana@example.com")
            let bob = try await client.registerAndLogin("bob@example.com")
            let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Shared"}"#, token: ana.token)
            let id = created.json["id"]?.intValue ?? 0

            let share = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"bob@example.com","role":"viewer"}"#, token: ana.token)
            #expect(share.status == .created)
            #expect(share.json["role"]?.stringValue == "viewer")
            #expect(share.json["user_id"] == .number(Double(bob.id)))

            #expect(try await client.request(.get, "/api/v1/dashboards/\(id)", token: bob.token).status == .ok)
            let edit = try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"Hijack","version":1}"#, token: bob.token)
            #expect(edit.status == .forbidden)
            let reshare = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"admin@example.com","role":"editor"}"#, token: bob.token)
            #expect(reshare.status == .forbidden)

            let members = try await client.request(.get, "/api/v1/dashboards/\(id)/members", token: ana.token)
            #expect(members.json["count"] == .number(1))

            let promote = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"bob@example.com","role":"editor"}"#, token: ana.token)
            #expect(promote.status == .created)
            #expect(try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"Edited","version":1}"#, token: bob.token).status == .ok)

            #expect(try await client.request(.delete, "/api/v1/dashboards/\(id)/members/\(bob.id)", token: ana.token).status == .noContent)
            #expect(try await client.request(.get, "/api/v1/dashboards/\(id)", token: bob.token).status == .notFound)
        }
    }

    @Test func sharingWithUnknownEmailIsAValidationError() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"D"}"#, token: ana.token)
            let id = created.json["id"]?.intValue ?? 0
            let reply = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"ghost@example.com","role":"editor"}"#, token: ana.token)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.json["error"]?["details"]?["email"]?.stringValue?.contains("ghost@example.com") == true)
            let badRole = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"ana@example.com","role":"owner"}"#, token: ana.token)
            #expect(badRole.status == .unprocessableContent)
        }
    }

    @Test func createNeedsAName() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            let reply = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"   "}"#, token: ana.token)
            #expect(reply.status == .unprocessableContent)
            #expect(reply.json["error"]?["details"]?["name"]?.stringValue == "This field may not be blank.")
        }
    }

    @Test func malformedIdIsNotFound() async throws {
        try await TestServer.run { client in
            let ana = try await client.registerAndLogin("ana@example.com")
            #expect(try await client.request(.get, "/api/v1/dashboards/abc", token: ana.token).status == .notFound)
        }
    }
}
