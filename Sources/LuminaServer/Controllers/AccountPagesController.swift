import Foundation
import Hummingbird

/// `/accounts/...`: sign in, register, sign out and profile as HTML forms.
struct AccountPagesController: Sendable {
    let accounts: AccountService
    let sessions: SessionStore
    let tokens: APITokenStore
    let views: ViewRenderer
    let secureCookies: Bool

    func addRoutes(to router: Router<LuminaRequestContext>, signedIn: RouterGroup<LuminaRequestContext>) {
        router.get("accounts/login", use: loginPage)
        router.post("accounts/login", use: login)
        router.get("accounts/register", use: registerPage)
        router.post("accounts/register", use: register)
        router.post("accounts/logout", use: logout)
        signedIn.get("accounts/profile", use: profilePage)
        signedIn.post("accounts/profile", use: updateProfile)
        signedIn.post("accounts/tokens", use: createToken)
        signedIn.post("accounts/tokens/:id/revoke", use: revokeToken)
    }

    struct AuthForm {
        var email = ""
        var name = ""
        var next = ""
        var error: String?
        var errors: [String: String] = [:]
    }

    /// Only local paths are followed after sign-in, so `next` cannot send people to another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/dashboards/" }
        return next
    }

    @Sendable func loginPage(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: "/dashboards/", type: .normal) }
        let next = request.uri.queryParameters[Substring("next")].map(String.init) ?? ""
        return views.page("login", page: AuthForm(next: next), context: context, title: "Sign in")
    }

    @Sendable func login(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let form = try await FormBody(request, context: context)
        var page = AuthForm(email: form["email"], next: form["next"])
        do {
            let user = try await accounts.authenticate(email: form["email"], password: form.fields["password"] ?? "", address: context.remoteAddress)
            return try await signIn(user, request: request, context: context, to: Self.safeNext(form["next"]))
        } catch let error as AccountService.AccountError {
            let apiError = error.apiError
            page.error = apiError.message
            return views.page("login", page: page, context: context, title: "Sign in", status: apiError.status, headers: apiError.headers)
        }
    }

    private func signIn(_ user: User, request: Request, context: LuminaRequestContext, to target: String) async throws -> Response {
        let created = try await sessions.create(userID: user.id, address: context.remoteAddress, userAgent: request.headers[.userAgent])
        var response = Response.redirect(to: target, type: .normal)
        response.setCookie(Cookie(name: AuthenticationMiddleware.sessionCookie, value: created.token, expires: created.expiresAt,
                                  path: "/", secure: secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    @Sendable func registerPage(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        if context.identity != nil { return .redirect(to: "/dashboards/", type: .normal) }
        return views.page("register", page: AuthForm(), context: context, title: "Create an account")
    }

    @Sendable func register(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let form = try await FormBody(request, context: context)
        var page = AuthForm(email: form["email"], name: form["name"])
        let password = form.fields["password"] ?? ""
        if password != (form.fields["password_confirm"] ?? password) {
            page.errors["password"] = "The two passwords do not match."
            return views.page("register", page: page, context: context, title: "Create an account", status: .unprocessableContent)
        }
        do {
            let user = try await accounts.register(email: form["email"], name: form["name"], password: password)
            return try await signIn(user, request: request, context: context, to: "/dashboards/")
        } catch let error as AccountService.AccountError {
            switch error {
            case .invalid(let fields): page.errors = fields
            case .emailTaken: page.errors["email"] = error.apiError.message
            default: page.error = error.apiError.message
            }
            return views.page("register", page: page, context: context, title: "Create an account", status: error.apiError.status)
        }
    }

    @Sendable func logout(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        _ = try await FormBody(request, context: context)
        if case .session(let id, _)? = context.identity?.method { try await sessions.delete(sessionID: id) }
        var response = Response.redirect(to: "/accounts/login/", type: .normal)
        response.setCookie(Cookie(name: AuthenticationMiddleware.sessionCookie, value: "", maxAge: 0, path: "/",
                                  secure: secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }

    struct ProfilePage {
        var name: String
        var email: String
        var role: String
        var message: String?
        var error: String?
        var errors: [String: String] = [:]
        var newToken: String?
        var tokens: [TokenRow]
    }

    struct TokenRow {
        let id: Int
        let name: String
        let created: String
        let lastUsed: String
        let revoked: Bool
    }

    private func profile(_ user: User, message: String? = nil, errors: [String: String] = [:], newToken: String? = nil) async throws -> ProfilePage {
        let rows = try await tokens.list(userID: user.id).map {
            TokenRow(id: $0.id, name: $0.name, created: HTMLFormat.date($0.createdAt),
                     lastUsed: $0.lastUsedAt.map(HTMLFormat.date) ?? "never", revoked: $0.revokedAt != nil)
        }
        return ProfilePage(name: user.name, email: user.email, role: user.role.rawValue, message: message, errors: errors,
                           newToken: newToken, tokens: rows)
    }

    @Sendable func profilePage(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        views.page("profile", page: try await profile(try context.requireUser()), context: context, title: "Profile")
    }

    @Sendable func updateProfile(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let form = try await FormBody(request, context: context)
        var errors: [String: String] = [:]
        let name = form["name"]
        if name.isEmpty || name.count > 100 { errors["name"] = "Enter a name of 1 to 100 characters." }
        let newPassword = form.fields["new_password"] ?? ""
        if !newPassword.isEmpty {
            if newPassword.count < PasswordHasher.minimumLength {
                errors["password"] = "Use at least \(PasswordHasher.minimumLength) characters."
            } else if try await !accounts.hasher.verify(form.fields["current_password"] ?? "", hash: user.passwordHash) {
                errors["password"] = "Your current password is not correct."
            }
        }
        guard errors.isEmpty else {
            return views.page("profile", page: try await profile(user, errors: errors), context: context, title: "Profile",
                              status: .unprocessableContent)
        }
        try await accounts.users.update(id: user.id, name: name, passwordHash: newPassword.isEmpty ? nil : try await accounts.hasher.hash(newPassword))
        if !newPassword.isEmpty, case .session(let id, _)? = context.identity?.method {
            try await sessions.deleteAll(userID: user.id, except: id)
        }
        var updated = user
        updated.name = name
        var context = context
        context.identity?.user = updated
        return views.page("profile", page: try await profile(updated, message: newPassword.isEmpty ? "Profile saved." : "Profile and password saved; other sessions were signed out."),
                          context: context, title: "Profile")
    }

    @Sendable func createToken(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let form = try await FormBody(request, context: context)
        let name = form["name"].isEmpty ? "API token" : String(form["name"].prefix(100))
        let (token, _) = try await tokens.create(userID: user.id, name: name)
        return views.page("profile", page: try await profile(user, message: "Token created. Copy it now: it is shown only once.", newToken: token),
                          context: context, title: "Profile")
    }

    @Sendable func revokeToken(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        _ = try await FormBody(request, context: context)
        let id = try context.parameters.id("id", "token")
        guard try await tokens.revoke(id: id, userID: user.id) else { throw APIError.notFound("token") }
        return .redirect(to: "/accounts/profile/", type: .normal)
    }
}

/// Formatting shared by the HTML views.
enum HTMLFormat {
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date) + " UTC"
    }
}
