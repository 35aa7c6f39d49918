import Foundation
import Testing
import LuminaTestSupport

/// The benchmark's load client against a real `lumina`: its figures are only worth something if it
/// counts every delivery it should get and nothing else, whichever way it drives its sockets.
@Suite("lumina-load", .serialized) struct LoadClientTests {
    static var binary: String { TestDatabase.repositoryRoot + "/.build/debug/lumina-load" }

    /// 120 clients over 3 dashboards, 60 broadcasts round-robin: each client must get the 20 of its
    /// own dashboard, once each. The server pings every 0.2 s and drops a peer silent for two
    /// intervals, so a client that did not answer pings would show as closed early and lose events.
    @Test(arguments: [
        ["--engine", "epoll"],
        ["--engine", "epoll", "--poll-interval", "0", "--threads", "1"],
        ["--engine", "nio", "--deflate"],
    ])
    func countsEveryDeliveryOfItsDashboardOnce(engine: [String]) async throws {
        let server = try await LuminaProcess(extraEnvironment: ["LUMINA_SOCKET_PING_INTERVAL": "0.2"])
        let result = try await LuminaCommand.run([
            "--url", server.baseURL, "--clients", "120", "--groups", "3", "--rate", "30", "--duration", "2",
            "--drain", "10", "--server-pid", "\(server.process.processIdentifier)", "--json",
        ] + engine, timeout: .seconds(120), binary: Self.binary)
        try await server.stop()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(report["connected"] as? Int == 120)
        #expect(report["failed"] as? Int == 0)
        #expect(report["closed_early"] as? Int == 0, "the server's pings were answered")
        #expect(report["broadcasts"] as? Int == 60)
        #expect(report["expected"] as? Int == 2400)
        #expect(report["delivered"] as? Int == 2400)
        #expect(report["lost"] as? Int == 0)
        #expect(report["duplicates"] as? Int == 0)
        #expect(report["wrong_group"] as? Int == 0)
        let p50 = try #require(report["p50_ms"] as? Double)
        let max = try #require(report["max_ms"] as? Double)
        #expect(p50 > 0 && p50 <= max, "latencies are measured: p50 \(p50) ms, max \(max) ms")
        #expect((report["server_rss_idle"] as? Int ?? 0) > 0, "the server's memory is read from /proc")
    }
}
