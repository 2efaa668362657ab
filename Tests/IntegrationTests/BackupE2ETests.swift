import Foundation
import Testing
import TestSupport

/// Backups end to end: real restic into a real S3 server (SeaweedFS, SigV4), a real PostgreSQL in its
/// container, volumes on the real Docker engine; restores proven byte for byte and row for row.
// Nested in ApplyE2ETests: takes turns with the other Docker e2e tests.
extension ApplyE2ETests {
    @Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(6)))
    struct BackupE2ETests {
        static let compose = """
            services:
              files:
                image: berth-demo/static:1
                volumes: [data:/data]
              db:
                image: berth-demo/postgres:15
                environment: {POSTGRES_USER: notes, POSTGRES_DB: notes}
                volumes: [pgdata:/var/lib/postgresql/data]
            volumes:
              data: {}
              pgdata: {}

            """
        static func project(broken: Bool) -> String {
            """
            backups:
              volumes: [{name: data, stop: true}]
              databases:
                - {service: db, database: notes, user: notes}
            \(broken ? "    - {service: db, database: broken, user: app}" : "")

            """
        }

        static let password = "restic-pw-" + UUID().uuidString

        static func platform(endpoint: String = E2ESeaweed.endpoint, prefix: String, keepLast: Int = 2, onSuccess: Bool = false) -> String {
            E2E.platformYAML(extra: """
                backups:
                  s3: {endpoint: "\(endpoint)", bucket: berth-e2e, prefix: \(prefix), access_key_env: BK_S3_KEY, secret_key_env: BK_S3_SECRET}
                  password_env: BK_RESTIC_PW
                  retention: {keep_last: \(keepLast)}
                  webhook: {url: "\(E2EWebhook.url)", on_success: \(onSuccess)}
                  timeout: 2m
                """)
        }

        struct World {
            let s: E2EScenario
            let weed: E2ESeaweed
            let hook: E2EWebhook
            let prefix: String
            var environment: [String: String]

            /// `berth backup ARGS -c REPO --state-dir STATE` with the backup credentials in its environment.
            func backup(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> E2ECommandResult {
                var env = environment
                for (k, v) in extra { env[k] = v }
                let command = try BerthBinary.start(["backup"] + arguments + ["-c", s.repo.path, "--state-dir", s.stateDir.path], environment: env)
                return await command.wait(timeout: 180)
            }

            /// restic's snapshots of one target, read by the test itself.
            func snapshots(_ tag: String) async -> [String] {
                var args = ["env", "-u", "AWS_CA_BUNDLE"]
                for (k, v) in ["RESTIC_REPOSITORY": "s3:\(E2ESeaweed.endpoint)/berth-e2e/\(prefix)", "RESTIC_PASSWORD": BackupE2ETests.password,
                               "AWS_ACCESS_KEY_ID": E2ESeaweed.adminKey, "AWS_SECRET_ACCESS_KEY": weed.adminSecret] { args.append("\(k)=\(v)") }
                let result = await E2ECommand.run(args + ["restic", "snapshots", "--json", "--no-lock", "--tag", tag], timeout: 60)
                let list = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [[String: Any]] ?? []
                return list.compactMap { $0["id"] as? String }
            }

            func psql(_ sql: String, database: String = "notes", user: String = "notes") async throws -> String {
                let container = try #require(await E2E.runningContainers("bk-notes").first { $0.contains("-db-") }, "the db container runs")
                let result = await E2ECommand.docker(["exec", container, "psql", "-X", "-q", "-At", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql])
                try #require(result.status == 0, "psql: \(result.output)")
                return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }

            func volumePath(_ name: String) async -> String {
                await E2ECommand.docker(["volume", "inspect", "--format", "{{.Mountpoint}}", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }

            /// The volume's files as the test sees them: path, mode, owner and sha256 of each (link targets for links).
            func listing(_ volume: String) async -> String {
                let path = await volumePath(volume)
                let meta = await E2ECommand.run(["find", path, "-mindepth", "1", "-printf", "%P %y %m %U:%G %s %l\\n"])
                let sums = await E2ECommand.run(["sh", "-c", "cd '\(path)' && find . -type f -exec sha256sum {} + | sort"])
                return meta.stdout.split(separator: "\n").sorted().joined(separator: "\n") + "\n" + sums.stdout
            }

            func filesContainer() async -> String? { await E2E.runningContainers("bk-notes").first { $0.contains("-files-") } }
        }

        static func withWorld(broken: Bool = false, onSuccess: Bool = false, _ body: (World) async throws -> Void) async throws {
            try await E2ESeaweed.run { weed in
                try await E2EWebhook.run { hook in
                    try await E2EScenario.run("bk-") { s in
                        let prefix = "run-\(UUID().uuidString.prefix(8).lowercased())"
                        try s.write("platform.yml", platform(prefix: prefix, onSuccess: onSuccess))
                        try s.project("bk-notes", compose: compose, project: project(broken: broken))
                        let applied = try await s.apply()
                        try #require(applied.status == 0, "\(applied)")
                        let world = World(s: s, weed: weed, hook: hook, prefix: prefix, environment: [
                            "BK_RESTIC_PW": password, "BK_S3_KEY": E2ESeaweed.adminKey, "BK_S3_SECRET": weed.adminSecret, "AWS_CA_BUNDLE": "",
                        ])
                        // The database is ready once psql answers (the image runs initdb at first start).
                        let deadline = Deadline(seconds: 60)
                        while !deadline.passed {
                            if let container = await E2E.runningContainers("bk-notes").first(where: { $0.contains("-db-") }),
                               await E2ECommand.docker(["exec", container, "pg_isready", "-U", "notes"]).status == 0 { break }
                            try await Task.sleep(for: .milliseconds(250))
                        }
                        try await body(world)
                        for name in await E2ECommand.dockerLines(["volume", "ls", "-q"]) where name.hasPrefix("bk-notes_") {
                            await E2ECommand.docker(["volume", "rm", "-f", name])
                        }
                    }
                }
            }
        }

        @Test func volumeAndDatabaseRestoreExactlyAndRetentionForgetsOnlyTheOldest() async throws {
            try await Self.withWorld { w in
                // Data: files of several kinds in the volume, two tables in the database.
                let files = try #require(await w.filesContainer())
                let written = await E2E.exec(files, "mkdir -p /data/sub/deeper && head -c 300000 /dev/urandom > /data/sub/blob && echo hello > /data/a.txt && chmod 600 /data/a.txt && ln -s a.txt /data/link && head -c 5000 /dev/urandom > '/data/sub/deeper/name with spaces' && chown 65534:65534 /data/sub/blob")
                try #require(written.status == 0, "\(written)")
                _ = try await w.psql("CREATE TABLE items (id int PRIMARY KEY, name text, added timestamptz DEFAULT now()); INSERT INTO items (id, name) SELECT g, md5(g::text) FROM generate_series(1, 2000) g; CREATE TABLE tags (tag text); INSERT INTO tags VALUES ('a'), ('b'), (NULL);")
                let itemsQuery = "SELECT count(*) || ' ' || md5(string_agg(id || ':' || name || ':' || added, ',' ORDER BY id)) FROM items"
                let itemsBefore = try await w.psql(itemsQuery)
                let tagsBefore = try await w.psql("SELECT count(*) || ' ' || md5(string_agg(coalesce(tag, '-'), ',' ORDER BY tag)) FROM tags")
                let listingBefore = await w.listing("bk-notes_data")
                #expect(itemsBefore.hasPrefix("2000 "))

                let run = try await w.backup(["run", "bk-notes", "--volume", "data", "--json"])
                try #require(run.status == 0, "\(run)")
                let db = try await w.backup(["run", "bk-notes", "--database", "notes", "--json"])
                try #require(db.status == 0, "\(db)")
                #expect(!(run.output + db.output).contains(Self.password) && !(run.output + db.output).contains(w.weed.adminSecret), "no secret is printed")
                #expect(await w.filesContainer() != nil, "the service stopped for the copy runs again")
                let list = try await w.backup(["list", "--json"])
                let records = (try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]] ?? []
                #expect(records.count == 2 && records.allSatisfy { $0["state"] as? String == "succeeded" }, "\(list)")
                let volumeRecord = try #require(records.first { $0["kind"] as? String == "volume" })
                #expect(volumeRecord["files"] as? Int == 3 && (volumeRecord["digest"] as? String)?.count == 64, "\(volumeRecord)")
                let dbRecord = try #require(records.first { $0["kind"] as? String == "database" })
                let tables = dbRecord["tables"] as? [[String: Any]] ?? []
                #expect(tables.map { "\($0["table"]!) \($0["rows"]!)" } == ["public.items 2000", "public.tags 3"], "\(dbRecord)")
                let volumeSnapshots = await w.snapshots("volume=data"), databaseSnapshots = await w.snapshots("database=notes")
                #expect(volumeSnapshots.count == 1 && databaseSnapshots.count == 1)

                // Destroy: the volume's files replaced, the table dropped.
                #expect(await E2E.exec(files, "rm -rf /data/* && echo garbage > /data/garbage").status == 0)
                _ = try await w.psql("DROP TABLE items;")

                let restoredVolume = try await w.backup(["restore", "bk-notes", "--volume", "data"])
                try #require(restoredVolume.status == 0, "\(restoredVolume)")
                #expect(await w.listing("bk-notes_data") == listingBefore, "the volume is byte for byte what was backed up")
                #expect(await w.filesContainer() != nil, "the service runs again after the swap")
                let kept = await E2ECommand.dockerLines(["volume", "ls", "-q"]).filter { $0.hasPrefix("bk-notes_data_before_restore_") }
                #expect(kept.count == 1 && restoredVolume.stdout.contains(kept.first ?? "?"), "\(restoredVolume)")
                if let old = kept.first { #expect(await w.listing(old).contains("garbage"), "the previous data is kept, not destroyed") }

                let restoredDB = try await w.backup(["restore", "bk-notes", "--database", "notes"])
                try #require(restoredDB.status == 0, "\(restoredDB)")
                #expect(try await w.psql(itemsQuery) == itemsBefore, "row count and checksum of items are back")
                #expect(try await w.psql("SELECT count(*) || ' ' || md5(string_agg(coalesce(tag, '-'), ',' ORDER BY tag)) FROM tags") == tagsBefore)
                let previousDB = try await w.psql("SELECT datname FROM pg_database WHERE datname LIKE 'notes_before_restore_%'")
                #expect(!previousDB.isEmpty && restoredDB.stdout.contains(previousDB), "\(restoredDB)")
                #expect(try await w.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'items'", database: previousDB) == "0", "the kept database is the one before the restore")

                // Beside: a new database, nothing swapped.
                _ = try await w.psql("INSERT INTO tags VALUES ('after')")
                let beside = try await w.backup(["restore", "bk-notes", "--database", "notes", "--to", "notes_copy"])
                try #require(beside.status == 0, "\(beside)")
                #expect(try await w.psql(itemsQuery, database: "notes_copy") == itemsBefore)
                #expect(try await w.psql("SELECT count(*) FROM tags") == "4", "the current database is untouched")
                let besideAgain = try await w.backup(["restore", "bk-notes", "--database", "notes", "--to", "notes_copy"])
                #expect(besideAgain.status == 3 && besideAgain.stderr.contains("notes_copy already exists"), "\(besideAgain)")

                // Verification drill: scratch copies restored, compared and removed.
                let verify = try await w.backup(["verify", "bk-notes"])
                #expect(verify.status == 0 && verify.stdout.contains("bk-notes/volume/data  verified") && verify.stdout.contains("bk-notes/database/notes  verified  snapshot"), "\(verify)")
                #expect(verify.stdout.contains("2 tables, 2003 rows"), "\(verify)")
                #expect(await E2ECommand.dockerLines(["volume", "ls", "-q"]).filter { $0.contains("_drill_") }.isEmpty)
                #expect(try await w.psql("SELECT count(*) FROM pg_database WHERE datname LIKE '%drill%'") == "0")

                // Retention: with keep_last 2 a second backup of the volume keeps both; with keep_last 1 the
                // next one forgets the older two, and only them.
                let first = await w.snapshots("volume=data")
                let second = try await w.backup(["run", "bk-notes", "--volume", "data"])
                try #require(second.status == 0, "\(second)")
                let two = await w.snapshots("volume=data")
                #expect(two.count == 2 && two.contains(first[0]), "\(first) → \(two)")
                try w.s.write("platform.yml", Self.platform(prefix: w.prefix, keepLast: 1))
                let third = try await w.backup(["run", "bk-notes", "--volume", "data"])
                try #require(third.status == 0, "\(third)")
                let after = await w.snapshots("volume=data")
                #expect(after.count == 1 && !two.contains(after[0]), "\(two) → \(after)")
                #expect(await w.snapshots("database=notes").count == 1, "other targets keep their snapshots")
                let listed = try await w.backup(["list"])
                #expect(listed.stdout.contains("(forgotten)"), "\(listed)")
                #expect(w.hook.posts.isEmpty, "no webhook call for successes without on_success: \(w.hook.posts)")
            }
        }

        @Test func failuresAreLoudNotifiedAndLeaveThePreviousBackupsIntact() async throws {
            try await Self.withWorld(broken: true, onSuccess: true) { w in
                let files = try #require(await w.filesContainer())
                #expect(await E2E.exec(files, "echo keep > /data/keep").status == 0)
                let baseline = try await w.backup(["run", "bk-notes", "--volume", "data"])
                try #require(baseline.status == 0, "\(baseline)")
                let snapshots = await w.snapshots("volume=data")
                try #require(snapshots.count == 1)
                let success = w.hook.posts
                #expect(success.count == 1 && success.first?["state"] as? String == "succeeded" && success.first?["snapshot"] as? String == snapshots.first,
                        "on_success: the succeeded backup is posted too: \(success)")

                // A dump that fails midway: pg_dump stops at a table with forced row-level security, after
                // it has written the first table's data. restic alone would keep the truncated stream.
                _ = try await w.psql("CREATE ROLE app LOGIN")
                _ = try await w.psql("CREATE DATABASE broken OWNER app")
                _ = try await w.psql("""
                    CREATE TABLE a_rows AS SELECT g, md5(g::text) || md5((g * 7)::text) AS pad FROM generate_series(1, 20000) g;
                    CREATE TABLE z_forced (x int); INSERT INTO z_forced VALUES (1);
                    ALTER TABLE z_forced ENABLE ROW LEVEL SECURITY; ALTER TABLE z_forced FORCE ROW LEVEL SECURITY;
                    CREATE POLICY p ON z_forced USING (true);
                    """, database: "broken", user: "app")
                let dump = try await w.backup(["run", "bk-notes", "--database", "broken"])
                #expect(dump.status == 3 && dump.stderr.contains("pg_dump of database broken") && dump.stderr.contains("row-level security"), "\(dump)")
                #expect(dump.stderr.contains("which was forgotten"), "restic had stored the truncated stream: \(dump)")
                let bytes = dump.stderr.firstMatch(of: /after (\d+) bytes/).flatMap { Int($0.1) } ?? 0
                #expect(bytes > 100_000, "the dump failed midway, after the first table's data (\(bytes) bytes)")
                #expect(await w.snapshots("database=broken").isEmpty, "no snapshot of the failed dump is left")

                // A password variable that is not set: named with what to do; nothing is stopped or written to the repository.
                let unset = try await w.backup(["run", "bk-notes", "--volume", "data"], environment: ["BK_RESTIC_PW": ""])
                #expect(unset.status == 3 && unset.stderr.contains("credential BK_RESTIC_PW is not set") && unset.stderr.contains("berth secrets set --platform BK_RESTIC_PW"), "\(unset)")

                // A wrong password, an unreachable endpoint, a key that may not write.
                let wrong = try await w.backup(["run", "bk-notes", "--volume", "data"], environment: ["BK_RESTIC_PW": "not-the-password-123"])
                #expect(wrong.status == 3 && wrong.stderr.contains("wrong password"), "\(wrong)")
                #expect(!wrong.output.contains("not-the-password-123"))
                try w.s.write("platform.yml", Self.platform(endpoint: "http://127.0.0.1:18399", prefix: w.prefix))
                let unreachable = try await w.backup(["run", "bk-notes", "--volume", "data"])
                #expect(unreachable.status == 3 && unreachable.stderr.contains("connection refused") && unreachable.stderr.contains("does not answer"), "\(unreachable)")
                try w.s.write("platform.yml", Self.platform(prefix: w.prefix))
                let readOnly = try await w.backup(["run", "bk-notes", "--volume", "data"], environment: ["BK_S3_KEY": E2ESeaweed.readerKey, "BK_S3_SECRET": w.weed.readerSecret])
                #expect(readOnly.status == 3 && readOnly.stderr.contains("Access Denied") && readOnly.seconds < 30, "\(readOnly)")
                #expect(!(wrong.output + unreachable.output + readOnly.output).contains(w.weed.readerSecret))

                // Each failure was posted to the webhook, with its code; none counts as a backup.
                let posts = Array(w.hook.posts.dropFirst())
                #expect(posts.count == 5 && posts.allSatisfy { $0["state"] as? String == "failed" }, "\(posts)")
                #expect(posts.compactMap { ($0["error"] as? [String: Any])?["code"] as? String }
                    == ["dump_failed", "backup_credential_missing", "restic_failed", "restic_failed", "restic_failed"], "\(posts)")
                #expect(await E2E.exec(files, "test -f /data/keep").status == 0, "the service was started again after each failure")

                // The previous backup is intact and restores.
                #expect(await w.snapshots("volume=data") == snapshots)
                let verify = try await w.backup(["verify", "bk-notes", "--volume", "data"])
                #expect(verify.status == 0 && verify.stdout.contains("verified"), "\(verify)")
                let list = try await w.backup(["list"])
                #expect(list.stdout.components(separatedBy: "FAILED").count - 1 == 5, "\(list)")

                // The volume itself destroyed: apply creates it again, empty; the restore brings the data back.
                await E2ECommand.docker(["rm", "-f", files])
                #expect(await E2ECommand.docker(["volume", "rm", "bk-notes_data"]).status == 0)
                let reapplied = try await w.s.apply()
                try #require(reapplied.status == 0, "\(reapplied)")
                let empty = await w.listing("bk-notes_data")
                #expect(!empty.contains("keep"), "\(empty)")
                let restored = try await w.backup(["restore", "bk-notes", "--volume", "data"])
                #expect(restored.status == 0, "\(restored)")
                let back = try #require(await w.filesContainer())
                #expect(await E2E.exec(back, "cat /data/keep").stdout == "keep\n")
            }
        }
    }
}
