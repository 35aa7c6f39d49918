import Foundation
import LuminaTestSupport
import Testing

/// Several `lumina` processes on one PostgreSQL act as one: channel messages and presence cross nodes.
@Suite("cluster of lumina processes") struct ClusterTests {
    static func token(_ node: LuminaProcess, email: String, name: String) async throws -> String {
        _ = try await node.send("POST", "/api/v1/auth/register", body: #"{"email":"\#(email)","password":"long enough","name":"\#(name)"}"#)
        let (_, body) = try await node.send("POST", "/api/v1/auth/token", body: #"{"email":"\#(email)","password":"long enough"}"#)
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return try #require(json?["token"] as? String, "token in \(body)")
    }

    @Test func broadcastsAndPresenceCrossNodesThroughPostgres() async throws {
        let (url, directory) = try await TestDatabase.makePostgres()
        let nodeA = try await LuminaProcess(extraEnvironment: ["LUMINA_NODE_ID": "node-a"], databaseURL: url, dataDirectory: directory + "/a")
        let nodeB = try await LuminaProcess(extraEnvironment: ["LUMINA_NODE_ID": "node-b"], databaseURL: url, dataDirectory: directory + "/b")
        let ana = try await Self.token(nodeA, email: "ana@example.com", name: "Ana")
        let bob = try await Self.token(nodeB, email: "bob@example.com", name: "Bob")
        let (_, created) = try await nodeA.send("POST", "/api/v1/dashboards", body: #"{"name":"Shared live"}"#, headers: ["Authorization": "Bearer \(ana)"])
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["id"] as? Int)
        _ = try await nodeA.send("POST", "/api/v1/dashboards/\(id)/members", body: #"{"email":"bob@example.com","role":"editor"}"#,
                                 headers: ["Authorization": "Bearer \(ana)"])

        let onB = TestSocket(url: "ws://127.0.0.1:\(nodeB.port)/ws/dashboard/\(id)/?token=\(bob)")
        _ = try await onB.next(type: "presence")
        let onA = TestSocket(url: "ws://127.0.0.1:\(nodeA.port)/ws/dashboard/\(id)/?token=\(ana)")
        _ = try await onA.next(type: "presence")
        var sawAna = false
        while !sawAna {
            let diff = try await onB.next(type: "presence_diff", timeout: .seconds(10))
            sawAna = (diff["joins"] as? [[String: Any]])?.contains { $0["name"] as? String == "Ana" } == true
        }

        let (status, _) = try await nodeA.send("POST", "/api/v1/dashboards/\(id)/events", body: #"{"type":"annotation","text":"from node A"}"#,
                                               headers: ["Authorization": "Bearer \(ana)"])
        #expect(status == 202)
        let event = try await onB.next(type: "annotation", timeout: .seconds(10))
        #expect(event["text"] as? String == "from node A")

        // Larger than NOTIFY's 8000-byte payload limit: carried by reference.
        let big = String(repeating: "x", count: 20_000)
        _ = try await nodeA.send("POST", "/api/v1/dashboards/\(id)/events", body: #"{"type":"annotation","text":"\#(big)"}"#,
                                 headers: ["Authorization": "Bearer \(ana)"])
        let large = try await onB.next(type: "annotation", timeout: .seconds(10))
        #expect((large["text"] as? String)?.count == 20_000)

        onB.send(#"{"type":"filter_change","filters":{"region":"West"}}"#)
        let change = try await onA.next(type: "filter_change", timeout: .seconds(10))
        #expect((change["user"] as? [String: Any])?["name"] as? String == "Bob")

        try await nodeA.stop()
        var sawLeave = false
        while !sawLeave {
            let diff = try await onB.next(type: "presence_diff", timeout: .seconds(20))
            sawLeave = (diff["leaves"] as? [[String: Any]])?.contains { $0["name"] as? String == "Ana" } == true
        }
        try await nodeB.stop()
    }
}
