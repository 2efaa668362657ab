import Foundation
import Testing
import TestSupport

// Nested in ApplyE2ETests: it takes turns with the other Docker end-to-end tests (ports, proxy, lock).
extension ApplyE2ETests {
    /// Two `berth serve` sharing one queue in a real PostgreSQL 15 (started here on 127.0.0.1, its own data
    /// directory), real Docker and Traefik: 20 deploys of 5 projects run once each, never two at once for one
    /// project (checked from the store's own records); a daemon killed with -9 mid-task loses its lease and the
    /// other takes the task over (attempt 2) and converges the project.
    @Suite(.serialized, .tags(.e2e), .enabled(if: PostgresServer.available, "needs PostgreSQL 15 (scripts/setup.sh installs it)"))
    struct ServePostgresE2ETests {
        static let projects = (1...5).map { "e2epg-p\($0)" }
        static func host(_ project: String) -> String { "\(project.replacingOccurrences(of: "e2epg-", with: "pg-")).e2e.localhost" }

        func write(_ s: E2EScenario, _ project: String, version: Int, startDelay: Int? = nil) throws {
            var environment = ["APP_VERSION": "\(version)"]
            if let startDelay { environment["APP_START_DELAY"] = "\(startDelay)" }
            try s.project(project, compose: E2E.appCompose(replicas: 1, environment: environment), project: E2E.appProject(host: Self.host(project)))
        }

        func post(_ daemon: ServeDaemon, _ token: String, _ body: String) async throws -> String {
            let reply = await daemon.call("POST", "/v1/deployments", token: token, body: body)
            return try #require((reply.object["task"] as? [String: Any])?["id"] as? String, "\(reply)")
        }

        func state(_ daemon: ServeDaemon, _ token: String, _ id: String) async -> [String: Any] {
            await daemon.call("GET", "/v1/tasks/\(id)", token: token).object
        }

        @Test func twoDaemonsShareOneQueueAndAKilledDaemonsTaskIsTakenOver() async throws {
            let pg = try PostgresServer.start()
            defer { pg.stop() }
            try await E2EScenario.run("e2epg-") { s in
                try s.write("platform.yml", E2E.platformYAML(traefik: true))
                for project in Self.projects { try write(s, project, version: 1) }
                let created = try await BerthBinary.runAsync(["token", "create", "ops", "--scope", "admin", "--state-dir", s.stateDir.path,
                                                              "--database", pg.url], timeout: 60)
                try #require(created.status == 0, "\(created)")
                let admin = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(try pg.psql("SELECT count(*) FROM tokens") == "1", "the token is in PostgreSQL")
                let lease = ["--database", pg.url, "--task-lease", "3s"]
                let a = try await ServeDaemon.start(s, lease)
                let b = try await ServeDaemon.start(s, lease)
                defer { a.process.kill9(); b.process.kill9() }

                // The first deploy brings the proxy and every project up.
                let first = try await post(a, admin, "{}")
                #expect(await b.waitForTask(first, token: admin, timeout: 180)["state"] as? String == "succeeded")

                // 20 deploys, 4 waves of one deploy per project, queued alternately on both daemons; each wave is a new
                // version, queued while the last wave may still run (so a project's deploys wait for each other).
                var ids: [String] = []
                for wave in 0..<4 {
                    for (i, project) in Self.projects.enumerated() {
                        try write(s, project, version: wave + 2)
                        ids.append(try await post((wave * 5 + i) % 2 == 0 ? a : b, admin, "{\"projects\": [\"\(project)\"]}"))
                    }
                    // The next wave is queued once this one is claimed: a queued deploy would be replaced (latest wins).
                    let deadline = Deadline(seconds: 240)
                    while !deadline.passed {
                        var queued = 0
                        for id in ids.suffix(5) where await state(a, admin, id)["state"] as? String == "queued" { queued += 1 }
                        if queued == 0 { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                for id in ids {
                    let task = await a.waitForTask(id, token: admin, timeout: 300)
                    #expect(task["state"] as? String == "succeeded" && task["attempt"] as? Int == 1, "\(task)")
                }
                for project in Self.projects {
                    #expect(E2EHTTP.versions(Self.host(project), count: 3) == ["version=5": 3], "\(project) did not converge")
                }

                // The store's records: every task ran exactly once; no project had two running tasks at once (events are
                // ordered by id, appended under a lock); both daemons ran tasks.
                let rows = try pg.psql("SELECT e.task_id || '|' || (e.body::json->>'state') || '|' || (t.body::json->>'projects') FROM events e JOIN tasks t ON t.id = e.task_id WHERE e.body::json->>'kind' = 'state' AND e.task_id IN ('\(ids.joined(separator: "','"))') ORDER BY e.id")
                var holder: [String: String] = [:]
                var runs: [String: Int] = [:]
                for line in rows.split(separator: "\n") {
                    let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 3 else { continue }
                    let projects = parts[2].filter { !"[]\" ".contains($0) }.split(separator: ",").map(String.init)
                    if parts[1] == "running" {
                        runs[parts[0], default: 0] += 1
                        for p in projects {
                            #expect(holder[p] == nil, "\(p): \(parts[0]) started while \(holder[p] ?? "") ran")
                            holder[p] = parts[0]
                        }
                    } else if ["succeeded", "failed", "cancelled", "interrupted"].contains(parts[1]) {
                        for p in projects where holder[p] == parts[0] { holder[p] = nil }
                    }
                }
                #expect(runs.count == 20 && runs.values.allSatisfy { $0 == 1 }, "\(runs)")
                let runners = try pg.psql("SELECT count(DISTINCT runner) FROM tasks WHERE id IN ('\(ids.joined(separator: "','"))')")
                #expect(runners == "2", "both daemons ran tasks: \(runners)")
                // Daemon B streams the events of a task that daemon A ran.
                let ranByA = try pg.psql("SELECT id FROM tasks WHERE runner LIKE '%:\(a.pid):%' AND id IN ('\(ids.joined(separator: "','"))') LIMIT 1")
                let stream = await b.events("/v1/tasks/\(ranByA)/events", token: admin, timeout: 30)
                let states = stream.events.filter { $0.kind == "state" }.compactMap { $0.data["state"] as? String }
                #expect(states.first == "queued" && states.contains("running") && states.last == "succeeded", "\(ranByA): \(states)")
                #expect(stream.events.contains { $0.kind == "progress" })

                // kill -9 mid-task: version 6 of p1 takes 8 s to start; its daemon dies while it waits.
                let project = Self.projects[0]
                try write(s, project, version: 6, startDelay: 8)
                let slow = try await post(b, admin, "{\"projects\": [\"\(project)\"]}")
                var task: [String: Any] = [:]
                let deadline = Deadline(seconds: 90)
                while !deadline.passed, task["phase"] as? String != "waiting_ready" {
                    task = await state(b, admin, slow)
                    try await Task.sleep(for: .milliseconds(100))
                }
                try #require(task["phase"] as? String == "waiting_ready" && task["attempt"] as? Int == 1, "\(task)")
                let runner = try #require(task["runner"] as? String)
                let (victim, survivor) = runner.contains(":\(a.pid):") ? (a, b) : (b, a)
                victim.process.kill9()
                let killed = await victim.process.wait(timeout: 10)
                #expect(killed.signaled)
                let taken = await survivor.waitForTask(slow, token: admin, timeout: 180)
                #expect(taken["state"] as? String == "succeeded" && taken["attempt"] as? Int == 2, "\(taken)")
                #expect((taken["runner"] as? String)?.contains(":\(survivor.pid):") == true, "\(taken)")
                let takeover = await survivor.events("/v1/tasks/\(slow)/events", token: admin, timeout: 30)
                let attempts = takeover.events.filter { $0.kind == "state" && $0.data["state"] as? String == "running" }.compactMap { $0.data["attempt"] as? Int }
                #expect(attempts == [1, 2], "\(attempts)")
                #expect(takeover.events.contains { ($0.data["message"] as? String ?? "").contains("taken over") })
                #expect(E2EHTTP.versions(Self.host(project), count: 5) == ["version=6": 5], "the project did not converge")
                let replicas = await E2E.containers("\(project)-")
                #expect(replicas.count == 1, "not converged: \(replicas)")
                #expect(try pg.psql("SELECT count(*) FROM running_projects") == "0")

                let stopped = await survivor.stop()
                #expect(!stopped.output.contains(PostgresServer.password) && !victim.process.currentOutput.contains(PostgresServer.password),
                        "the database password was printed")
                #expect(!stopped.output.contains(admin), "a token was printed")
            }
        }
    }
}

extension ServeDaemon {
    var pid: Int32 { process.pid }
}
