import Foundation

/// Which engine to use and where it lives, parsed from `LUMINA_DATABASE_URL`.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    public struct PostgresSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String
    }

    public enum ParseError: Error, CustomStringConvertible {
        case unsupportedScheme(String)
        case missingPath(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .unsupportedScheme(let s):
                "unsupported database URL scheme '\(s)': use sqlite:///path.db or postgres://user:pass@host:5432/db"
            case .missingPath(let url): "database URL '\(url)' names no database file or database name"
            case .invalid(let url): "database URL '\(url)' could not be parsed"
            }
        }
    }

    public init(parsing text: String) throws {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ParseError.missingPath(text) }
            self = .sqlite(path: path)
            return
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw ParseError.invalid(text)
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw ParseError.unsupportedScheme(scheme) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw ParseError.missingPath(text) }
        self = .postgres(PostgresSettings(
            host: components.host ?? "127.0.0.1",
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            database: database
        ))
    }

    public var isPostgres: Bool { if case .postgres = self { true } else { false } }

    /// A form safe for logs: no password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let p): "postgres://\(p.username)@\(p.host):\(p.port)/\(p.database)"
        }
    }
}
