import Foundation
import Logging

/// Sign-up and sign-in rules shared by the HTML pages, the JSON API and `lumina createuser`.
struct AccountService: Sendable {
    let users: UserStore
    let hasher: PasswordHasher
    let limiter: LoginRateLimiter
    let logger: Logger
    /// Verified against when the email is unknown, so both failures take the same time and do not
    /// reveal which emails have accounts.
    let dummyHash: String

    enum AccountError: Error, Equatable {
        case invalid([String: String])
        case emailTaken
        case badCredentials
        case rateLimited(retryAfter: Int, reason: String)
    }

    /// Validates and creates an account. Self-registration yields `analyst` (admin for the very first account).
    func register(email: String, name: String, password: String, role: Role = .analyst,
                  firstBecomesAdmin: Bool = true) async throws -> User {
        var problems: [String: String] = [:]
        let email = UserStore.normalise(email)
        if !Self.looksLikeEmail(email) { problems["email"] = "Enter a valid email address, like ana@example.com." }
        if password.count < PasswordHasher.minimumLength {
            problems["password"] = "Use at least \(PasswordHasher.minimumLength) characters."
        }
        if password.count > 200 { problems["password"] = "Use at most 200 characters." }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.count > 100 { problems["name"] = "Use at most 100 characters." }
        guard problems.isEmpty else { throw AccountError.invalid(problems) }
        let displayName = name.isEmpty ? String(email.split(separator: "@").first ?? "") : name
        do {
            let user = try await users.create(email: email, name: displayName, passwordHash: try await hasher.hash(password), role: role,
                                             firstBecomesAdmin: firstBecomesAdmin)
            logger.info("account created", metadata: ["user_id": "\(user.id)", "role": "\(user.role.rawValue)"])
            return user
        } catch UserStore.StoreError.emailTaken {
            throw AccountError.emailTaken
        }
    }

    /// Checks credentials under the rate limit; the same error for an unknown email and a wrong password.
    func authenticate(email: String, password: String, address: String) async throws -> User {
        let account = UserStore.normalise(email)
        if case .blocked(let retry, let reason) = await limiter.check(account: account, address: address) {
            logger.warning("sign-in rate limited", metadata: ["address": "\(address)"])
            throw AccountError.rateLimited(retryAfter: retry, reason: reason)
        }
        let user = try await users.find(email: account)
        let valid = try await hasher.verify(password, hash: user?.passwordHash ?? dummyHash)
        guard let user, valid else {
            await limiter.recordFailure(account: account, address: address)
            throw AccountError.badCredentials
        }
        await limiter.recordSuccess(account: account)
        return user
    }

    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !email.contains(" ") && email.count <= 254
    }
}

extension AccountService.AccountError {
    /// The API form of each failure.
    var apiError: APIError {
        switch self {
        case .invalid(let fields): .validation(fields)
        case .emailTaken: .conflict("email_taken", "An account with this email already exists.")
        case .badCredentials: APIError(status: .unauthorized, code: "invalid_credentials", message: "The email or password is not correct.")
        case .rateLimited(let retry, let reason):
            .rateLimited("\(reason) Try again in \(retry / 60 + (retry % 60 == 0 ? 0 : 1)) minute(s).", retryAfter: retry)
        }
    }
}
