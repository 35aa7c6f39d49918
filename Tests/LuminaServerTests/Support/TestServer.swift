import Foundation
import Hummingbird
import LuminaTestSupport
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
@testable import LuminaServer

/// Starts a real LuminaBI application (live HTTP server, real database) for one test.
enum TestServer {
    /// Fires only at midnight on 29 February.
    static let quietSchedule = "cron 0 0 29 2 *"

    /// The shipped schedules, for tests about what an admin sees by default.
    static func defaultSchedules(_ config: inout LuminaConfiguration) {
        let shipped = LuminaConfiguration()
        config.cleaningSchedule = shipped.cleaningSchedule
        config.insightsSchedule = shipped.insightsSchedule
        config.reportsSchedule = shipped.reportsSchedule
    }

    static func run<R: Sendable>(
        configure: (inout LuminaConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (TestClient) async throws -> R
    ) async throws -> R {
        let (url, dataDirectory) = try await TestDatabase.make()
        var config = LuminaConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.database = try DatabaseURL(parsing: url)
        config.dataDirectory = dataDirectory
        config.publicDirectory = TestDatabase.repositoryRoot + "/Public"
        config.bcryptCost = 4
        config.databasePoolSize = 4
        // Jobs run when a test says so: a real hourly fire at HH:00 landing inside a test that counts
        // runs or presses "Run now" would fail it for reasons that are not the code's.
        config.cleaningSchedule = quietSchedule
        config.insightsSchedule = quietSchedule
        config.reportsSchedule = quietSchedule
        configure(&config)
        var logger = Logger(label: "lumina-test")
        logger.logLevel = ProcessInfo.processInfo.environment["LUMINA_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let database = try await Database.open(config.database, poolSize: config.databasePoolSize, logger: logger)
        let services = try await LuminaServices.make(configuration: config, database: database,
                                                     registry: PrometheusCollectorRegistry(), logger: logger, bcryptCost: 4)
        let app = try buildApplication(services: services, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        do {
            let result = try await app.test(.live) { client in try await body(TestClient(client: client, services: services)) }
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

}

/// A thin client over the live server that speaks the JSON API and HTML forms like a browser or a script.
struct TestClient: Sendable {
    let client: any TestClientProtocol
    /// The server's own stores, for arranging state the API deliberately cannot create (a viewer account).
    let services: LuminaServices

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String
        var json: JSONValue { JSONValue.parse(text) }
        var errorCode: String? { json["error"]?["code"]?.stringValue }
        var errorMessage: String? { json["error"]?["message"]?.stringValue }
        var cookies: [String: String] {
            var result: [String: String] = [:]
            for field in headers where field.name == .setCookie {
                let pair = field.value.split(separator: ";").first ?? ""
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
            }
            return result
        }
    }

    func request(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = nil,
                 headers: HTTPFields = [:]) async throws -> Reply {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        if headers[.accept] == nil { headers[.accept] = "application/json" }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers,
                                                       body: json.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Registers through the API and returns a bearer token for the new account.
    func registerAndLogin(_ email: String, password: String = "correct horse", name: String = "") async throws -> (token: String, id: Int, role: String) {
        let registered = try await request(.post, "/api/v1/auth/register",
                                           json: #"{"email":"\#(email)","password":"\#(password)","name":"\#(name)"}"#)
        guard registered.status == .created else { throw TestFailure("register \(email): \(registered.status) \(registered.text)") }
        let login = try await request(.post, "/api/v1/auth/token", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
        guard login.status == .created, let token = login.json["token"]?.stringValue else {
            throw TestFailure("login \(email): \(login.status) \(login.text)")
        }
        let id = login.json["user"]?["id"]?.intValue ?? 0
        return (token, id, login.json["user"]?["role"]?.stringValue ?? "")
    }
}

/// A browser-like session: keeps cookies and reads CSRF tokens from pages.
struct BrowserSession {
    let client: TestClient
    var cookies: [String: String] = [:]

    init(client: TestClient) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    mutating func get(_ path: String) async throws -> TestClient.Reply {
        var headers: HTTPFields = [.accept: "text/html"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let reply = try await client.request(.get, path, headers: headers)
        absorb(reply)
        return reply
    }

    mutating func post(_ path: String, form: [String: String]) async throws -> TestClient.Reply {
        var headers: HTTPFields = [.accept: "text/html", .contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let body = form.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
        }.joined(separator: "&")
        let response = try await client.client.executeRequest(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        let reply = TestClient.Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        absorb(reply)
        return reply
    }

    /// The CSRF token a page embeds in its forms.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    private mutating func absorb(_ reply: TestClient.Reply) {
        for (name, value) in reply.cookies { if value.isEmpty { cookies[name] = nil } else { cookies[name] = value } }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
