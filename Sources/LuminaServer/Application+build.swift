import Analytics
import Foundation
import Hummingbird
import HummingbirdCore
import JobScheduler
import HummingbirdWebSocket
import Logging
import Prometheus
import Realtime
import ServiceLifecycle

/// Everything a running server is made of, built once at start.
struct LuminaServices: Sendable {
    let configuration: LuminaConfiguration
    let database: Database
    let users: UserStore
    let sessions: SessionStore
    let tokens: APITokenStore
    let dashboards: DashboardStore
    let datasets: DatasetStore
    let accounts: AccountService
    let views: ViewRenderer
    let registry: PrometheusCollectorRegistry
    let dashboardEvents: any DashboardEventPublisher
    let hub: ChannelHub
    /// The in-process job scheduler and its run log (admin pages and API).
    let scheduler: JobScheduler
    let jobRuns: JobRunStore
    let tables: DatasetTableStore
    let uploads: UploadService
    let cleaning: CleaningService
    let insights: InsightsService
    /// Opened after migrations; background services that use tables wait for it.
    let schema: SchemaReadiness
    /// Long-running parts that must run with the server, in start order.
    let backgroundServices: [any Service]

    static func make(configuration: LuminaConfiguration, database: Database, registry: PrometheusCollectorRegistry,
                     logger: Logger, bcryptCost: UInt8 = 12) async throws -> LuminaServices {
        let users = UserStore(database: database)
        let hasher = PasswordHasher(cost: bcryptCost)
        let accounts = AccountService(users: users, hasher: hasher, limiter: LoginRateLimiter(limits: configuration.loginLimits),
                                      logger: logger, dummyHash: try await hasher.hash("lumina-timing-equaliser"))
        var realtimeLogger = logger
        realtimeLogger[metadataKey: "component"] = "realtime"
        var background: [any Service] = database.service.map { [$0] } ?? []
        let backend: any ChannelBackend
        if database.engine == .postgres {
            let postgresBackend = PostgresChannelBackend(database: database, logger: realtimeLogger)
            background.append(postgresBackend)
            backend = postgresBackend
        } else {
            backend = InMemoryChannelBackend(logger: realtimeLogger)
        }
        let hub = ChannelHub(backend: backend,
                             configuration: .init(outbox: OutboxPolicy(maxStall: .seconds(configuration.socketStallTimeout))),
                             nodeID: ChannelNodeID(configuration.nodeID), logger: realtimeLogger)
        background.append(ChannelHubService(hub: hub))
        let sessions = SessionStore(database: database, ttl: configuration.sessionTTL)
        let schema = SchemaReadiness()
        let jobRuns = JobRunStore(database: database)
        let tables = DatasetTableStore(database: database)
        let datasets = DatasetStore(database: database)
        var datasetLogger = logger
        datasetLogger[metadataKey: "component"] = "datasets"
        let cleaning = CleaningService(database: database, tables: tables, hub: hub, logger: datasetLogger)
        let insights = InsightsService(database: database, tables: tables, datasets: datasets, hub: hub, logger: datasetLogger)
        var readOptions = CSVReadOptions()
        readOptions.maxExpandedBytes = configuration.maxExpandedSize
        let dataDirectory = configuration.dataDirectory as NSString
        let uploadStore = UploadStore(database: database)
        var ingest = IngestService(database: database, tables: tables, uploads: uploadStore,
                                   datasetsDirectory: dataDirectory.appendingPathComponent("datasets"), readOptions: readOptions,
                                   logger: datasetLogger)
        let cleanAfterUpload = configuration.cleanAfterUpload
        // Cleaning starts while the raw rows are stored; only its result waits for the dataset.
        if cleanAfterUpload { ingest.prepareCleaning = { cleaning.prepare($0) } }
        let uploadLogger = datasetLogger
        let uploads = UploadService(store: uploadStore, hub: hub, ingest: ingest, directory: dataDirectory.appendingPathComponent("uploads"),
                                    maxSize: configuration.maxUploadSize, logger: datasetLogger) { ingested in
            guard cleanAfterUpload else { return }
            do {
                // The table just read is cleaned as is, and the cleaned one analysed as is: no re-reading.
                let cleaned = try await cleaning.clean(ingested.datasetID, startingFrom: ingested.table, prepared: ingested.cleaning)
                _ = try await insights.generate(ingested.datasetID, table: cleaned.table)
            } catch {
                uploadLogger.notice("cleaning after upload ended with an error", metadata: ["dataset_id": "\(ingested.datasetID)", "error": "\(error)"])
            }
        }
        background.append(MaintenanceService(sessions: sessions, runs: jobRuns,
                                             runRetention: TimeInterval(configuration.jobRetentionDays) * 86_400,
                                             uploads: uploads, uploadExpiry: configuration.uploadExpiry,
                                             interval: .seconds(3600), schema: schema, logger: logger))
        var schedulerLogger = logger
        schedulerLogger[metadataKey: "component"] = "scheduler"
        let scheduler = JobScheduler(
            jobs: try LuminaJobs.make(configuration: configuration, dueWork: DueWorkStore(database: database),
                                      cleaning: cleaning, insights: insights),
            runLog: jobRuns, leases: JobLeaseStore(database: database),
            events: JobEventBroadcaster(hub: hub, logger: schedulerLogger),
            node: configuration.nodeID, leaseTTL: configuration.jobLeaseTTL, shutdownGrace: configuration.jobShutdownGrace,
            logger: schedulerLogger)
        // Last, so it stops first on shutdown: running jobs finish while the database and hub still run.
        background.append(SchedulerService(scheduler: scheduler, schema: schema, dueWork: DueWorkStore(database: database),
                                           logger: schedulerLogger))
        return LuminaServices(
            configuration: configuration, database: database, users: users,
            sessions: sessions,
            tokens: APITokenStore(database: database), dashboards: DashboardStore(database: database),
            datasets: datasets, accounts: accounts, views: try await ViewRenderer.load(),
            registry: registry, dashboardEvents: RealtimeDashboardEvents(hub: hub, logger: realtimeLogger),
            hub: hub, scheduler: scheduler, jobRuns: jobRuns, tables: tables, uploads: uploads, cleaning: cleaning, insights: insights,
            schema: schema, backgroundServices: background
        )
    }
}

/// HTTP/1.1 with the server's own event-driven WebSockets; connections that never sent a byte do not hold up shutdown.
func webSocketServer(router: Router<LuminaRequestContext>, configuration: LiveSocketConfiguration = LiveSocketConfiguration()) -> HTTPServerBuilder {
    let socketResponder = router.buildResponder()
    return HTTPServerBuilder { responder in
        PreparedChildChannel(base: LuminaConnectionChannel(
            responder: responder, socketResponder: socketResponder, configuration: configuration),
            prepare: ConnectionPreparation.prepare)
    }
}

/// The composition root: router, middleware, controllers and background services.
func buildApplication(services: LuminaServices, logger: Logger) throws -> some ApplicationProtocol {
    let configuration = services.configuration
    let router = buildRouter(services: services, logger: logger)
    var app = Application(
        router: router,
        server: webSocketServer(router: router, configuration: LiveSocketConfiguration(
            pingInterval: .nanoseconds(Int64(configuration.socketPingInterval * 1e9)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "LuminaBI"),
        logger: logger
    )
    app.addServices(services.backgroundServices)
    app.beforeServerStarts {
        try await Migrator(database: services.database, logger: logger).migrate()
        await services.schema.markReady()
        logger.info("lumina is listening", metadata: [
            "url": "http://\(configuration.host):\(configuration.port)/", "database": "\(configuration.database)",
            "node": "\(configuration.nodeID)",
        ])
    }
    return app
}

func buildRouter(services: LuminaServices, logger: Logger) -> Router<LuminaRequestContext> {
    let configuration = services.configuration
    let router = Router(context: LuminaRequestContext.self)
    router.add(middleware: RequestObservationMiddleware(logger: logger))
    router.add(middleware: ErrorMiddleware(views: services.views))
    if let publicDirectory = PublicDirectory.locate(configured: configuration.publicDirectory) {
        router.add(middleware: FileMiddleware(publicDirectory, urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(300)])]), logger: logger))
    } else {
        logger.error("static files folder not found: set --public-dir or LUMINA_PUBLIC_DIR to the Public folder")
    }
    if FileManager.default.fileExists(atPath: configuration.chartJSPath) {
        let folder = (configuration.chartJSPath as NSString).deletingLastPathComponent
        router.add(middleware: FileMiddleware(folder, urlBasePath: "/static/vendor", cacheControl: .init([(MediaType(type: .any), [.maxAge(86_400)])]), logger: logger))
    } else {
        logger.error("Chart.js is missing: charts will not draw. Install Debian's libjs-chart.js or set LUMINA_CHARTJS_PATH",
                     metadata: ["path": "\(configuration.chartJSPath)"])
    }
    router.add(middleware: AuthenticationMiddleware(sessions: services.sessions, tokens: services.tokens,
                                                    secureCookies: configuration.secureCookies))

    OperationsController(database: services.database, registry: services.registry).addRoutes(to: router)

    let api = router.group("api/v1")
    AuthAPIController(accounts: services.accounts, tokens: services.tokens, maxBodySize: configuration.maxBodySize)
        .addRoutes(to: api.group("auth"))
    DashboardsAPIController(dashboards: services.dashboards, users: services.users, events: services.dashboardEvents,
                            hub: services.hub, maxBodySize: configuration.maxBodySize)
        .addRoutes(to: api.group("dashboards"))
    DatasetsAPIController(datasets: services.datasets, tables: services.tables, cleaning: services.cleaning,
                          insights: services.insights, logger: logger)
        .addRoutes(to: api.group("datasets"))
    UploadsAPIController(service: services.uploads, datasets: services.datasets, maxBodySize: configuration.maxBodySize)
        .addRoutes(to: api.group("uploads"))
    let jobsOverview = JobsOverview(scheduler: services.scheduler, runs: services.jobRuns)
    JobsAPIController(overview: jobsOverview).addRoutes(to: api.group("jobs"))

    ChannelsController(hub: services.hub,
                       authenticator: SocketAuthenticator(tokens: services.tokens, allowedOrigins: configuration.allowedOrigins),
                       dashboards: services.dashboards, datasets: services.datasets,
                       uploads: UploadStore(database: services.database), uploadService: services.uploads, logger: logger)
        .addRoutes(to: router)

    let pages = router.group().add(middleware: PageAuthMiddleware())
    router.get("/") { _, context in
        Response.redirect(to: context.identity == nil ? "/accounts/login/" : "/dashboards/", type: .normal)
    }
    AccountPagesController(accounts: services.accounts, sessions: services.sessions, tokens: services.tokens,
                           views: services.views, secureCookies: configuration.secureCookies)
        .addRoutes(to: router, signedIn: pages)
    DashboardPagesController(dashboards: services.dashboards, users: services.users, events: services.dashboardEvents,
                             views: services.views)
        .addRoutes(to: pages)
    ContentPagesController(datasets: services.datasets, users: services.users, database: services.database, views: services.views)
        .addRoutes(to: pages)
    AdminJobsPagesController(overview: jobsOverview, views: services.views).addRoutes(to: pages.group("admin"))
    DatasetPagesController(datasets: services.datasets, tables: services.tables, cleaning: services.cleaning, views: services.views,
                           maxUploadSize: configuration.maxUploadSize)
        .addRoutes(to: pages)
    return router
}

/// Finds the `Public` folder: configured, beside the working directory, or beside the source tree of the binary.
enum PublicDirectory {
    static func locate(configured: String?) -> String? {
        var candidates: [String] = []
        if let configured { candidates.append(configured) }
        candidates.append(FileManager.default.currentDirectoryPath + "/Public")
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("Public").path)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/css/app.css") }
    }
}
