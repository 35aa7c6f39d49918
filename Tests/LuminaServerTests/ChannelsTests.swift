import Foundation
import LuminaTestSupport
import Testing
@testable import LuminaServer

@Suite("WebSocket channels") struct ChannelsTests {
    /// Creates a dashboard owned by a new analyst and returns its id and the owner's token.
    static func dashboard(_ client: TestClient, owner: String = "ana@example.com") async throws -> (id: Int, token: String) {
        let ana = try await client.registerAndLogin(owner, name: "Ana")
        let created = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Live"}"#, token: ana.token)
        return (try #require(created.json["id"]?.intValue), ana.token)
    }

    /// The next presence diff that names `name` under `key` (diffs are batched, so others may come first).
    static func nextDiff(_ socket: TestSocket, key: String, naming name: String) async throws -> [String: Any] {
        while true {
            let diff = try await socket.next(type: "presence_diff")
            if (diff[key] as? [[String: Any]])?.contains(where: { $0["name"] as? String == name }) == true { return diff }
        }
    }

    static func url(_ client: TestClient, _ path: String, token: String?) -> String {
        "ws://127.0.0.1:\(client.client.port!)\(path)" + (token.map { "?token=\($0)" } ?? "")
    }

    @Test func membersGetPresenceAndEachOthersFilterChangesButNotTheirOwn() async throws {
        try await TestServer.run { client in
            _ = try await client.registerAndLogin("admin@example.com")
            let (id, anaToken) = try await Self.dashboard(client)
            let bob = try await client.registerAndLogin("bob@example.com", name: "Bob")
            _ = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"bob@example.com","role":"editor"}"#, token: anaToken)

            let ana = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: anaToken))
            let presence = try await ana.next(type: "presence")
            #expect((presence["users"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Ana"])

            let bobSocket = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: bob.token))
            _ = try await bobSocket.next(type: "presence")
            let joined = try await Self.nextDiff(ana, key: "joins", naming: "Bob")
            #expect((joined["joins"] as? [[String: Any]])?.contains { $0["name"] as? String == "Bob" } == true)

            bobSocket.send(#"{"type":"filter_change","filters":{"region":"North"}}"#)
            let change = try await ana.next(type: "filter_change")
            #expect((change["filters"] as? [String: Any])?["region"] as? String == "North")
            #expect((change["user"] as? [String: Any])?["name"] as? String == "Bob")
            await #expect(throws: SocketTimeout.self) { _ = try await bobSocket.next(type: "filter_change", timeout: .milliseconds(300)) }

            bobSocket.close()
            let left = try await Self.nextDiff(ana, key: "leaves", naming: "Bob")
            #expect((left["leaves"] as? [[String: Any]])?.contains { $0["name"] as? String == "Bob" } == true)
            ana.close()
        }
    }

    @Test func viewersFilterChangesStayPrivateAndTheirWidgetUpdatesAreRefused() async throws {
        try await TestServer.run { client in
            let (id, anaToken) = try await Self.dashboard(client)
            let vic = try await client.registerAndLogin("vic@example.com", name: "Vic")
            _ = try await client.request(.post, "/api/v1/dashboards/\(id)/members", json: #"{"email":"vic@example.com","role":"viewer"}"#, token: anaToken)
            let ana = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: anaToken))
            let viewer = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: vic.token))
            _ = try await viewer.next(type: "presence")
            _ = try await ana.next(type: "presence")
            viewer.send(#"{"type":"filter_change","filters":{"year":2026}}"#)
            viewer.send(#"{"type":"widget_update","widget":{"id":1},"version":1}"#)
            let refused = try await viewer.next(type: "error")
            #expect(refused["code"] as? String == "forbidden_message")
            await #expect(throws: SocketTimeout.self) { _ = try await ana.next(type: "filter_change", timeout: .milliseconds(300)) }
        }
    }

    @Test func staleWidgetUpdateGetsVersionConflictWithTheCurrentDashboard() async throws {
        try await TestServer.run { client in
            let (id, anaToken) = try await Self.dashboard(client)
            let ana = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: anaToken))
            let watcher = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: anaToken))
            _ = try await ana.next(type: "presence")
            _ = try await watcher.next(type: "presence")
            ana.send(#"{"type":"widget_update","widget":{"id":7,"title":"Revenue"},"version":1}"#)
            let update = try await watcher.next(type: "widget_update")
            #expect(update["version"] as? Int == 2)
            #expect((update["widget"] as? [String: Any])?["title"] as? String == "Revenue")
            ana.send(#"{"type":"widget_update","widget":{"id":7},"version":1}"#)
            let conflict = try await ana.next(type: "error")
            #expect(conflict["code"] as? String == "version_conflict")
            #expect((conflict["current"] as? [String: Any])?["version"] as? Int == 2)
        }
    }

    @Test func strangersAreRefusedWith4403AndSignedOutClientsWith4401() async throws {
        try await TestServer.run { client in
            let (id, _) = try await Self.dashboard(client)
            let carol = try await client.registerAndLogin("carol@example.com")
            let stranger = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: carol.token))
            #expect(try await stranger.closeCode() == 4403)
            let missing = TestSocket(url: Self.url(client, "/ws/dashboard/999999/", token: carol.token))
            #expect(try await missing.closeCode() == 4403)
            let anonymous = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: nil))
            #expect(try await anonymous.closeCode() == 4401)
            let forged = TestSocket(url: Self.url(client, "/ws/notifications/", token: "lum_forged"))
            #expect(try await forged.closeCode() == 4401)
        }
    }

    @Test func foreignOriginCannotOpenASocket() async throws {
        try await TestServer.run { client in
            let (id, token) = try await Self.dashboard(client)
            let evil = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token), origin: "https://evil.example")
            await #expect(throws: (any Error).self) { _ = try await evil.closeCode() }
            let own = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token), origin: "http://127.0.0.1:\(client.client.port!)")
            _ = try await own.next(type: "presence")
        }
    }

    @Test func pushAPIRelaysToEverySocketOfTheDashboardOnly() async throws {
        try await TestServer.run { client in
            let (id, token) = try await Self.dashboard(client)
            let other = try await client.request(.post, "/api/v1/dashboards", json: #"{"name":"Other"}"#, token: token)
            let otherID = try #require(other.json["id"]?.intValue)
            let watchers = (0..<3).map { _ in TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token)) }
            let bystander = TestSocket(url: Self.url(client, "/ws/dashboard/\(otherID)/", token: token))
            for socket in watchers + [bystander] { _ = try await socket.next(type: "presence") }
            let pushed = try await client.request(.post, "/api/v1/dashboards/\(id)/events", json: #"{"type":"annotation","text":"Deploy 4.2"}"#, token: token)
            #expect(pushed.status == .accepted)
            for socket in watchers {
                let event = try await socket.next(type: "annotation")
                #expect(event["text"] as? String == "Deploy 4.2")
                #expect((event["user"] as? [String: Any])?["name"] as? String == "Ana")
            }
            await #expect(throws: SocketTimeout.self) { _ = try await bystander.next(type: "annotation", timeout: .milliseconds(300)) }
            let reserved = try await client.request(.post, "/api/v1/dashboards/\(id)/events", json: #"{"type":"presence"}"#, token: token)
            #expect(reserved.status == .unprocessableContent)
        }
    }

    @Test func compressedSocketsCarryTheSameMessages() async throws {
        try await TestServer.run { client in
            let (id, token) = try await Self.dashboard(client)
            let compressed = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token), deflate: true)
            _ = try await compressed.next(type: "presence")
            let text = String(repeating: "revenue up ", count: 5_000)
            _ = try await client.request(.post, "/api/v1/dashboards/\(id)/events", json: #"{"type":"annotation","text":"\#(text)"}"#, token: token)
            let event = try await compressed.next(type: "annotation")
            #expect(event["text"] as? String == text)
        }
    }

    @Test func oversizedInboundMessageClosesTheSocket() async throws {
        try await TestServer.run { client in
            let (id, token) = try await Self.dashboard(client)
            let socket = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token))
            _ = try await socket.next(type: "presence")
            socket.send(#"{"type":"filter_change","filters":{"x":""# + String(repeating: "y", count: 100_000) + #""}}"#)
            #expect(try await socket.closeCode() == 1009, "message too big")
        }
    }

    @Test func renamingThroughTheAPIUpdatesOpenCopies() async throws {
        try await TestServer.run { client in
            let (id, token) = try await Self.dashboard(client)
            let socket = TestSocket(url: Self.url(client, "/ws/dashboard/\(id)/", token: token))
            _ = try await socket.next(type: "presence")
            _ = try await client.request(.patch, "/api/v1/dashboards/\(id)", json: #"{"name":"Renamed","version":1}"#, token: token)
            let update = try await socket.next(type: "dashboard_update")
            #expect((update["dashboard"] as? [String: Any])?["name"] as? String == "Renamed")
        }
    }
}
