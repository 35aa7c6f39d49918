import ArgumentParser
import Foundation
import Testing
@testable import LuminaServer

@Suite("Configuration") struct ConfigurationTests {
    @Test func defaultsMatchTheContract() throws {
        let config = try ServerOptions.parse([]).configuration(environment: [:])
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8000)
        #expect(config.database == .sqlite(path: "data/lumina.db"))
        #expect(config.dataDirectory == "data")
        #expect(config.smtp.port == 587)
        #expect(config.smtp.security == .starttls)
    }

    @Test func environmentFillsWhatFlagsLeaveOut() throws {
        let env = ["LUMINA_PORT": "9001", "LUMINA_DATABASE_URL": "postgres://lumina:s%40cret@db.internal:6543/bi",
                   "LUMINA_ALLOWED_ORIGINS": "https://bi.example.com, https://other.example.com", "LUMINA_SMTP_TLS": "tls"]
        let config = try ServerOptions.parse(["--host", "0.0.0.0"]).configuration(environment: env)
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 9001)
        #expect(config.allowedOrigins == ["https://bi.example.com", "https://other.example.com"])
        #expect(config.smtp.security == .tls)
        guard case .postgres(let pg) = config.database else { Issue.record("expected PostgreSQL"); return }
        #expect(pg.host == "db.internal")
        #expect(pg.port == 6543)
        #expect(pg.password == "s@cret")
        #expect(pg.database == "bi")
    }

    @Test func flagsWinOverEnvironment() throws {
        let config = try ServerOptions.parse(["--port", "7000", "--data-dir", "/srv/lumina"])
            .configuration(environment: ["LUMINA_PORT": "9001"])
        #expect(config.port == 7000)
        #expect(config.database == .sqlite(path: "/srv/lumina/lumina.db"))
    }

    @Test func sqliteURLFormsAreAbsoluteOrRelative() throws {
        #expect(try DatabaseURL(parsing: "sqlite:///var/lib/lumina.db") == .sqlite(path: "/var/lib/lumina.db"))
        #expect(try DatabaseURL(parsing: "sqlite://data/lumina.db") == .sqlite(path: "data/lumina.db"))
    }

    @Test func badValuesAreExplained() {
        #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: "mysql://x/y") }
        #expect(throws: (any Error).self) { try ServerOptions.parse([]).configuration(environment: ["LUMINA_PORT": "eighty"]) }
        do {
            _ = try ServerOptions.parse([]).configuration(environment: ["LUMINA_PORT": "eighty"])
        } catch {
            #expect("\(error)".contains("LUMINA_PORT must be a number, got 'eighty'"))
        }
    }

    @Test func passwordIsNotPrintedInLogs() throws {
        let url = try DatabaseURL(parsing: "postgres://lumina:topsecret@db:5432/bi")
        #expect(!url.description.contains("topsecret"))
    }
}
