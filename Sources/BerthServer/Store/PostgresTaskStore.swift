import Foundation
import Logging
internal import PostgresNIO

/// The daemon's store in PostgreSQL (`api.database`, `--database`, `BERTH_DATABASE_URL`): one queue that several
/// `berth serve` share. Same rows as the SQLite store (queryable columns apart, the rest as JSON), plus what the
/// sharing needs: the attempt (fencing token), the runner and the lease of each task, and `running_projects`,
/// whose primary key keeps two running tasks off one project. Events are announced with NOTIFY.
public final class PostgresTaskStore: SharedTaskStore {
    static let channel = "berth_events"
    let client: PostgresClient
    public let url: DatabaseURL
    let logger: Logger
    private let runner: Task<Void, Never>
    private let listener: Task<Void, Never>
    let signal: EventSignal

    private init(client: PostgresClient, url: DatabaseURL, logger: Logger, signal: EventSignal) {
        self.client = client
        self.url = url
        self.logger = logger
        self.signal = signal
        self.runner = Task { await client.run() }
        self.listener = Task { await Self.listen(client, signal: signal, logger: logger) }
    }

    /// Connects, migrates to the current schema and starts listening for events. Fails within `timeout`
    /// when the database cannot be reached.
    public static func open(_ url: DatabaseURL, timeout: Duration = .seconds(20),
                            logger: Logger = Logger(label: "berth.store")) async throws -> PostgresTaskStore {
        let tls: PostgresClient.Configuration.TLS = switch url.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                         database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        // One connection first: the pool retries a refused connection or a wrong password for ever, this says why at once.
        do {
            try await probe(url, timeout: timeout, logger: logger)
        } catch {
            throw StoreError(.unavailable, "cannot use the database \(url): \(Self.describe(error)); check that PostgreSQL runs there and that the user, password and database are right")
        }
        // The pool's own connection failures (retried) are logged only from warning up.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let store = PostgresTaskStore(client: PostgresClient(configuration: configuration, backgroundLogger: background), url: url,
                                      logger: logger, signal: EventSignal())
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await PostgresMigrations.migrate(store.client, url: url, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw StoreError(.unavailable, "no answer within \(timeout.components.seconds)s")
                }
                try await group.next()
                group.cancelAll()
            }
            try await store.signal.waitUntilListening(timeout: timeout)
        } catch {
            store.close()
            if let e = error as? StoreError, e.code == .corrupt { throw e }
            throw StoreError(.unavailable, "cannot use the database \(url): \(Self.describe(error)); check that PostgreSQL runs there and that the user, password and database are right")
        }
        return store
    }

    static func probe(_ url: DatabaseURL, timeout: Duration, logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS = switch url.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                             database: url.database, tls: tls)
        configuration.options.connectTimeout = TimeAmount.seconds(Int64(timeout.components.seconds))
        var quiet = logger
        quiet.logLevel = .critical
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
        try await connection.close()
    }

    /// Runs `body` in a transaction; the body's own error is rethrown (not the library's wrapper around it).
    func transaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    /// A PostgreSQL error with the server's message (PSQLError's own description hides it); never the password,
    /// which no error carries.
    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] { return message }
            if let underlying = psql.underlying { return "\(underlying)" }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    public func close() {
        listener.cancel()
        runner.cancel()
    }

    public func schemaVersion() async throws -> Int {
        var version = 0
        for try await v in try await client.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", logger: logger).decode(Int.self) {
            version = v
        }
        return version
    }

    // MARK: coding

    static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    func decode<T: Decodable>(_ type: T.Type, _ body: String, table: String) throws -> T {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        do {
            return try d.decode(type, from: Data(body.utf8))
        } catch {
            throw StoreError(.corrupt, "a row of \(table) in \(url) cannot be read (\(error)); the database was written by another Berth version?")
        }
    }

    /// A task row: the body, with the attempt and runner columns (the authoritative ones).
    func task(body: String, attempt: Int, runner: String?) throws -> DeployTask {
        var task = try decode(DeployTask.self, body, table: "tasks")
        task.attempt = attempt == 0 ? nil : attempt
        task.runner = runner
        return task
    }

    func tasks(_ query: PostgresQuery) async throws -> [DeployTask] {
        var out: [DeployTask] = []
        for try await (body, attempt, runner) in try await client.query(query, logger: logger).decode((String, Int, String?).self) {
            out.append(try task(body: body, attempt: attempt, runner: runner))
        }
        return out
    }

    // MARK: tasks

    public func insert(_ task: DeployTask) async throws {
        try await client.query("""
            INSERT INTO tasks (id, state, priority_rank, attempt, runner, body)
            VALUES (\(task.id), \(task.state.rawValue), \(task.priority.rank), \(task.attempt ?? 0), \(task.runner), \(try Self.json(task)))
            """, logger: logger)
    }

    /// Fenced: writes only while the row's attempt is the task's; a final state frees its projects.
    public func update(_ task: DeployTask) async throws {
        let attempt = task.attempt ?? 0
        try await transaction { db in
            var updated = 0
            for try await _ in try await db.query("""
                UPDATE tasks SET state = \(task.state.rawValue), priority_rank = \(task.priority.rank), body = \(try Self.json(task))
                WHERE id = \(task.id) AND attempt = \(attempt) RETURNING id
                """, logger: logger).decode(String.self) { updated += 1 }
            if updated == 0 {
                for try await current in try await db.query("SELECT attempt FROM tasks WHERE id = \(task.id)", logger: logger).decode(Int.self) {
                    throw StoreError(.fenced, "task \(task.id) is at attempt \(current), not \(attempt): another daemon took it over; this daemon's write was refused")
                }
                return
            }
            if task.state.isFinal {
                try await db.query("DELETE FROM running_projects WHERE task_id = \(task.id)", logger: logger)
            }
        }
    }

    public func task(_ id: String) async throws -> DeployTask? {
        try await tasks("SELECT body, attempt, runner FROM tasks WHERE id = \(id)").first
    }

    public func tasks(state: TaskState?, project: String?, limit: Int) async throws -> [DeployTask] {
        let all = if let state {
            try await tasks("SELECT body, attempt, runner FROM tasks WHERE state = \(state.rawValue) ORDER BY seq DESC")
        } else {
            try await tasks("SELECT body, attempt, runner FROM tasks ORDER BY seq DESC")
        }
        return Array(all.filter { project.map($0.touches) ?? true }.prefix(limit))
    }

    public func activeTasks() async throws -> [DeployTask] {
        try await tasks("SELECT body, attempt, runner FROM tasks WHERE state IN ('queued', 'running') ORDER BY seq")
    }

    public func countByState() async throws -> [TaskState: Int] {
        var counts: [TaskState: Int] = [:]
        for try await (state, n) in try await client.query("SELECT state, COUNT(*) FROM tasks GROUP BY state", logger: logger).decode((String, Int).self) {
            if let s = TaskState(rawValue: state) { counts[s] = n }
        }
        return counts
    }

    // MARK: events

    /// Appends under a lock, so that ids commit in order (a reader after id N never misses a later-committed
    /// lower id), and NOTIFYs every daemon. An event carrying an attempt is refused when that attempt is stale.
    @discardableResult
    public func append(_ event: TaskEvent) async throws -> TaskEvent {
        let body = try Self.json(event)
        let id: Int64? = try await transaction { db in
            try await db.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.eventLock))", logger: logger)
            let rows = if let attempt = event.attempt {
                try await db.query("""
                    INSERT INTO events (task_id, body) SELECT \(event.taskID), \(body)
                    WHERE EXISTS (SELECT 1 FROM tasks WHERE id = \(event.taskID) AND attempt = \(attempt)) RETURNING id
                    """, logger: logger)
            } else {
                try await db.query("INSERT INTO events (task_id, body) VALUES (\(event.taskID), \(body)) RETURNING id", logger: logger)
            }
            var id: Int64?
            for try await value in rows.decode(Int64.self) { id = value }
            if let id { try await db.query("SELECT pg_notify(\(Self.channel), \(String(id)))", logger: logger) }
            return id
        }
        guard let id else {
            throw StoreError(.fenced, "task \(event.taskID) is no longer at attempt \(event.attempt ?? 0): another daemon took it over; its event was refused")
        }
        var stored = event
        stored.id = id
        return stored
    }

    public func events(after: Int64, taskID: String?, limit: Int) async throws -> [TaskEvent] {
        let rows = if let taskID {
            try await client.query("SELECT id, body FROM events WHERE id > \(after) AND task_id = \(taskID) ORDER BY id LIMIT \(limit)", logger: logger)
        } else {
            try await client.query("SELECT id, body FROM events WHERE id > \(after) ORDER BY id LIMIT \(limit)", logger: logger)
        }
        var out: [TaskEvent] = []
        for try await (id, body) in rows.decode((Int64, String).self) {
            var event = try decode(TaskEvent.self, body, table: "events")
            event.id = id
            out.append(event)
        }
        return out
    }

    public func waitForEvents(timeout: Duration) async { await signal.wait(timeout: timeout) }

    /// Holds one connection that LISTENs; every notification wakes the waiting streams. Reconnects after a failure.
    static func listen(_ client: PostgresClient, signal: EventSignal, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        signal.listening()
                        for try await _ in notifications { signal.notifyAll() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for events failed; retrying", metadata: ["error": "\(describe(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
