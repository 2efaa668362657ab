import BerthConfig
import BerthSystem
import Foundation

extension BackupRunner {
    /// `pg_dump -Fc` inside the database's container, streamed through Berth (hashed) into
    /// `restic backup --stdin`; both ends must succeed, else the snapshot (if restic made one) is forgotten.
    /// Returns the target's snapshots as listed after the backup (retention reuses the listing).
    func backupDatabase(_ project: Project, _ database: BackupDatabase, into record: inout BackupRecord) async throws -> [Restic.Snapshot] {
        let restic = try restic()
        _ = try restic.environment()
        let postgres = try await databaseContainer(project, database)
        try await restic.ensureRepository()
        let tags = BackupRecord.tags(platform: platformName, project: project.name, kind: .database, target: database.database)
        // One transaction's snapshot for the counts and the dump: the counts are exactly what the dump holds.
        let session = try PsqlSession(docker: docker, container: postgres.container, user: database.user, database: database.database,
                                      scratch: work.appendingPathComponent("tmp"))
        let exported = try await session.rows("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();",
                                              step: "exporting a snapshot of \(database.database)", timeout: timeout)
        guard let dumpSnapshot = exported.first?.first, !dumpSnapshot.isEmpty else {
            await session.finish()
            throw BackupError(.dumpFailed, "PostgreSQL exported no snapshot for database \(database.database)")
        }
        let names = try await session.rows(Postgres.tableNamesSQL, step: "listing the tables of \(database.database)", timeout: timeout).compactMap(\.first)
        // The counts run in the session while pg_dump reads the same snapshot.
        let timeout = self.timeout
        let counting = Task { () throws -> [TableDigest] in
            names.isEmpty ? [] : Postgres.parseCounts(try await session.rows(Postgres.countsSQL(names), step: "counting the rows of \(database.database)", timeout: timeout))
        }
        let backup = try restic.stdinCommand(["backup", "--json", "--host", platformName, "--stdin", "--stdin-filename", Self.dumpFile(database)]
                                             + tags.flatMap { ["--tag", $0] })
        let pipe = StreamPipe(timeout: timeout, scratch: work.appendingPathComponent("tmp"))
        let result: StreamPipe.Result
        let tables: [TableDigest]
        do {
            result = try await pipe.run(postgres.dump(database.database, snapshot: dumpSnapshot), backup)
            tables = try await counting.value
        } catch {
            _ = await counting.result  // the session is not used by two at once
            await session.finish()
            throw error
        }
        await session.finish()
        let summary = result.consumer.succeeded ? Restic.summarySnapshot(result.consumerStdout) : nil
        guard result.producer.succeeded, !result.timedOut else {
            var forgotten = ""
            if let summary {
                try await restic.forget([summary.id], step: "forgetting the snapshot of the failed dump")
                forgotten = "; restic had stored the truncated stream as snapshot \(summary.id), which was forgotten"
            }
            let why = result.timedOut ? "did not finish within \(timeout)" : "failed (\(result.producer))"
            throw BackupError(.dumpFailed, "pg_dump of database \(database.database) in service '\(database.service)' \(why) after \(result.bytes) bytes: \(Restic.lastLines(result.producerStderr))\(forgotten)",
                              hint: "fix what pg_dump reports; the previous backups are unchanged")
        }
        guard result.consumer.succeeded, let summary else {
            throw restic.failure(step: "restic backup of database \(database.database)", result.consumerStderr, timedOut: false, aborted: result.consumerAborted)
        }
        let (snapshot, listing) = try await listed(summary.id, tags: tags, restic: restic)
        record.snapshot = snapshot
        // Read-back: restic dump of the stored file must hash to what pg_dump streamed.
        let readBack = try await pipe.run(restic.stdinCommand(["dump", snapshot, "/" + Self.dumpFile(database)]), nil)
        guard readBack.producer.succeeded, readBack.sha256 == result.sha256, readBack.bytes == result.bytes else {
            try await restic.forget([snapshot], step: "forgetting the snapshot that does not read back")
            throw BackupError(.verificationFailed, "snapshot \(snapshot.prefix(8)) of database \(database.database) read back as \(readBack.bytes) bytes / \(readBack.sha256.prefix(12)) instead of \(result.bytes) / \(result.sha256.prefix(12)): \(Restic.lastLines(readBack.producerStderr)); it was forgotten")
        }
        record.digest = result.sha256
        record.bytes = result.bytes
        record.tables = tables
        return listing
    }

    static func dumpFile(_ database: BackupDatabase) -> String { "\(database.database).dump" }
}
