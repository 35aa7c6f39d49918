import Foundation
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO

/// One connection inside a bulk-loading transaction.
///
/// Loading a million rows through SQLKit's per-statement path is far too slow, so the transaction also
/// hands out the driver's own connection: PostgreSQL's for `COPY ... FROM STDIN`, SQLite's for multi-row
/// INSERTs with raw binds. `sql` is the same connection seen through SQLKit, for everything else the
/// caller writes in that transaction (the dataset row, its columns), so all of it commits or none does.
struct BulkConnection: Sendable {
    let sql: any SQLDatabase
    /// The PostgreSQL connection running the transaction; nil on SQLite.
    let postgres: PostgresConnection?
    /// The SQLite connection running the transaction; nil on PostgreSQL.
    let sqlite: SQLiteConnection?

    var engine: Database.Engine { postgres == nil ? .sqlite : .postgres }
}

extension Database {
    /// A transaction that can bulk-load: committed when `body` returns, rolled back when it throws.
    ///
    /// Like `transaction(_:)`, SQLite starts with `BEGIN IMMEDIATE` so a second writer waits on the busy
    /// timeout rather than failing to upgrade a read lock halfway through a load.
    func bulkTransaction<R: Sendable>(_ body: (BulkConnection) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let pool):
            return try await pool.withConnection { connection in
                let bulk = BulkConnection(sql: connection.sql(queryLogLevel: .trace), postgres: nil, sqlite: connection)
                return try await Self.inTransaction(bulk, begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let client):
            return try await client.withConnection { connection in
                let bulk = BulkConnection(sql: connection.sql(queryLogLevel: .trace, logger: logger), postgres: connection,
                                          sqlite: nil)
                return try await Self.inTransaction(bulk, begin: "BEGIN", body)
            }
        }
    }

    /// Runs `body` between BEGIN and COMMIT, rolling back (and rethrowing) when it fails.
    nonisolated(nonsending) private static func inTransaction<R: Sendable>(_ bulk: BulkConnection, begin: String,
                                                   _ body: (BulkConnection) async throws -> R) async throws -> R {
        try await bulk.sql.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(bulk)
            try await bulk.sql.raw("COMMIT").run()
            return result
        } catch {
            try? await bulk.sql.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs `body` with the SQLite driver connection (for fast streaming reads); nil on PostgreSQL.
    func withSQLiteConnection<R: Sendable>(_ body: (SQLiteConnection) async throws -> R) async throws -> R? {
        guard case .sqlite(let pool) = backend else { return nil }
        return try await pool.withConnection(body)
    }
}
