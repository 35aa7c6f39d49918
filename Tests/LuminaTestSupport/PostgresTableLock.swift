import Foundation
import Logging
import PostgresNIO

/// Holds an exclusive lock on one table of a test database from its own connection, so a test can
/// make a real server's query wait (a job stuck on a lock) and then let it go.
public final class PostgresTableLock: @unchecked Sendable {
    private let connection: PostgresConnection
    private let logger = Logger(label: "test-lock")

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Opens a connection to `url`, begins a transaction and takes `ACCESS EXCLUSIVE` on `table`.
    public static func acquire(url: String, table: String) async throws -> PostgresTableLock {
        guard let components = URLComponents(string: url), let host = components.host else { throw TestDatabase.MissingPostgresURL() }
        let logger = Logger(label: "test-lock")
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                                 password: components.password, database: String(components.path.dropFirst()), tls: .disable),
            id: 2, logger: logger)
        try await connection.query("BEGIN", logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE"), logger: logger)
        return PostgresTableLock(connection: connection)
    }

    /// Ends the transaction (releasing the lock) and closes the connection.
    public func release() async throws {
        try await connection.query("ROLLBACK", logger: logger)
        try await connection.close()
    }
}
