import Foundation
import SQLKit

/// Bearer tokens for scripts, stored hashed and revocable.
struct APITokenStore: Sendable {
    let database: Database

    struct TokenInfo: Sendable {
        let id: Int
        let name: String
        let createdAt: Date
        let lastUsedAt: Date?
        let revokedAt: Date?
    }

    /// Returns the token text (shown once) and its id.
    func create(userID: Int, name: String, expiresAt: Date? = nil) async throws -> (token: String, id: Int) {
        let token = SecureToken.generate(prefix: "lum_")
        let id = try await database.withConnection { db in
            try await db.insert(into: "api_tokens")
                .columns("user_id", "token_hash", "name", "created_at", "expires_at")
                .values(SQLBind(userID), SQLBind(SecureToken.hash(token)), SQLBind(name), SQLBind(Date()), SQLBind(expiresAt))
                .returning("id").first()!.decode(column: "id", as: Int.self)
        }
        return (token, id)
    }

    /// The owner of a live token; nil when unknown, expired or revoked.
    func authenticate(_ token: String) async throws -> (user: User, tokenID: Int)? {
        try await database.withConnection { db in
            guard let row = try await db.select()
                .column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("users")))
                .column(SQLColumn("id", table: "api_tokens"), as: "token_id")
                .column(SQLColumn("expires_at", table: "api_tokens"), as: "token_expires_at")
                .column(SQLColumn("revoked_at", table: "api_tokens"), as: "token_revoked_at")
                .from("api_tokens")
                .join("users", on: SQLColumn("user_id", table: "api_tokens"), .equal, SQLColumn("id", table: "users"))
                .where(SQLColumn("token_hash", table: "api_tokens"), .equal, SQLBind(SecureToken.hash(token)))
                .first()
            else { return nil }
            if try row.decodeNil(column: "token_revoked_at") == false { return nil }
            if let expires = try row.decode(column: "token_expires_at", as: Date?.self), expires <= Date() { return nil }
            let tokenID = try row.decode(column: "token_id", as: Int.self)
            try await db.update("api_tokens").set("last_used_at", to: SQLBind(Date())).where("id", .equal, tokenID).run()
            return (try UserStore.decode(row), tokenID)
        }
    }

    func revoke(id: Int, userID: Int) async throws -> Bool {
        try await database.withConnection { db in
            let row = try await db.update("api_tokens").set("revoked_at", to: SQLBind(Date()))
                .where("id", .equal, id).where("user_id", .equal, userID).where("revoked_at", .is, SQLLiteral.null)
                .returning("id").first()
            return row != nil
        }
    }

    func list(userID: Int) async throws -> [TokenInfo] {
        try await database.withConnection { db in
            try await db.select().columns("id", "name", "created_at", "last_used_at", "revoked_at").from("api_tokens")
                .where("user_id", .equal, userID).orderBy("id", .descending).all().map { row in
                    TokenInfo(id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                              createdAt: try row.decode(column: "created_at", as: Date.self),
                              lastUsedAt: try row.decode(column: "last_used_at", as: Date?.self),
                              revokedAt: try row.decode(column: "revoked_at", as: Date?.self))
                }
        }
    }
}
