import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The few HTTP calls the load test needs: an account, dashboards and the push API.
struct LoadAPI: Sendable {
    let base: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func call(_ method: String, _ path: String, _ body: [String: Any], token: String? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: base + path)!)
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

    func signIn() async throws -> String {
        let email = "load-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        _ = try await call("POST", "/api/v1/auth/register", ["email": email, "password": "load test password", "name": "Load"])
        let reply = try await call("POST", "/api/v1/auth/token", ["email": email, "password": "load test password"])
        guard let token = reply["token"] as? String else { throw Failure(description: "no token in \(reply)") }
        return token
    }

    func createDashboard(token: String, name: String) async throws -> Int {
        let reply = try await call("POST", "/api/v1/dashboards", ["name": name], token: token)
        guard let id = reply["id"] as? Int else { throw Failure(description: "no dashboard id in \(reply)") }
        return id
    }

    func push(token: String, dashboard: Int, seq: Int) async throws {
        _ = try await call("POST", "/api/v1/dashboards/\(dashboard)/events",
                           ["type": "load", "seq": seq, "ts": LoadClient.nowNanoseconds()], token: token)
    }
}
