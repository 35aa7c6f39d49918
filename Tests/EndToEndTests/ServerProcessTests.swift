import Foundation
import Testing
import LuminaTestSupport

/// The real binary, as a newcomer and an operator use it.
@Suite("lumina binary", .serialized) struct ServerProcessTests {
    @Test func servesTheLoginPageAndCreatesItsDatabase() async throws {
        let server = try await LuminaProcess()
        let (status, html) = try await server.get("/accounts/login/", headers: ["Accept": "text/html"])
        #expect(status == 200)
        #expect(html.contains("<h1>Sign in</h1>"))
        if TestDatabase.engine == "sqlite" {
            #expect(FileManager.default.fileExists(atPath: server.dataDirectory + "/lumina.db"))
        }
        let (ready, _) = try await server.get("/readyz")
        #expect(ready == 200)
        let (_, metrics) = try await server.get("/metrics")
        #expect(metrics.contains("lumina_http_requests_total"))
        #expect(metrics.contains(#"route="/accounts/login""#))
        #expect(try await server.stop() == 0, "SIGTERM shuts down cleanly")
        #expect(server.log.contains("lumina is listening"))
        #expect(server.log.contains("request"), "one access-log line per request")
    }

    @Test func unreachablePostgresIsOneClearLineAndExitCodeOne() async throws {
        let port = try LuminaProcess.freePort()
        let result = try await LuminaCommand.run(["serve", "--port", "0", "--database-url", "postgres://lumina@127.0.0.1:\(port)/lumina"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line, not a stack trace: \(result.stderr)")
        #expect(lines.first?.hasPrefix("lumina: cannot open the database postgres://lumina@127.0.0.1:\(port)/lumina") == true)
    }

    @Test func badConfigurationIsExplained() async throws {
        let result = try await LuminaCommand.run(["serve"], environment: ["LUMINA_PORT": "eighty"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("LUMINA_PORT must be a number, got 'eighty'"))
    }

    /// A browser's speculative connection sends nothing, and a keep-alive connection sits idle after
    /// its request; neither may keep SIGTERM waiting: the server closes both and exits cleanly. An
    /// open WebSocket is told the server is going away (1001), so its page knows to reconnect.
    @Test func stopsPromptlyWithSilentAndIdleConnectionsOpen() async throws {
        let server = try await LuminaProcess()
        let token = try await ClusterTests.token(server, email: "ana@example.com", name: "Ana")
        let (_, created) = try await server.send("POST", "/api/v1/dashboards", body: #"{"name":"Live"}"#, headers: ["Authorization": "Bearer \(token)"])
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["id"] as? Int)
        let socket = TestSocket(url: "ws://127.0.0.1:\(server.port)/ws/dashboard/\(id)/?token=\(token)")
        _ = try await socket.next(type: "presence")
        let silent = try RawConnection(port: server.port)
        let keepAlive = try RawConnection(port: server.port)
        try keepAlive.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try keepAlive.read().hasPrefix("HTTP/1.1 200"))
        let status = try await server.stop(timeout: .seconds(10))
        #expect(status == 0, "\(server.log)")
        #expect(try silent.read() == "", "the silent connection is closed, not left open")
        #expect(try keepAlive.read() == "")
        #expect(try await socket.closeCode(timeout: .seconds(5)) == 1001)
    }

    @Test func createuserMakesAnAccountThatCanSignIn() async throws {
        let (url, directory) = try await TestDatabase.make()
        let created = try await LuminaCommand.run(["createuser", "--email", "Ops@Example.com", "--password", "long enough",
                                                   "--role", "viewer", "--database-url", url, "--data-dir", directory])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("ops@example.com (viewer)"))
        let duplicate = try await LuminaCommand.run(["createuser", "--email", "ops@example.com", "--password", "long enough",
                                                     "--database-url", url, "--data-dir", directory])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("An account with this email already exists."))
        let server = try await LuminaProcess(databaseURL: url, dataDirectory: directory)
        let (status, body) = try await server.send("POST", "/api/v1/auth/token", body: #"{"email":"ops@example.com","password":"long enough"}"#)
        #expect(status == 201)
        #expect(body.contains(#""role":"viewer""#), "createuser keeps the asked role even for the first account")
        try await server.stop()
    }

    @Test func migrateRunsAloneAndIsRepeatable() async throws {
        let (url, directory) = try await TestDatabase.make()
        for _ in 0..<2 {
            let result = try await LuminaCommand.run(["migrate", "--database-url", url, "--data-dir", directory])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("migrations done"))
        }
    }

    @Test func analyzePrintsTheContractJSON() async throws {
        let data = TestDatabase.repositoryRoot + "/../shared/data"
        let result = try await LuminaCommand.run(["analyze", data + "/real/statsmodels-statecrime.csv", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["row_count"] as? Int == 51)
        #expect(json["encoding"] as? String == "utf-8")
        let columns = try #require(json["columns"] as? [[String: Any]])
        #expect(columns.count == 8)
        #expect(columns.contains { $0["name"] as? String == "murder" && $0["type"] as? String == "float" })
        for key in ["dialect", "cleaning_report", "profile", "insights"] { #expect(json[key] != nil, "\(key)") }
        let insights = try #require(json["insights"] as? [[String: Any]])
        #expect(insights.contains { $0["kind"] as? String == "correlation" })
    }

    @Test func analyzeRefusesAnUnreadableFileWithJSONAndExitOne() async throws {
        let data = TestDatabase.repositoryRoot + "/../shared/data"
        let result = try await LuminaCommand.run(["analyze", data + "/messy/duckdb-unterminated.csv", "--json"])
        #expect(result.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: String]])
        #expect(json["error"]?["code"] == "unterminated_quote")
        #expect(json["error"]?["message"]?.contains("unterminated quote starting at line 1, column 1") == true)
    }

    @Test func versionFlag() async throws {
        let result = try await LuminaCommand.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}

/// A plain TCP connection, for clients that do not speak HTTP properly (or at all).
final class RawConnection {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { close(fd); throw HarnessError("cannot connect to port \(port)") }
    }

    func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard send(fd, bytes, bytes.count, 0) == bytes.count else { throw HarnessError("send failed") }
    }

    /// What arrives next: "" once the server has closed the connection; throws on a 15 s silence.
    func read() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        if count < 0 && errno == ECONNRESET { return "" }
        guard count >= 0 else { throw HarnessError("no answer within 15 s (errno \(errno))") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    deinit { close(fd) }
}
