import Foundation
import Hummingbird
import NIOCore

/// Per-request facts: who is asking and from where. Services never live here; it is rebuilt per request.
struct LuminaRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Where a WebSocket route leaves the code that serves the socket (see `Router.socket`).
    let socketUpgrade: SocketUpgradeSlot
    /// The signed-in user, set by `AuthenticationMiddleware`.
    var identity: Identity?
    /// The peer's IP address, for rate limits and the access log.
    let remoteAddress: String
    /// The double-submit CSRF token for forms shown before sign-in (login, register).
    var anonymousCSRFToken: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.socketUpgrade = SocketUpgradeSlot()
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    var responseEncoder: JSONEncoder { .lumina }
}

/// How the current request proved who it is.
struct Identity: Sendable {
    enum Method: Sendable, Equatable {
        /// A browser session; unsafe requests must carry its CSRF token.
        case session(id: String, csrfToken: String)
        /// A bearer token; not ambient, so no CSRF check applies.
        case token(id: Int)
    }

    var user: User
    var method: Method

    var csrfToken: String? {
        if case .session(_, let token) = method { return token }
        return nil
    }
}

extension LuminaRequestContext {
    /// The signed-in user, or 401 for the API (pages redirect earlier, in `PageAuthMiddleware`).
    func requireUser() throws -> User {
        guard let user = identity?.user else { throw APIError.unauthenticated }
        return user
    }

    /// The signed-in user when their role allows creating datasets and dashboards, else 403.
    func requireCreator() throws -> User {
        let user = try requireUser()
        guard user.role.canCreateContent else {
            throw APIError.forbidden("Viewers cannot create datasets or dashboards.")
        }
        return user
    }

    func requireAdmin() throws -> User {
        let user = try requireUser()
        guard user.role == .admin else { throw APIError.forbidden("Only administrators may do this.") }
        return user
    }
}
