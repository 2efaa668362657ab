import Foundation
internal import SQLiteNIO

/// The daemon's store in one SQLite file (`<state-dir>/berth.sqlite`). Rows keep their queryable columns
/// apart and the rest as JSON of the Codable model. WAL mode and a busy timeout let `berth token` write
/// while the daemon runs.
public actor SQLiteTaskStore: TaskStore {
    public static let fileName = "berth.sqlite"
    let connection: SQLiteConnection
    public let path: String

    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    private let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Opens (creating if needed) the store under `stateDirectory` and migrates it to the current schema.
    public static func open(stateDirectory: URL) async throws -> SQLiteTaskStore {
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.unavailable, "cannot create the state directory \(stateDirectory.path): \(error.localizedDescription); pass --state-dir or set BERTH_STATE_DIR to a writable directory")
        }
        return try await open(path: stateDirectory.appendingPathComponent(fileName).path)
    }

    public static func open(path: String) async throws -> SQLiteTaskStore {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path))
        } catch {
            throw StoreError(.unavailable, "cannot open the store \(path): \(error); check the file's permissions or move it aside")
        }
        let store = SQLiteTaskStore(connection: connection, path: path)
        try await store.prepare()
        return store
    }

    init(connection: SQLiteConnection, path: String) {
        self.connection = connection
        self.path = path
    }

    public func close() async throws { try await connection.close() }

    /// The schema version the store is at (the highest migration that ran).
    public func schemaVersion() async throws -> Int {
        try await connection.query("SELECT MAX(version) AS v FROM schema_migrations").first?.column("v")?.integer ?? 0
    }

    private func prepare() async throws {
        _ = try await connection.query("PRAGMA busy_timeout = 5000")
        _ = try await connection.query("PRAGMA journal_mode = WAL")
        // WAL with synchronous NORMAL: a commit is not fsynced (the WAL is, at each checkpoint). The file
        // never corrupts; a power loss may lose the last moments' commits. An fsync per write made every
        // POST /v1/deployments cost several (bench-serve.sh).
        _ = try await connection.query("PRAGMA synchronous = NORMAL")
        try await StoreMigrations.migrate(connection, path: path)
    }

    private func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
    private func decode<T: Decodable>(_ type: T.Type, _ row: SQLiteRow, table: String) throws -> T {
        guard let body = row.column("body")?.string else { throw StoreError(.corrupt, "a row of \(table) in \(path) has no body") }
        do {
            return try decoder.decode(type, from: Data(body.utf8))
        } catch {
            throw StoreError(.corrupt, "a row of \(table) in \(path) cannot be read (\(error)); the store was written by another Berth version?")
        }
    }

    // MARK: tasks

    public func insert(_ task: DeployTask) async throws {
        _ = try await connection.query(
            "INSERT INTO tasks (id, state, created_at, body) VALUES (?, ?, ?, ?)",
            [.text(task.id), .text(task.state.rawValue), .float(task.createdAt.timeIntervalSince1970), .text(try json(task))])
    }

    public func update(_ task: DeployTask) async throws {
        _ = try await connection.query(
            "UPDATE tasks SET state = ?, body = ? WHERE id = ?", [.text(task.state.rawValue), .text(try json(task)), .text(task.id)])
    }

    public func task(_ id: String) async throws -> DeployTask? {
        try await connection.query("SELECT body FROM tasks WHERE id = ?", [.text(id)]).first.map {
            try decode(DeployTask.self, $0, table: "tasks")
        }
    }

    public func tasks(state: TaskState?, project: String?, limit: Int) async throws -> [DeployTask] {
        let rows = if let state {
            try await connection.query("SELECT body FROM tasks WHERE state = ? ORDER BY seq DESC", [.text(state.rawValue)])
        } else {
            try await connection.query("SELECT body FROM tasks ORDER BY seq DESC")
        }
        var out: [DeployTask] = []
        for row in rows {
            let task = try decode(DeployTask.self, row, table: "tasks")
            if let project, !task.touches(project) { continue }
            out.append(task)
            if out.count >= limit { break }
        }
        return out
    }

    public func activeTasks() async throws -> [DeployTask] {
        try await connection.query("SELECT body FROM tasks WHERE state IN ('queued', 'running') ORDER BY seq").map {
            try decode(DeployTask.self, $0, table: "tasks")
        }
    }

    public func countByState() async throws -> [TaskState: Int] {
        var counts: [TaskState: Int] = [:]
        for row in try await connection.query("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state") {
            if let s = row.column("state")?.string.flatMap(TaskState.init(rawValue:)) { counts[s] = row.column("n")?.integer ?? 0 }
        }
        return counts
    }

    // MARK: events

    @discardableResult
    public func append(_ event: TaskEvent) async throws -> TaskEvent {
        let rows = try await connection.query(
            "INSERT INTO events (task_id, body) VALUES (?, ?) RETURNING id", [.text(event.taskID), .text(try json(event))])
        guard let id = rows.first?.column("id")?.integer else { throw StoreError(.corrupt, "the store \(path) gave no id for a new event") }
        var stored = event
        stored.id = Int64(id)
        return stored
    }

    public func events(after: Int64, taskID: String?, limit: Int) async throws -> [TaskEvent] {
        let rows = if let taskID {
            try await connection.query("SELECT id, body FROM events WHERE id > ? AND task_id = ? ORDER BY id LIMIT ?",
                                       [.integer(Int(after)), .text(taskID), .integer(limit)])
        } else {
            try await connection.query("SELECT id, body FROM events WHERE id > ? ORDER BY id LIMIT ?", [.integer(Int(after)), .integer(limit)])
        }
        return try rows.map { row in
            var event = try decode(TaskEvent.self, row, table: "events")
            event.id = Int64(row.column("id")?.integer ?? 0)
            return event
        }
    }

    // MARK: tokens

    public func insert(_ token: APIToken) async throws {
        let existing = try await connection.query("SELECT name FROM tokens WHERE name = ?", [.text(token.name)])
        guard existing.isEmpty else {
            throw StoreError(.duplicate, "a token named '\(token.name)' exists; revoke it first (berth token revoke \(token.name)) or choose another name")
        }
        _ = try await connection.query("INSERT INTO tokens (name, hash, body) VALUES (?, ?, ?)",
                                       [.text(token.name), .text(token.hash), .text(try json(token))])
    }

    public func token(hash: String) async throws -> APIToken? {
        try await connection.query("SELECT body FROM tokens WHERE hash = ?", [.text(hash)]).first.map {
            try decode(APIToken.self, $0, table: "tokens")
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await connection.query("SELECT body FROM tokens ORDER BY name").map { try decode(APIToken.self, $0, table: "tokens") }
    }

    public func revokeToken(named name: String, at date: Date) async throws -> Bool {
        guard let row = try await connection.query("SELECT body FROM tokens WHERE name = ?", [.text(name)]).first else { return false }
        var token = try decode(APIToken.self, row, table: "tokens")
        guard token.revokedAt == nil else { return false }
        token.revokedAt = date
        // The row is kept (the audit log names it) under a name that frees the old one for reuse.
        _ = try await connection.query("UPDATE tokens SET name = ?, body = ? WHERE name = ?",
                                       [.text("\(name)@revoked-\(Int(date.timeIntervalSince1970 * 1000))"), .text(try json(token)), .text(name)])
        return true
    }

    // MARK: audit

    public func append(_ entry: AuditEntry) async throws {
        _ = try await connection.query("INSERT INTO audit (body) VALUES (?)", [.text(try json(entry))])
    }

    public func audit(limit: Int) async throws -> [AuditEntry] {
        try await connection.query("SELECT id, body FROM audit ORDER BY id DESC LIMIT ?", [.integer(limit)]).map { row in
            var entry = try decode(AuditEntry.self, row, table: "audit")
            entry.id = Int64(row.column("id")?.integer ?? 0)
            return entry
        }
    }
}
