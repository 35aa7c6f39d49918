import Foundation
import HTTPTypes
import Hummingbird

/// Establishes who is asking: a bearer token or the session cookie.
///
/// A bad bearer token is a 401 at once (scripts want to know); a stale cookie is ignored and cleared,
/// so the page flow simply asks the person to sign in. Session-authenticated API calls that change
/// state must carry `X-CSRF-Token`, since cookies are sent by the browser on cross-site requests too.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = LuminaRequestContext
    static let sessionCookie = "lumina_session"
    static let csrfCookie = "lumina_csrf"

    let sessions: SessionStore
    let tokens: APITokenStore
    let secureCookies: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var clearSession = false
        if let bearer = Self.bearerToken(request) {
            guard let (user, tokenID) = try await tokens.authenticate(bearer) else {
                throw APIError(status: .unauthorized, code: "invalid_token", message: "The bearer token is unknown, expired or revoked.")
            }
            context.identity = Identity(user: user, method: .token(id: tokenID))
        } else if let cookie = request.cookies[Self.sessionCookie]?.value {
            if let found = try await sessions.lookup(token: cookie) {
                context.identity = Identity(user: found.user, method: .session(id: found.sessionID, csrfToken: found.csrfToken))
            } else {
                clearSession = true
            }
        }
        if let identity = context.identity, case .session(_, let csrf) = identity.method,
           request.uri.path.hasPrefix("/api/"), ![.get, .head, .options].contains(request.method) {
            guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], SecureToken.constantTimeEquals(sent, csrf) else {
                throw APIError.csrf
            }
        }
        var newCSRF: String?
        if context.identity == nil {
            if let existing = request.cookies[Self.csrfCookie]?.value, existing.count >= 20 {
                context.anonymousCSRFToken = existing
            } else {
                newCSRF = SecureToken.generate()
                context.anonymousCSRFToken = newCSRF
            }
        }
        var response = try await next(request, context)
        if let newCSRF, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(Cookie(name: Self.csrfCookie, value: newCSRF, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        if clearSession, context.identity == nil {
            response.setCookie(Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        return response
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Sends signed-out visitors of HTML pages to the login page, remembering where they were going.
struct PageAuthMiddleware: RouterMiddleware {
    typealias Context = LuminaRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.identity == nil else { return try await next(request, context) }
        let target = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        let next = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_.~"))) ?? "/"
        return Response.redirect(to: "/accounts/login/?next=\(next)", type: .normal)
    }
}
