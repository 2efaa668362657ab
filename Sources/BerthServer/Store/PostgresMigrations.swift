import Foundation
import Logging
internal import PostgresNIO

/// The PostgreSQL store's schema, as numbered migrations (like `StoreMigrations` for SQLite). Each runs once,
/// in its own transaction, under an advisory lock so that daemons starting together migrate one at a time.
/// Never edit a released migration: add the next one.
enum PostgresMigrations {
    static let all: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE tasks (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
                                priority_rank INT NOT NULL, attempt INT NOT NULL DEFAULT 0, runner TEXT,
                                lease_expires_at TIMESTAMPTZ, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), body TEXT NOT NULL)
            """,
            "CREATE INDEX tasks_state ON tasks (state, priority_rank, seq)",
            // One row per project of each running task ('*': a task of every project). The primary key is what
            // keeps two running tasks off one project, whichever daemon claimed them.
            """
            CREATE TABLE running_projects (project TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES tasks (id),
                                           attempt INT NOT NULL)
            """,
            "CREATE TABLE events (id BIGSERIAL PRIMARY KEY, task_id TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX events_task ON events (task_id, id)",
            "CREATE TABLE tokens (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
            "CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)",
        ]),
        // A cancel asked of a daemon that does not run the task: the running daemon reads it when it renews.
        (2, ["ALTER TABLE tasks ADD COLUMN cancel_requested_by TEXT"]),
    ]

    static var latest: Int { all.map(\.version).max() ?? 0 }
    /// pg_advisory_xact_lock keys: migrations, claims, event appends.
    static let migrateLock = 7_420_001
    static let claimLock = 7_420_002
    static let eventLock = 7_420_003

    static func migrate(_ client: PostgresClient, url: DatabaseURL, logger: Logger) async throws {
        do {
            try await run(client, url: url, logger: logger)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    private static func run(_ client: PostgresClient, url: DatabaseURL, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { db in
            try await db.query("SELECT pg_advisory_xact_lock(\(migrateLock))", logger: logger)
            try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                               logger: logger)
            var current = 0
            for try await (v) in try await db.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", logger: logger).decode(Int.self) {
                current = v
            }
            if current > latest {
                throw StoreError(.corrupt, "the database \(url) has schema version \(current), newer than this berth knows (\(latest)); run a newer berth")
            }
            for migration in all where migration.version > current {
                for statement in migration.statements { try await db.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await db.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }
}
