import Foundation
import Hummingbird
import Realtime

/// Who is behind a WebSocket, and whether the page that opened it may.
///
/// Browsers always send `Origin`: it must be this server's own origin (as the `Host` header names
/// it) or one configured in `--allowed-origins`, which stops other sites from riding a signed-in
/// user's cookie. A client without `Origin` is a script and must authenticate with `?token=`.
struct SocketAuthenticator: Sendable {
    let tokens: APITokenStore
    let allowedOrigins: [String]

    enum Outcome: Sendable {
        case user(User)
        case refused(code: UInt16, reason: String)
    }

    /// Refuses the HTTP upgrade itself for a foreign origin (403 before any WebSocket exists).
    func checkOrigin(_ request: Request) throws {
        let host = request.head.authority ?? ""
        let own = ["http://\(host)", "https://\(host)"]
        for origin in Self.browserOrigins(request) where !own.contains(origin) && !allowedOrigins.contains(origin) {
            throw APIError.forbidden("WebSocket connections from \(origin) are not allowed.")
        }
    }

    /// The `Origin` values a browser would send (http and https). Non-browser WebSocket libraries
    /// send `ws://host` or nothing; they are treated as scripts, which must bring a token.
    static func browserOrigins(_ request: Request) -> [String] {
        request.headers[values: .origin]
            .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
    }

    func authenticate(_ request: Request, context: LuminaRequestContext) async -> Outcome {
        if let token = request.uri.queryParameters[Substring("token")].map(String.init), !token.isEmpty {
            if let (user, _) = try? await tokens.authenticate(token) { return .user(user) }
            return .refused(code: ChannelCloseCode.unauthorized, reason: "unknown or revoked token")
        }
        guard let user = context.identity?.user else {
            return .refused(code: ChannelCloseCode.unauthorized, reason: "not signed in")
        }
        guard !Self.browserOrigins(request).isEmpty else {
            return .refused(code: ChannelCloseCode.unauthorized, reason: "clients without an Origin must use ?token=")
        }
        return .user(user)
    }
}
