import Foundation
import Testing
import TestSupport

// Nested in ApplyE2ETests: its tests take turns with the other e2e tests (one shared proxy, ports, lock).
extension ApplyE2ETests {
    /// `berth serve` runs the backup schedules: with the real daemon, restic (a local repository), Docker and a
    /// real volume, a due schedule queues a backup task that reads its snapshot back; the records and
    /// `/metrics` show it; a failing backup is a failed task, a 0 in `/metrics` and a post to the webhook.
    @Suite(.serialized, .tags(.e2e))
    struct ServeBackupE2ETests {
        static let project = "e2esb-files"

        @Test func scheduledBackupsRunAsTasksAndTheirFailuresAreReported() async throws {
            try await E2EWebhook.run { hook in
                try await E2EScenario.run("e2esb-") { s in
                    let restic = s.stateDir.deletingLastPathComponent().appendingPathComponent("restic")
                    try s.write("platform.yml", E2E.platformYAML(extra: """
                        backups:
                          path: \(restic.path)
                          password_env: BK_SERVE_PW
                          webhook: {url: "\(E2EWebhook.url)"}
                          timeout: 1m
                        """, traefik: true))
                    try s.project(Self.project, compose: """
                        services:
                          web:
                            image: berth-demo/static:1
                            volumes: [data:/www/data]
                        volumes:
                          data: {}
                        """, project: """
                        ingress:
                          - {service: web, hosts: [files.e2e.localhost], port: 8080, tls: false}
                        backups:
                          schedule: "@every 3s"
                          volumes: [data]
                        """)
                    let started = Stopwatch()
                    let mark = { (what: String) in print("[e2e] serve backups: \(what) after \(String(format: "%.1f", started.seconds)) s") }
                    let password = "pw-" + UUID().uuidString
                    // Deployed before the daemon starts: the first scheduled backup finds the volume.
                    let apply = try await s.berth("apply", ["--yes"])
                    try #require(apply.status == 0, "\(apply)")
                    let web = try #require(await E2E.runningContainers("\(Self.project)-web-").first)
                    _ = await E2E.exec(web, "echo served > /www/data/page.txt")
                    let admin = try await s.createToken("ops", scope: "admin")
                    let reader = try await s.createToken("viewer", scope: "read")
                    let daemon = try await ServeDaemon.start(s, environment: ["BK_SERVE_PW": password])
                    defer { daemon.process.kill9() }

                    // The schedule comes due about 3 s after the start: a backup task by `scheduler`.
                    let scheduled = try #require(await Self.task(daemon, token: admin) { $0["created_by"] as? String == "scheduler" },
                                                 "no scheduled backup task within 60 s")
                    #expect(scheduled["kind"] as? String == "backup")
                    mark("the scheduled task queued")
                    let done = await daemon.waitForTask(try #require(scheduled["id"] as? String), token: admin)
                    mark("the scheduled backup ended")
                    #expect(done["state"] as? String == "succeeded", "\(done)")
                    let messages = ((done["results"] as? [[String: Any]])?.first?["messages"] as? [String]) ?? []
                    #expect(messages.contains { $0.contains("volume data") && $0.contains("read back and matched") }, "\(done)")

                    let records = try #require(await daemon.call("GET", "/v1/backups?project=\(Self.project)", token: reader).json as? [[String: Any]])
                    #expect(records.first?["state"] as? String == "succeeded" && records.first?["target"] as? String == "data", "\(records.prefix(2))")
                    let metrics = await daemon.call("GET", "/metrics", token: reader).body
                    let ok = metrics.split(separator: "\n").first { $0.hasPrefix("berth_backup_last_result_ok{") && $0.contains(Self.project) }
                    #expect(ok?.hasSuffix(" 1.0") == true || ok?.hasSuffix(" 1") == true, "\(ok ?? "no berth_backup_last_result_ok line")")
                    #expect(await daemon.call("POST", "/v1/backups", token: reader).status == 403)
                    let nothing = await daemon.call("POST", "/v1/backups", token: admin, body: "{\"projects\": [\"e2esb-nope\"]}")
                    #expect(nothing.status == 422 && nothing.errorCode == "nothing_to_back_up", "\(nothing)")

                    // A database the project's web service cannot dump (it has no pg_dump): the next backups fail
                    // loudly for it, while the volume still backs up.
                    try s.write("projects/\(Self.project)/project.yml", """
                        ingress:
                          - {service: web, hosts: [files.e2e.localhost], port: 8080, tls: false}
                        backups:
                          schedule: "@every 3s"
                          volumes: [data]
                          databases: [{service: web, database: nope}]
                        """)
                    let accepted = await daemon.call("POST", "/v1/backups", token: admin, body: "{\"projects\": [\"\(Self.project)\"]}")
                    try #require(accepted.status == 202, "\(accepted)")
                    // It fails itself, or a newer scheduled one replaces it (latest wins) and fails.
                    let failure = try #require(await Self.task(daemon, token: admin) { $0["kind"] as? String == "backup" && $0["state"] as? String == "failed" },
                                               "no failed backup task after the database was added")
                    #expect((failure["message"] as? String)?.contains("database nope") == true, "\(failure)")
                    mark("a failed backup task seen")
                    let posts = hook.posts
                    #expect(posts.contains { $0["state"] as? String == "failed" && $0["target"] as? String == "nope" }, "webhook posts: \(posts)")
                    let after = await daemon.call("GET", "/metrics", token: reader).body
                    let zero = after.split(separator: "\n").first { $0.hasPrefix("berth_backup_last_result_ok{") && $0.contains("target=\"nope\"") }
                    #expect(zero?.hasSuffix(" 0.0") == true || zero?.hasSuffix(" 0") == true, "\(zero ?? "no berth_backup_last_result_ok line")")
                    #expect(after.contains("berth_backups_count{state=\"succeeded\"}"), "the earlier success still counts")
                    _ = await daemon.stop()
                }
            }
        }

        /// The newest task matching `condition`, polled for up to `timeout` seconds.
        static func task(_ daemon: ServeDaemon, token: String, timeout: Double = 60,
                         _ condition: ([String: Any]) -> Bool) async -> [String: Any]? {
            let deadline = Deadline(seconds: timeout)
            while !deadline.passed {
                let tasks = await daemon.call("GET", "/v1/tasks", token: token).json as? [[String: Any]] ?? []
                if let found = tasks.first(where: condition) { return found }
                try? await Task.sleep(for: .milliseconds(250))
            }
            return nil
        }
    }
}
