import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `lumina serve`: runs the server until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the LuminaBI server (the default).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.configuration()
        let logger = Bootstrap.logging(level: config.logLevel)
        let registry = Bootstrap.metrics()
        let database = try await Bootstrap.openDatabase(config, logger: logger)
        let services = try await LuminaServices.make(configuration: config, database: database, registry: registry,
                                                     logger: logger, bcryptCost: UInt8(config.bcryptCost))
        let app = try buildApplication(services: services, logger: logger)
        do {
            try await app.runService()
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}

/// Process-wide set-up that may happen only once.
enum Bootstrap {
    static func logging(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "lumina")
        logger.logLevel = level
        return logger
    }

    static func metrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    /// Opens the database, or ends the process with one clear line when it cannot be reached.
    static func openDatabase(_ config: LuminaConfiguration, logger: Logger) async throws -> Database {
        do {
            let database = try await Database.open(config.database, poolSize: config.databasePoolSize, logger: logger)
            try await database.checkReachable()
            return database
        } catch {
            FileHandle.standardError.write(Data("lumina: cannot open the database \(config.database): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
