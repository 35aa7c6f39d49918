import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The few HTTP calls the load test needs: accounts, dashboards, members and the push API.
struct LoadAPI: Sendable {
    let base: String
    /// No HTTP call may hold the run up for longer than this.
    let timeout: TimeInterval = 10

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func call(_ method: String, _ path: String, _ body: [String: Any], token: String? = nil) async throws -> [String: Any] {
        guard let url = URL(string: base + path) else { throw Failure(description: "bad URL \(base + path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw Failure(description: "\(method) \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Registers `count` fresh accounts and signs each in; the first owns the dashboards.
    func signIn(count: Int) async throws -> [(email: String, token: String)] {
        let run = UUID().uuidString.prefix(8).lowercased()
        var users: [(email: String, token: String)] = []
        for index in 0..<count {
            let email = "load-\(run)-\(index)@example.com"
            let password = "load test password \(run)"
            _ = try await call("POST", "/api/v1/auth/register", ["email": email, "password": password, "name": "Load \(index)"])
            let reply = try await call("POST", "/api/v1/auth/token", ["email": email, "password": password])
            guard let token = reply["token"] as? String else { throw Failure(description: "no token in \(reply)") }
            users.append((email, token))
        }
        return users
    }

    func createDashboard(token: String, name: String) async throws -> Int {
        let reply = try await call("POST", "/api/v1/dashboards", ["name": name], token: token)
        guard let id = reply["id"] as? Int else { throw Failure(description: "no dashboard id in \(reply)") }
        return id
    }

    func addMember(token: String, dashboard: Int, email: String) async throws {
        _ = try await call("POST", "/api/v1/dashboards/\(dashboard)/members", ["email": email, "role": "viewer"], token: token)
    }

    /// One broadcast: the send time (wall clock, nanoseconds, as a string so that no JSON number
    /// type can round it) and the sequence number travel in the event.
    func push(token: String, dashboard: Int, seq: Int) async throws {
        _ = try await call("POST", "/api/v1/dashboards/\(dashboard)/events",
                           ["type": "load", "seq": seq, "ts": String(Clock.wallNanoseconds())], token: token)
    }
}
