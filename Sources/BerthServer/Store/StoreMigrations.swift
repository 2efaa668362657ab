import Foundation
internal import SQLiteNIO

/// The store's schema, as numbered migrations. A store is at version N when migrations 1...N ran; each
/// runs once, in its own transaction. Never edit a released migration: add the next one.
enum StoreMigrations {
    static let all: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE tasks (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
                                created_at REAL NOT NULL, body TEXT NOT NULL)
            """,
            "CREATE INDEX tasks_state ON tasks (state)",
            "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE INDEX events_task ON events (task_id, id)",
            "CREATE TABLE tokens (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
            "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
        ]),
    ]

    static var latest: Int { all.map(\.version).max() ?? 0 }

    static func migrate(_ db: SQLiteConnection, path: String) async throws {
        _ = try await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        let current = try await db.query("SELECT MAX(version) AS v FROM schema_migrations").first?.column("v")?.integer ?? 0
        if current > latest {
            throw StoreError(.corrupt, "the store \(path) has schema version \(current), newer than this berth knows (\(latest)); run a newer berth or move the file aside")
        }
        for migration in all where migration.version > current {
            _ = try await db.query("BEGIN IMMEDIATE")
            do {
                for statement in migration.statements { _ = try await db.query(statement) }
                _ = try await db.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                                       [.integer(migration.version), .float(Date().timeIntervalSince1970)])
                _ = try await db.query("COMMIT")
            } catch {
                _ = try? await db.query("ROLLBACK")  // the migration's own error is the one to report
                throw StoreError(.unavailable, "migrating the store \(path) to version \(migration.version) failed: \(error)")
            }
        }
    }
}
