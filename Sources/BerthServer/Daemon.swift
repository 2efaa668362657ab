import BerthConfig
import BerthSystem
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// What `berth serve` runs with.
public struct DaemonConfiguration: Sendable {
    public var configDirectory: String
    public var stateDirectory: URL
    public var host: String
    public var port: Int
    public var dockerHost: String?
    /// Tasks of different projects that run at once.
    public var maxParallel = 2
    /// A task still running after this ends `failed` and its run is cancelled.
    public var taskTimeout = Duration.seconds(1800)
    /// On SIGTERM, how long running tasks may go on before they are interrupted.
    public var shutdownGrace = Duration.seconds(300)
    /// When set, the platform is checked for drift this often and re-applied when it has drifted.
    public var reconcileInterval: Duration?
    /// A PostgreSQL database: the store is there and several daemons share its queue. nil: SQLite in the state directory.
    public var database: DatabaseURL?
    /// With a shared queue, how long a claimed task stays this daemon's without renewal.
    public var lease = Duration.seconds(30)
    /// The git webhook's HMAC-SHA256 secret; nil (BERTH_WEBHOOK_SECRET unset or empty): the webhook is off.
    public var webhookSecret = ProcessInfo.processInfo.environment["BERTH_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }

    public init(configDirectory: String, stateDirectory: URL, host: String, port: Int, dockerHost: String?) {
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.host = host
        self.port = port
        self.dockerHost = dockerHost
    }
}

/// `berth serve`: the API server and the task workers in one `ServiceGroup`. SIGTERM or SIGINT shut it down
/// gracefully: workers first (no new task starts; running ones finish), then the HTTP server.
public enum Daemon {
    public static func router(_ services: APIServices) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: MetricsMiddleware(metrics: services.metrics))
        router.add(middleware: TokenAuthMiddleware(store: services.store))
        router.add(middleware: MethodNotAllowedMiddleware())
        HealthRoutes.add(to: router, services)
        DeploymentRoutes.add(to: router, services)
        TaskRoutes.add(to: router, services)
        EventRoutes.add(to: router, services)
        ProjectRoutes.add(to: router, services)
        AuditRoutes.add(to: router, services)
        OpenAPIRoutes.add(to: router, services)
        StatusPageRoutes.add(to: router, services)
        TenantRoutes.add(to: router, services)
        HookRoutes.add(to: router, services)
        CertRoutes.add(to: router, services)
        BackupRoutes.add(to: router, services)
        return router
    }

    public static func run(_ configuration: DaemonConfiguration, ready: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        // glibc gives every thread that allocates its own malloc arena (each keeps what it freed resident): with
        // NIO's and the workers' threads that is much of an idle daemon's memory. Two arenas are plenty.
        ProcessMemory.limitMallocArenas(2)
        var logger = Logger(label: "berth.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        // The repository must load before the daemon starts: a typo is an error now, not at the first deploy.
        _ = try RepositoryLoader().load(configuration.configDirectory)
        let store: any TaskStore
        let close: @Sendable () async throws -> Void
        if let database = configuration.database {
            let pg = try await PostgresTaskStore.open(database, logger: logger)
            logger.info("the task queue is shared in PostgreSQL", metadata: ["database": "\(database)"])
            (store, close) = (pg, { pg.close() })
        } else {
            let sqlite = try await SQLiteTaskStore.open(stateDirectory: configuration.stateDirectory)
            (store, close) = (sqlite, { try await sqlite.close() })
        }
        do {
            try await serve(configuration, store: store, logger: logger, ready: ready)
        } catch {
            try? await close()  // the daemon's own error is the one to report
            if let io = error as? IOError, io.errnoCode == EADDRINUSE {
                throw DaemonError("cannot listen on \(configuration.host):\(configuration.port): the address is in use; stop what listens there or pass another --listen")
            }
            throw error
        }
        try await close()
    }

    static func serve(_ configuration: DaemonConfiguration, store: any TaskStore, logger: Logger,
                      ready: @escaping @Sendable (Int) -> Void) async throws {
        let queue = TaskQueue(store: store, maxParallel: configuration.maxParallel, lease: configuration.lease)
        let recovered = try await queue.recover()
        for task in recovered {
            logger.warning("a task was interrupted by the last daemon's end; queued a fresh deploy",
                           metadata: ["task": "\(task.retryOf ?? "?")", "deploy": "\(task.id)"])
        }
        let driver = EngineDriver(configDirectory: configuration.configDirectory, stateDirectory: configuration.stateDirectory,
                                  dockerHost: configuration.dockerHost,
                                  lockWait: TimeSpan(milliseconds: Int(configuration.taskTimeout.components.seconds) * 1000))
        let metrics = ServerMetrics()
        let services = APIServices(store: store, queue: queue, driver: driver, metrics: metrics, webhookSecret: configuration.webhookSecret)
        let app = Application(
            router: router(services),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "berth"),
            onServerRunning: { channel in ready(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        let workers = TaskWorkers(queue: queue, runner: driver, timeout: configuration.taskTimeout,
                                  shutdownGrace: configuration.shutdownGrace, metrics: metrics, logger: logger,
                                  onShutdown: { services.stop() })
        var members: [any Service] = [app, workers]
        members.append(BackupScheduler(queue: queue, logger: logger) { try driver.backupSchedules() })
        if let interval = configuration.reconcileInterval {
            members.append(Reconciler(queue: queue, store: store, interval: interval, logger: logger) { try await driver.drifted() })
        }
        // Reverse order on shutdown: the reconciler and the workers stop first while the API still answers.
        let group = ServiceGroup(services: members, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
