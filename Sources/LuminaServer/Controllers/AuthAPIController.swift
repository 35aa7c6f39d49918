import Foundation
import Hummingbird

/// `/api/v1/auth`: bearer tokens and self-registration for scripts.
struct AuthAPIController: Sendable {
    let accounts: AccountService
    let tokens: APITokenStore
    let maxBodySize: Int

    func addRoutes(to group: RouterGroup<LuminaRequestContext>) {
        group.post("token", use: createToken)
        group.delete("token", use: revokeToken)
        group.post("register", use: register)
        group.get("me", use: me)
    }

    struct TokenResponse: Encodable {
        let token: String
        let user: PublicUser
    }

    @Sendable func createToken(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        var body = try await JSONBody(request, limit: maxBodySize)
        let email = body.string("email")
        let password = body.rawString("password")
        try body.validate()
        do {
            let user = try await accounts.authenticate(email: email!, password: password!, address: context.remoteAddress)
            let (token, _) = try await tokens.create(userID: user.id, name: "API token")
            return try .json(TokenResponse(token: token, user: user.publicView), status: .created)
        } catch let error as AccountService.AccountError {
            throw error.apiError
        }
    }

    @Sendable func revokeToken(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard case .token(let id)? = context.identity?.method else {
            throw APIError.badRequest("no_token", "Send the token to revoke as 'Authorization: Bearer <token>'.")
        }
        _ = try await tokens.revoke(id: id, userID: user.id)
        return Response(status: .noContent)
    }

    @Sendable func register(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        var body = try await JSONBody(request, limit: maxBodySize)
        let email = body.string("email")
        let password = body.rawString("password")
        let name = body.string("name", required: false, maxLength: 100) ?? ""
        try body.validate()
        do {
            let user = try await accounts.register(email: email!, name: name, password: password!)
            return try .json(user.publicView, status: .created)
        } catch let error as AccountService.AccountError {
            throw error.apiError
        }
    }

    @Sendable func me(_ request: Request, context: LuminaRequestContext) async throws -> Response {
        try .json(try context.requireUser().publicView)
    }
}
