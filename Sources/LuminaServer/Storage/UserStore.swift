import Foundation
import SQLKit

/// Accounts in the database.
struct UserStore: Sendable {
    let database: Database

    enum StoreError: Error { case emailTaken }

    /// Creates an account; the first account on an empty database becomes admin whatever was asked,
    /// decided inside the insert's transaction so two simultaneous first sign-ups cannot both win.
    func create(email: String, name: String, passwordHash: String, role: Role, firstBecomesAdmin: Bool = true) async throws -> User {
        let email = Self.normalise(email)
        return try await database.transaction { db in
            if database.engine == .postgres {
                try await db.raw("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").run()
            }
            if try await db.select().column("id").from("users").where("email", .equal, email).first() != nil {
                throw StoreError.emailTaken
            }
            let count = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("users")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            let finalRole: Role = (firstBecomesAdmin && count == 0) ? .admin : role
            let now = Date()
            let row = try await db.insert(into: "users")
                .columns("email", "name", "password_hash", "role", "created_at", "updated_at")
                .values(SQLBind(email), SQLBind(name), SQLBind(passwordHash), SQLBind(finalRole.rawValue), SQLBind(now), SQLBind(now))
                .returning("id")
                .first()
            let id = try row!.decode(column: "id", as: Int.self)
            return User(id: id, email: email, name: name, role: finalRole, passwordHash: passwordHash, createdAt: now, updatedAt: now)
        }
    }

    func find(id: Int) async throws -> User? {
        try await database.withConnection { db in
            try await db.select().column("*").from("users").where("id", .equal, id).first().map(Self.decode)
        }
    }

    func find(email: String) async throws -> User? {
        try await database.withConnection { db in
            try await db.select().column("*").from("users").where("email", .equal, Self.normalise(email)).first().map(Self.decode)
        }
    }

    func all() async throws -> [User] {
        try await database.withConnection { db in
            try await db.select().column("*").from("users").orderBy("id").all().map(Self.decode)
        }
    }

    func update(id: Int, name: String? = nil, passwordHash: String? = nil, role: Role? = nil) async throws {
        try await database.withConnection { db in
            var query = db.update("users").set("updated_at", to: SQLBind(Date())).where("id", .equal, id)
            if let name { query = query.set("name", to: SQLBind(name)) }
            if let passwordHash { query = query.set("password_hash", to: SQLBind(passwordHash)) }
            if let role { query = query.set("role", to: SQLBind(role.rawValue)) }
            try await query.run()
        }
    }

    static func normalise(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func decode(_ row: any SQLRow) throws -> User {
        User(
            id: try row.decode(column: "id", as: Int.self),
            email: try row.decode(column: "email", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self)
        )
    }
}
