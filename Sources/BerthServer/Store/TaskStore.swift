import Foundation

/// Where the daemon keeps tasks, events, tokens and the audit log. SQLite today (`SQLiteTaskStore`);
/// the protocol is what a PostgreSQL store implements for several daemons sharing one queue.
public protocol TaskStore: Sendable {
    func insert(_ task: DeployTask) async throws
    func update(_ task: DeployTask) async throws
    func task(_ id: String) async throws -> DeployTask?
    /// Tasks, newest first; `state`/`project` filter when given.
    func tasks(state: TaskState?, project: String?, limit: Int) async throws -> [DeployTask]
    /// Every task in `queued` or `running`, oldest first.
    func activeTasks() async throws -> [DeployTask]
    func countByState() async throws -> [TaskState: Int]

    /// Stores an event and returns it with its id.
    @discardableResult
    func append(_ event: TaskEvent) async throws -> TaskEvent
    /// Events with an id above `after`, oldest first; only those of `taskID` when given.
    func events(after: Int64, taskID: String?, limit: Int) async throws -> [TaskEvent]

    /// Fails with `StoreError.duplicate` when a token of that name exists.
    func insert(_ token: APIToken) async throws
    func token(hash: String) async throws -> APIToken?
    func tokens() async throws -> [APIToken]
    /// Marks the token revoked; false when no active token has that name.
    func revokeToken(named name: String, at: Date) async throws -> Bool

    func append(_ entry: AuditEntry) async throws
    /// Newest first.
    func audit(limit: Int) async throws -> [AuditEntry]

    func close() async throws
}

/// Opens the daemon's store: PostgreSQL when a database is named (shared by several daemons), else SQLite
/// in the state directory.
public enum TaskStores {
    public static func open(database: DatabaseURL?, stateDirectory: URL) async throws -> any TaskStore {
        if let database { return try await PostgresTaskStore.open(database) }
        return try await SQLiteTaskStore.open(stateDirectory: stateDirectory)
    }
}

public struct StoreError: Error, CustomStringConvertible {
    public enum Code: String, Sendable { case duplicate, corrupt, unavailable, invalid, fenced }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }
}
