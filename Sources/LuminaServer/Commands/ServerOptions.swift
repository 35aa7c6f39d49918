import ArgumentParser
import Foundation
import Logging

/// The flags shared by the commands; each falls back to its `LUMINA_*` variable, then to the default
/// documented on `LuminaConfiguration`.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (LUMINA_HOST).") var host: String?
    @Option(help: "Port to listen on (LUMINA_PORT).") var port: Int?
    @Option(help: "sqlite:///path.db or postgres://user:pass@host:5432/db (LUMINA_DATABASE_URL).") var databaseURL: String?
    @Option(help: "Most PostgreSQL connections per node (LUMINA_DATABASE_POOL_SIZE).") var databasePoolSize: Int?
    @Option(help: "Folder for uploads, cleaned data and reports (LUMINA_DATA_DIR).") var dataDir: String?
    @Option(help: "Folder of static files (LUMINA_PUBLIC_DIR).") var publicDir: String?
    @Option(help: "Extra allowed WebSocket origins, comma separated (LUMINA_ALLOWED_ORIGINS).") var allowedOrigins: String?
    @Flag(help: "Mark cookies Secure, for TLS deployments (LUMINA_SECURE_COOKIES=1).") var secureCookies = false
    @Option(help: "trace, debug, info, notice, warning, error (LUMINA_LOG_LEVEL).") var logLevel: String?
    @Option(help: "Largest JSON or form body in bytes (LUMINA_MAX_BODY_SIZE).") var maxBodySize: Int?
    @Option(help: "Largest upload in bytes (LUMINA_MAX_UPLOAD_SIZE).") var maxUploadSize: Int64?
    @Option(help: "Session lifetime in hours (LUMINA_SESSION_TTL_HOURS).") var sessionTTLHours: Double?
    @Option(help: "Largest size a gzip upload may expand to, in bytes (LUMINA_MAX_EXPANDED_SIZE).") var maxExpandedSize: Int64?
    @Option(help: "Hours after which an unfinished upload is discarded (LUMINA_UPLOAD_EXPIRY_HOURS).") var uploadExpiryHours: Double?
    @Option(help: "Clean each dataset as soon as it is stored: true or false (LUMINA_CLEAN_AFTER_UPLOAD).") var cleanAfterUpload: Bool?
    @Option(help: "Path of chart.min.js (LUMINA_CHARTJS_PATH).") var chartjsPath: String?
    @Option(help: "This node's name in job runs and cluster messages (LUMINA_NODE_ID).") var nodeID: String?
    @Option(help: "bcrypt work factor, 4-31 (LUMINA_BCRYPT_COST).") var bcryptCost: Int?
    @Option(help: "When data_cleaning runs: 'every 1h', 'daily 03:00 Europe/Berlin', 'weekly mon 09:00' or a 5-field cron expression (LUMINA_SCHEDULE_CLEANING).")
    var scheduleCleaning: String?
    @Option(help: "When insights_generation runs (LUMINA_SCHEDULE_INSIGHTS).") var scheduleInsights: String?
    @Option(help: "When report_generation runs (LUMINA_SCHEDULE_REPORTS).") var scheduleReports: String?
    @Option(help: "Days of job run history to keep (LUMINA_JOB_RETENTION_DAYS).") var jobRetentionDays: Int?
    @Option(help: "Seconds a node holds a job lease without renewing it before another node may run the job (LUMINA_JOB_LEASE_TTL).")
    var jobLeaseTTL: Double?
    @Option(help: "Seconds running jobs get to finish on shutdown before they are interrupted (LUMINA_JOB_SHUTDOWN_GRACE).")
    var jobShutdownGrace: Double?
    @Option(help: "Seconds between pings of an idle WebSocket; a peer silent for two intervals is disconnected (LUMINA_SOCKET_PING_INTERVAL).")
    var socketPingInterval: Double?
    @Option(help: "Seconds messages may wait on a WebSocket that takes no more bytes before it is closed with 1013 (LUMINA_SOCKET_STALL_TIMEOUT).")
    var socketStallTimeout: Double?

    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LuminaConfiguration {
        var config = LuminaConfiguration()
        func env(_ key: String) -> String? {
            guard let value = environment["LUMINA_\(key)"], !value.isEmpty else { return nil }
            return value
        }
        func number<T: LosslessStringConvertible>(_ flag: T?, _ key: String) throws -> T? {
            if let flag { return flag }
            guard let text = env(key) else { return nil }
            guard let value = T(text) else { throw ValidationError("LUMINA_\(key) must be a number, got '\(text)'") }
            return value
        }
        config.host = host ?? env("HOST") ?? config.host
        config.port = try number(port, "PORT") ?? config.port
        if let url = databaseURL ?? env("DATABASE_URL") {
            do { config.database = try DatabaseURL(parsing: url) } catch { throw ValidationError("\(error)") }
        }
        config.databasePoolSize = try number(databasePoolSize, "DATABASE_POOL_SIZE") ?? config.databasePoolSize
        config.dataDirectory = dataDir ?? env("DATA_DIR") ?? config.dataDirectory
        if databaseURL == nil, env("DATABASE_URL") == nil {
            config.database = .sqlite(path: (config.dataDirectory as NSString).appendingPathComponent("lumina.db"))
        }
        config.publicDirectory = publicDir ?? env("PUBLIC_DIR")
        if let origins = allowedOrigins ?? env("ALLOWED_ORIGINS") {
            config.allowedOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        config.secureCookies = secureCookies || ["1", "true", "yes"].contains(env("SECURE_COOKIES")?.lowercased() ?? "")
        if let level = logLevel ?? env("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ValidationError("log level must be one of trace, debug, info, notice, warning, error, critical; got '\(level)'")
            }
            config.logLevel = parsed
        }
        config.maxBodySize = try number(maxBodySize, "MAX_BODY_SIZE") ?? config.maxBodySize
        config.maxUploadSize = try number(maxUploadSize, "MAX_UPLOAD_SIZE") ?? config.maxUploadSize
        if let hours = try number(sessionTTLHours, "SESSION_TTL_HOURS") { config.sessionTTL = hours * 3600 }
        config.maxExpandedSize = try number(maxExpandedSize, "MAX_EXPANDED_SIZE") ?? config.maxExpandedSize
        if let hours = try number(uploadExpiryHours, "UPLOAD_EXPIRY_HOURS") {
            guard hours > 0 else { throw ValidationError("the upload expiry must be more than 0 hours") }
            config.uploadExpiry = hours * 3600
        }
        if let flag = cleanAfterUpload {
            config.cleanAfterUpload = flag
        } else if let text = env("CLEAN_AFTER_UPLOAD") {
            switch text.lowercased() {
            case "1", "true", "yes", "on": config.cleanAfterUpload = true
            case "0", "false", "no", "off": config.cleanAfterUpload = false
            default: throw ValidationError("LUMINA_CLEAN_AFTER_UPLOAD must be true or false, got '\(text)'")
            }
        }
        config.chartJSPath = chartjsPath ?? env("CHARTJS_PATH") ?? config.chartJSPath
        config.nodeID = nodeID ?? env("NODE_ID") ?? config.nodeID
        config.bcryptCost = try number(bcryptCost, "BCRYPT_COST") ?? config.bcryptCost
        guard (4...31).contains(config.bcryptCost) else { throw ValidationError("bcrypt cost must be between 4 and 31") }
        config.cleaningSchedule = scheduleCleaning ?? env("SCHEDULE_CLEANING") ?? config.cleaningSchedule
        config.insightsSchedule = scheduleInsights ?? env("SCHEDULE_INSIGHTS") ?? config.insightsSchedule
        config.reportsSchedule = scheduleReports ?? env("SCHEDULE_REPORTS") ?? config.reportsSchedule
        config.jobRetentionDays = try number(jobRetentionDays, "JOB_RETENTION_DAYS") ?? config.jobRetentionDays
        guard config.jobRetentionDays >= 1 else { throw ValidationError("job retention must be at least 1 day") }
        config.jobLeaseTTL = try number(jobLeaseTTL, "JOB_LEASE_TTL") ?? config.jobLeaseTTL
        guard config.jobLeaseTTL >= 1 else { throw ValidationError("the job lease TTL must be at least 1 second") }
        config.jobShutdownGrace = try number(jobShutdownGrace, "JOB_SHUTDOWN_GRACE") ?? config.jobShutdownGrace
        config.socketPingInterval = try number(socketPingInterval, "SOCKET_PING_INTERVAL") ?? config.socketPingInterval
        guard config.socketPingInterval >= 0.05 else { throw ValidationError("the socket ping interval must be at least 0.05 seconds") }
        config.socketStallTimeout = try number(socketStallTimeout, "SOCKET_STALL_TIMEOUT") ?? config.socketStallTimeout
        guard config.socketStallTimeout >= 0.05 else { throw ValidationError("the socket stall timeout must be at least 0.05 seconds") }
        config.smtp.host = env("SMTP_HOST")
        config.smtp.port = try number(nil as Int?, "SMTP_PORT") ?? config.smtp.port
        config.smtp.username = env("SMTP_USERNAME")
        config.smtp.password = env("SMTP_PASSWORD")
        if let tls = env("SMTP_TLS") {
            guard let security = SMTPSettings.Security(rawValue: tls.lowercased()) else {
                throw ValidationError("LUMINA_SMTP_TLS must be starttls, tls or none; got '\(tls)'")
            }
            config.smtp.security = security
        }
        config.smtp.from = env("SMTP_FROM") ?? config.smtp.from
        return config
    }
}
