import Foundation
import Logging

/// Everything `lumina` needs to start, gathered once in `@main` from flags and `LUMINA_*` variables.
///
/// Tests build this struct directly. Keys and defaults (flag / environment → default):
/// - `--host` / `LUMINA_HOST` → `127.0.0.1`; `--port` / `LUMINA_PORT` → `8000`
/// - `--database-url` / `LUMINA_DATABASE_URL` → `sqlite://data/lumina.db`
///   (`sqlite:///abs/path.db`, `sqlite://relative.db`, or `postgres://user:pass@host:5432/db`)
/// - `--database-pool-size` / `LUMINA_DATABASE_POOL_SIZE` → 16 PostgreSQL connections per node (SQLite uses 4)
/// - `--data-dir` / `LUMINA_DATA_DIR` → `./data` (uploads, cleaned files, reports)
/// - `--public-dir` / `LUMINA_PUBLIC_DIR` → the `Public` folder beside the working directory or the binary
/// - `--allowed-origins` / `LUMINA_ALLOWED_ORIGINS` → none besides the server's own origin (comma separated)
/// - `--secure-cookies` / `LUMINA_SECURE_COOKIES` → off (turn on behind TLS)
/// - `--log-level` / `LUMINA_LOG_LEVEL` → `info`
/// - `--max-body-size` / `LUMINA_MAX_BODY_SIZE` → 1 MiB for JSON and forms
/// - `--max-upload-size` / `LUMINA_MAX_UPLOAD_SIZE` → 1 GiB
/// - `--max-expanded-size` / `LUMINA_MAX_EXPANDED_SIZE` → 8 GiB: a gzip upload may not expand beyond this
/// - `--upload-expiry-hours` / `LUMINA_UPLOAD_EXPIRY_HOURS` → 24: unfinished uploads are discarded after this
/// - `--clean-after-upload` / `LUMINA_CLEAN_AFTER_UPLOAD` → `true`: clean a dataset as soon as it is stored
/// - `--session-ttl-hours` / `LUMINA_SESSION_TTL_HOURS` → 336 (two weeks)
/// - `--chartjs-path` / `LUMINA_CHARTJS_PATH` → `/usr/share/javascript/chart.js/chart.min.js`
/// - `--node-id` / `LUMINA_NODE_ID` → host name and process id
/// - `--schedule-cleaning` / `LUMINA_SCHEDULE_CLEANING` → `every 1h`
/// - `--schedule-insights` / `LUMINA_SCHEDULE_INSIGHTS` → `every 2h`
/// - `--schedule-reports` / `LUMINA_SCHEDULE_REPORTS` → `daily 00:00`
/// - `--job-retention-days` / `LUMINA_JOB_RETENTION_DAYS` → 90
/// - `--job-lease-ttl` / `LUMINA_JOB_LEASE_TTL` → 120 seconds (a dead node's jobs run elsewhere after this)
/// - `--job-shutdown-grace` / `LUMINA_JOB_SHUTDOWN_GRACE` → 30 seconds for running jobs on shutdown
/// - `--bcrypt-cost` / `LUMINA_BCRYPT_COST` → 12
/// - sign-in limits: 5 failures per account and 20 per address in 15 minutes
/// - SMTP: `LUMINA_SMTP_HOST`, `LUMINA_SMTP_PORT` (587), `LUMINA_SMTP_USERNAME`, `LUMINA_SMTP_PASSWORD`,
///   `LUMINA_SMTP_TLS` (`starttls`, `tls`, `none`), `LUMINA_SMTP_FROM`
public struct LuminaConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8000
    public var database: DatabaseURL = .sqlite(path: "data/lumina.db")
    public var databasePoolSize: Int = 16
    public var dataDirectory: String = "data"
    public var publicDirectory: String? = nil
    public var allowedOrigins: [String] = []
    public var secureCookies: Bool = false
    public var logLevel: Logger.Level = .info
    public var maxBodySize: Int = 1 << 20
    public var maxUploadSize: Int64 = 1 << 30
    public var maxExpandedSize: Int64 = 8 << 30
    public var uploadExpiry: TimeInterval = 24 * 3600
    public var cleanAfterUpload: Bool = true
    public var sessionTTL: TimeInterval = 14 * 24 * 3600
    public var chartJSPath: String = "/usr/share/javascript/chart.js/chart.min.js"
    public var nodeID: String = LuminaConfiguration.defaultNodeID()
    public var cleaningSchedule: String = "every 1h"
    public var insightsSchedule: String = "every 2h"
    public var reportsSchedule: String = "daily 00:00"
    public var jobRetentionDays: Int = 90
    public var jobLeaseTTL: TimeInterval = 120
    public var jobShutdownGrace: TimeInterval = 30
    public var socketPingInterval: TimeInterval = 30
    public var socketStallTimeout: TimeInterval = 10
    public var bcryptCost: Int = 12
    public var loginLimits: LoginLimits = .init()
    public var smtp: SMTPSettings = .init()

    public init() {}

    /// The origin browsers use for this server, for the WebSocket Origin check.
    public var ownOrigins: [String] {
        var origins = ["http://\(host):\(port)"]
        if host == "127.0.0.1" || host == "0.0.0.0" { origins.append("http://localhost:\(port)") }
        return origins
    }

    static func defaultNodeID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}

/// How many failed sign-ins are tolerated before an account or an address must wait.
public struct LoginLimits: Sendable {
    public var perAccount: Int = 5
    public var perAddress: Int = 20
    public var window: TimeInterval = 15 * 60
    public init() {}
}

/// Outgoing mail settings; reports use them, the foundation only carries them.
public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable { case starttls, tls, none }
    public var host: String? = nil
    public var port: Int = 587
    public var username: String? = nil
    public var password: String? = nil
    public var security: Security = .starttls
    public var from: String = "lumina@localhost"
    public init() {}
}
