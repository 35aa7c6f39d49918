import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// One query layer over SQLite and PostgreSQL.
///
/// Stores write their queries once with SQLKit; the few places where the engines differ in DDL
/// (identity columns, timestamp types) go through `ddl(_:)`. SQLite gets a small pool of connections
/// in WAL mode so readers never wait for the one writer; PostgreSQL uses PostgresNIO's `PostgresClient`,
/// which must be running as a service (`service`) for queries to complete.
public final class Database: Sendable {
    public enum Engine: String, Sendable { case sqlite, postgres }

    public let engine: Engine
    public let logger: Logger
    /// Internal (not private) so the bulk-loading paths in `Database+Bulk.swift` reach the drivers' connections.
    let backend: Backend

    enum Backend: Sendable {
        case sqlite(SQLiteConnectionPool)
        case postgres(PostgresClient)
    }

    public enum OpenError: Error, CustomStringConvertible {
        case cannotCreateDirectory(String, underlying: String)
        case unreachable(String, underlying: String)

        public var description: String {
            switch self {
            case .cannotCreateDirectory(let dir, let why): "cannot create database directory \(dir): \(why)"
            case .unreachable(let url, let why): "cannot reach the database at \(url): \(why)"
            }
        }
    }

    /// Connection settings, kept for the one-off connections of `checkReachable` and LISTEN.
    let settings: DatabaseURL.PostgresSettings?

    private init(engine: Engine, backend: Backend, logger: Logger, settings: DatabaseURL.PostgresSettings? = nil) {
        self.engine = engine
        self.backend = backend
        self.logger = logger
        self.settings = settings
    }

    /// Opens the database named by `url`; SQLite files (and their folder) are created on first use.
    public static func open(_ url: DatabaseURL, poolSize: Int = 16, logger: Logger) async throws -> Database {
        switch url {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw OpenError.cannotCreateDirectory(directory, underlying: "\(error.localizedDescription)")
                }
            }
            let pool = try await SQLiteConnectionPool(path: path, size: 4, logger: logger)
            return Database(engine: .sqlite, backend: .sqlite(pool), logger: logger)
        case .postgres(let settings):
            var config = PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.username,
                password: settings.password, database: settings.database, tls: .disable
            )
            config.options.maximumConnections = max(2, poolSize)
            config.options.connectionIdleTimeout = .seconds(60)
            let client = PostgresClient(configuration: config, backgroundLogger: logger)
            return Database(engine: .postgres, backend: .postgres(client), logger: logger, settings: settings)
        }
    }

    /// The service that must run while PostgreSQL is used (the client's connection pool); nil on SQLite.
    public var service: (any Service)? {
        if case .postgres(let client) = backend { return client }
        return nil
    }

    /// The PostgreSQL client, for LISTEN/NOTIFY and COPY which SQLKit does not cover.
    public var postgresClient: PostgresClient? {
        if case .postgres(let client) = backend { return client }
        return nil
    }

    /// Fails fast with the driver's reason when the server cannot be reached, so a wrong URL is one
    /// clear line at start rather than errors on every request.
    public func checkReachable() async throws {
        guard case .postgres = backend, let settings else { return }
        do {
            let connection = try await withTimeout(.seconds(10)) {
                try await PostgresConnection.connect(
                    configuration: .init(host: settings.host, port: settings.port, username: settings.username,
                                         password: settings.password, database: settings.database, tls: .disable),
                    id: 0, logger: self.logger)
            }
            try await connection.close()
        } catch let error as PSQLError {
            let reason = error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
            throw OpenError.unreachable("\(settings.host):\(settings.port)", underlying: reason)
        } catch {
            throw OpenError.unreachable("\(settings.host):\(settings.port)", underlying: "\(error)")
        }
    }

    /// Runs `body` while the PostgreSQL client's service runs, for commands that live outside the server.
    public func whileRunning<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        guard case .postgres(let client) = backend else { return try await body() }
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Runs `body` with one connection to the database.
    public func withConnection<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let pool):
            return try await pool.withConnection { try await body($0.sql(queryLogLevel: .trace)) }
        case .postgres(let client):
            return try await client.withConnection { try await body($0.sql(queryLogLevel: .trace, logger: self.logger)) }
        }
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    ///
    /// SQLite starts with `BEGIN IMMEDIATE` so two writers queue on the busy timeout instead of
    /// deadlocking when both try to upgrade a read lock.
    public func transaction<R: Sendable>(_ body: (any SQLDatabase) async throws -> R) async throws -> R {
        try await withConnection { db in
            try await db.raw(SQLQueryString(engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN")).run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Answers whether the database responds, for `/readyz`.
    public func ping() async -> Bool {
        do {
            return try await withTimeout(.seconds(2)) {
                try await self.withConnection { db in try await db.raw("SELECT 1 AS one").first() != nil }
            }
        } catch {
            return false
        }
    }

    /// Closes SQLite connections; PostgreSQL closes when its service stops.
    public func close() async {
        if case .sqlite(let pool) = backend { await pool.close() }
    }

    /// Engine-specific DDL fragments: `{ID}` an auto-incrementing primary key, `{TS}` a timestamp,
    /// `{BIGINT}` a 64-bit integer, `{DOUBLE}` a float, `{JSON}` a JSON document kept as text.
    func ddl(_ template: String) -> String {
        let replacements: [(String, String)] = switch engine {
        case .sqlite: [("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("{TS}", "REAL"), ("{BIGINT}", "INTEGER"),
                       ("{DOUBLE}", "REAL"), ("{JSON}", "TEXT")]
        case .postgres: [("{ID}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"), ("{TS}", "TIMESTAMPTZ"),
                         ("{BIGINT}", "BIGINT"), ("{DOUBLE}", "DOUBLE PRECISION"), ("{JSON}", "TEXT")]
        }
        return replacements.reduce(template) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}

/// Runs `operation`, giving up with `TimeoutError` after `duration`.
func withTimeout<R: Sendable>(_ duration: Duration, _ operation: @escaping @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError()
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String { "timed out" }
}
