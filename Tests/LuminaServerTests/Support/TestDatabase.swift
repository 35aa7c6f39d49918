import Foundation
import Logging
import PostgresNIO
@testable import LuminaServer

/// The database a test runs against, chosen by `LUMINA_TEST_DATABASE` (`sqlite` or `postgres`).
///
/// SQLite tests get a fresh file in a temporary folder. PostgreSQL tests get a fresh database created
/// through the admin URL in `LUMINA_TEST_POSTGRES_URL`, so tests never see each other's rows.
enum TestDatabase {
    static var engine: String { ProcessInfo.processInfo.environment["LUMINA_TEST_DATABASE"] ?? "sqlite" }

    struct MissingPostgresURL: Error, CustomStringConvertible {
        var description: String { "LUMINA_TEST_DATABASE=postgres needs LUMINA_TEST_POSTGRES_URL (scripts/test.sh sets both)" }
    }

    /// A new, empty database and a scratch data directory.
    static func make() async throws -> (url: DatabaseURL, dataDirectory: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lumina-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard engine == "postgres" else { return (.sqlite(path: directory + "/lumina.db"), directory) }
        guard let admin = ProcessInfo.processInfo.environment["LUMINA_TEST_POSTGRES_URL"] else { throw MissingPostgresURL() }
        guard case .postgres(var settings) = try DatabaseURL(parsing: admin) else { throw MissingPostgresURL() }
        let name = "lumina_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: settings.host, port: settings.port, username: settings.username,
                                 password: settings.password, database: settings.database, tls: .disable),
            id: 1, logger: Logger(label: "test-db"))
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test-db"))
        try await connection.close()
        settings.database = String(name)
        return (.postgres(settings), directory)
    }
}
