import Foundation
import Logging
import SQLKit

/// One ordered, recorded change to the schema.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// DDL statements in `Database.ddl` template form, run in order inside one transaction.
    let statements: [String]
}

/// Applies the migrations a database has not seen yet, each in its own transaction, and records them.
///
/// On PostgreSQL an advisory lock makes concurrent `lumina` processes migrate one after another,
/// so a cluster started all at once still applies each migration exactly once.
struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]
    let logger: Logger

    init(database: Database, migrations: [Migration] = Schema.migrations, logger: Logger) {
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Returns the versions applied by this call.
    @discardableResult
    func migrate() async throws -> [Int] {
        try await database.withConnection { db in
            if database.engine == .postgres {
                try await db.raw("SELECT pg_advisory_lock(7413001)").run()
            }
            do {
                let applied = try await apply(on: db)
                if database.engine == .postgres { try await db.raw("SELECT pg_advisory_unlock(7413001)").run() }
                return applied
            } catch {
                if database.engine == .postgres { try? await db.raw("SELECT pg_advisory_unlock(7413001)").run() }
                throw error
            }
        }
    }

    private func apply(on db: any SQLDatabase) async throws -> [Int] {
        try await db.raw(SQLQueryString(database.ddl("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {TS} NOT NULL)
            """))).run()
        let done = Set(try await db.select().column("version").from("schema_migrations").all()
            .map { try $0.decode(column: "version", as: Int.self) })
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            let begin: SQLQueryString = database.engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
            try await db.raw(begin).run()
            do {
                for statement in migration.statements {
                    try await db.raw(SQLQueryString(database.ddl(statement))).run()
                }
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date()))
                    .run()
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw MigrationError(version: migration.version, name: migration.name, underlying: "\(error)")
            }
            logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}

struct MigrationError: Error, CustomStringConvertible {
    let version: Int
    let name: String
    let underlying: String
    var description: String { "migration \(version) (\(name)) failed: \(underlying)" }
}
