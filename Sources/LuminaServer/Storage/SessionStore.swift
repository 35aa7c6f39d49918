import Crypto
import Foundation
import SQLKit

/// Server-side browser sessions. The cookie holds a random token; the database holds only its SHA-256,
/// so a leaked database cannot be replayed as cookies.
struct SessionStore: Sendable {
    let database: Database
    let ttl: TimeInterval

    struct Created: Sendable {
        let token: String
        let csrfToken: String
        let expiresAt: Date
    }

    func create(userID: Int, address: String, userAgent: String?) async throws -> Created {
        let token = SecureToken.generate()
        let csrf = SecureToken.generate()
        let now = Date()
        let expires = now.addingTimeInterval(ttl)
        try await database.withConnection { db in
            try await db.insert(into: "sessions")
                .columns("id", "user_id", "csrf_token", "created_at", "expires_at", "last_seen_at", "address", "user_agent")
                .values(SQLBind(SecureToken.hash(token)), SQLBind(userID), SQLBind(csrf), SQLBind(now), SQLBind(expires),
                        SQLBind(now), SQLBind(address), SQLBind(userAgent.map { String($0.prefix(300)) }))
                .run()
        }
        return Created(token: token, csrfToken: csrf, expiresAt: expires)
    }

    /// The user and CSRF token of a live session, or nil when unknown or expired.
    func lookup(token: String) async throws -> (user: User, sessionID: String, csrfToken: String)? {
        let id = SecureToken.hash(token)
        return try await database.withConnection { db in
            guard let row = try await db.select()
                .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("users")))
                .column(SQLColumn("csrf_token", table: "sessions"))
                .column(SQLColumn("expires_at", table: "sessions"), as: "session_expires_at")
                .from("sessions")
                .join("users", on: SQLColumn("user_id", table: "sessions"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("id", table: "sessions"), .equal, SQLBind(id))
                .first()
            else { return nil }
            let expires = try row.decode(column: "session_expires_at", as: Date.self)
            guard expires > Date() else { return nil }
            return (try UserStore.decode(row), id, try row.decode(column: "csrf_token", as: String.self))
        }
    }

    func delete(sessionID: String) async throws {
        try await database.withConnection { db in
            try await db.delete(from: "sessions").where("id", .equal, sessionID).run()
        }
    }

    /// Signs a user out everywhere (after a password change).
    func deleteAll(userID: Int, except keep: String? = nil) async throws {
        try await database.withConnection { db in
            var query = db.delete(from: "sessions").where("user_id", .equal, userID)
            if let keep { query = query.where("id", .notEqual, keep) }
            try await query.run()
        }
    }

    func purgeExpired() async throws {
        try await database.withConnection { db in
            try await db.delete(from: "sessions").where("expires_at", .lessThan, SQLBind(Date())).run()
        }
    }
}

/// Random tokens and their stored form.
enum SecureToken {
    /// 32 random bytes, URL-safe base64 without padding: safe in cookies, headers and query strings.
    static func generate(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without leaking, through timing, how many leading characters matched.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
