import Foundation
import Logging
import PostgresNIO

/// The database a test runs against, chosen by `LUMINA_TEST_DATABASE` (`sqlite` or `postgres`).
///
/// SQLite tests get a fresh file in a temporary folder. PostgreSQL tests get a fresh database created
/// through the admin URL in `LUMINA_TEST_POSTGRES_URL`, so tests never see each other's rows.
public enum TestDatabase {
    public static var engine: String { ProcessInfo.processInfo.environment["LUMINA_TEST_DATABASE"] ?? "sqlite" }

    public struct MissingPostgresURL: Error, CustomStringConvertible {
        public var description: String {
            "PostgreSQL tests need LUMINA_TEST_POSTGRES_URL=postgres://user@host:port/admin_db (scripts/test.sh starts a server and sets it)"
        }
    }

    /// A new, empty database (as a `LUMINA_DATABASE_URL`) and a scratch data directory.
    public static func make() async throws -> (url: String, dataDirectory: String) {
        guard engine == "postgres" else {
            let directory = try scratchDirectory()
            return ("sqlite://" + directory + "/lumina.db", directory)
        }
        return try await makePostgres()
    }

    /// A new PostgreSQL database whatever the engine under test, for what only PostgreSQL does
    /// (several nodes sharing one database).
    public static func makePostgres() async throws -> (url: String, dataDirectory: String) {
        let directory = try scratchDirectory()
        guard let admin = ProcessInfo.processInfo.environment["LUMINA_TEST_POSTGRES_URL"],
              let components = URLComponents(string: admin), let host = components.host
        else { throw MissingPostgresURL() }
        let name = "lumina_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let logger = Logger(label: "test-db")
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
                                 password: components.password, database: String(components.path.dropFirst()), tls: .disable),
            id: 1, logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        try await connection.close()
        var url = components
        url.path = "/" + name
        return (url.string ?? admin, directory)
    }

    static func scratchDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lumina-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The repository root, found from this file's path, so tests run from any working directory.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()
}
