import Foundation

/// A PostgreSQL database inside its own container: every client program (psql, pg_dump, pg_restore)
/// runs there with `docker exec`, so client and server versions always match.
struct Postgres: Sendable {
    let docker: DockerCLI
    let container: String
    let user: String

    /// Runs `sql` with psql (quiet, unaligned, tab-separated, stop at the first error) in `database`.
    func psql(_ database: String, _ sql: String, step: String) async throws -> [[String]] {
        let result = try await docker.runner.run("docker", ["exec", "-i", container, "psql", "-X", "-q", "-U", user, "-d", database,
                                                       "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", "-f", "-"],
                                                 environment: docker.environment, input: Data(sql.utf8))
        guard result.succeeded else {
            throw BackupError(.restoreFailed, "\(step): psql in container \(container.prefix(12)) failed: \(Restic.lastLines(result.stderrText))",
                              hint: "check that user '\(user)' may do this in database '\(database)'")
        }
        return result.stdoutText.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static func ident(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    static let tableNamesSQL = """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1;
        """

    /// One query per table: its name, row count and checksum. The checksum is the sum of the first 64 bits
    /// of each row's md5, prefixed `s64:` (order-free: one pass, no sort). Records made before it carry
    /// md5 over the sorted md5s (`legacy`), which a restore of them is compared with.
    static func countsSQL(_ names: [String], legacy: Bool = false) -> String {
        names.map { name in
            let checksum = legacy
                ? "coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '')"
                : "'\(sum64Prefix)' || coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint), 0)"
            return "SELECT \(literal(name)), count(*), \(checksum) FROM ONLY \(name) t;"
        }
        .joined(separator: "\n")
    }

    static let sum64Prefix = "s64:"

    /// Whether checksums recorded as `tables` were made the legacy way.
    static func isLegacy(_ tables: [TableDigest]) -> Bool {
        tables.contains { !$0.checksum.isEmpty && !$0.checksum.hasPrefix(sum64Prefix) }
    }

    static func parseCounts(_ rows: [[String]]) -> [TableDigest] {
        rows.compactMap { row in
            guard row.count == 3, let count = Int(row[1]) else { return nil }
            return TableDigest(table: row[0], rows: count, checksum: row[2])
        }
    }

    /// Every ordinary table's row count and checksum, all read in one repeatable-read transaction, the way
    /// `recorded` (a backup's tables) were checksummed.
    func tables(_ database: String, like recorded: [TableDigest] = []) async throws -> [TableDigest] {
        let names = try await psql(database, Self.tableNamesSQL, step: "listing the tables of \(database)").compactMap(\.first)
        guard !names.isEmpty else { return [] }
        let sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n\(Self.countsSQL(names, legacy: Self.isLegacy(recorded)))\nCOMMIT;\n"
        return Self.parseCounts(try await psql(database, sql, step: "counting the rows of \(database)"))
    }

    func exists(_ database: String) async throws -> Bool {
        try await psql("postgres", "SELECT 1 FROM pg_database WHERE datname = \(Self.literal(database));", step: "looking for database \(database)").isEmpty == false
    }

    func owner(_ database: String) async throws -> String? {
        try await psql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = \(Self.literal(database));", step: "reading the owner of \(database)").first?.first
    }

    func create(_ database: String, owner: String) async throws {
        _ = try await psql("postgres", "CREATE DATABASE \(Self.ident(database)) OWNER \(Self.ident(owner)) TEMPLATE template0;", step: "creating database \(database)")
    }

    func drop(_ database: String) async throws {
        _ = try await psql("postgres", "DROP DATABASE IF EXISTS \(Self.ident(database)) WITH (FORCE);", step: "removing database \(database)")
    }

    /// `current` becomes `keep`, `restored` becomes `current`, in one transaction (both or neither).
    func swap(current: String, restored: String, keep: String) async throws {
        _ = try await psql("postgres", """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname IN (\(Self.literal(current)), \(Self.literal(restored))) AND pid <> pg_backend_pid();
            BEGIN;
            ALTER DATABASE \(Self.ident(current)) RENAME TO \(Self.ident(keep));
            ALTER DATABASE \(Self.ident(restored)) RENAME TO \(Self.ident(current));
            COMMIT;
            """, step: "swapping the restored database in")
    }

    /// `snapshot`: an exported snapshot (`pg_export_snapshot()`) the dump reads, instead of its own.
    /// `pg_dump -Fc` without its own compression (`-Z0`): restic compresses the stream (zstd, faster than
    /// pg_dump's zlib), and an uncompressed dump deduplicates against yesterday's.
    func dump(_ database: String, snapshot: String? = nil) -> StreamPipe.Command {
        docker.command(["exec", container, "pg_dump", "-U", user, "-d", database, "-Fc", "-Z0"] + (snapshot.map { ["--snapshot=\($0)"] } ?? []))
    }

    func restore(into database: String) -> StreamPipe.Command {
        docker.command(["exec", "-i", container, "pg_restore", "-U", user, "-d", database, "--exit-on-error", "--single-transaction"])
    }
}
