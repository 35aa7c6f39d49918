import ArgumentParser
import Foundation

/// `lumina migrate`: applies pending migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let config = try options.configuration()
        let logger = Bootstrap.logging(level: config.logLevel)
        let database = try await Bootstrap.openDatabase(config, logger: logger)
        do {
            let applied = try await database.whileRunning {
                try await Migrator(database: database, logger: logger).migrate()
            }
            await database.close()
            logger.info("migrations done", metadata: ["applied": "\(applied.count)", "database": "\(config.database)"])
        } catch {
            await database.close()
            FileHandle.standardError.write(Data("lumina: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// `lumina createuser`: creates an account from the shell (the usual way to make the first admin).
struct CreateUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "createuser", abstract: "Create a user account.")

    @OptionGroup var options: ServerOptions
    @Option(help: "Email address.") var email: String
    @Option(help: "Password (at least 8 characters).") var password: String
    @Option(help: "admin, analyst or viewer.") var role: String = "analyst"
    @Option(help: "Display name.") var name: String = ""

    func run() async throws {
        guard let role = Role(rawValue: role) else { throw ValidationError("role must be admin, analyst or viewer; got '\(role)'") }
        let config = try options.configuration()
        let logger = Bootstrap.logging(level: config.logLevel)
        let database = try await Bootstrap.openDatabase(config, logger: logger)
        let hasher = PasswordHasher(cost: UInt8(config.bcryptCost))
        let accounts = AccountService(users: UserStore(database: database), hasher: hasher,
                                      limiter: LoginRateLimiter(limits: config.loginLimits), logger: logger, dummyHash: "")
        do {
            let user = try await database.whileRunning {
                try await Migrator(database: database, logger: logger).migrate()
                return try await accounts.register(email: email, name: name, password: password, role: role, firstBecomesAdmin: false)
            }
            await database.close()
            FileHandle.standardOutput.write(Data("created user \(user.id) \(user.email) (\(user.role.rawValue))\n".utf8))
        } catch let error as AccountService.AccountError {
            await database.close()
            let message = switch error {
            case .invalid(let fields): fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            default: error.apiError.message
            }
            FileHandle.standardError.write(Data("lumina: \(message)\n".utf8))
            throw ExitCode(1)
        } catch {
            await database.close()
            throw error
        }
    }
}
