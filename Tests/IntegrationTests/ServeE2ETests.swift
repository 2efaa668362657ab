import Foundation
import Testing
import TestSupport

// Nested in ApplyE2ETests: its tests take turns with the other e2e tests (one shared proxy, ports, lock).
extension ApplyE2ETests {
    /// `berth serve` end to end: the real binary, a real Docker engine and Traefik. Tokens come from the CLI;
    /// deploys go through the API and are followed over SSE; the app answers through the proxy.
    @Suite(.serialized, .tags(.e2e))
    struct ServeE2ETests {
        static let project = "e2esrv-web"
        static let host = "srv.e2e.localhost"

        func setUp(_ s: E2EScenario, version: String = "1") throws {
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            try s.project(Self.project, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version]),
                          project: E2E.appProject(host: Self.host))
        }

        @Test func tokensScopesAndADeployFollowedOverSSE() async throws {
            try await E2EScenario.run("e2esrv-") { s in
                try setUp(s)
                let admin = try await s.createToken("ops", scope: "admin")
                let deploy = try await s.createToken("ci", scope: "deploy", projects: [Self.project])
                let reader = try await s.createToken("viewer", scope: "read", projects: ["e2esrv-other"])
                let expired = try await s.createToken("old", scope: "admin", expires: "1s")
                let revoked = try await s.createToken("gone", scope: "admin")
                let revoke = try await BerthBinary.runAsync(["token", "revoke", "gone", "--state-dir", s.stateDir.path])
                #expect(revoke.status == 0, "\(revoke)")
                let list = try await BerthBinary.runAsync(["token", "list", "--state-dir", s.stateDir.path])
                #expect(list.stdout.contains("ci\tdeploy\te2esrv-web") && !list.stdout.contains("gone") && !list.stdout.contains(deploy), "\(list)")
                try await Task.sleep(for: .milliseconds(1100))

                let daemon = try await ServeDaemon.start(s)
                defer { daemon.process.kill9() }

                // 401: no token, a wrong one, an expired one, a revoked one; JSON error bodies.
                let none = await daemon.call("GET", "/v1/tasks")
                #expect(none.status == 401 && none.errorCode == "unauthenticated", "\(none)")
                #expect(none.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(await daemon.call("GET", "/v1/tasks", token: "berth_nope").errorCode == "invalid_token")
                #expect(await daemon.call("GET", "/v1/tasks", token: expired).errorCode == "token_expired")
                #expect(await daemon.call("GET", "/v1/tasks", token: revoked).status == 401)
                #expect(await daemon.call("POST", "/v1/deployments", body: "{}").status == 401)

                // 403: outside the scope or the projects.
                let body = "{\"projects\": [\"\(Self.project)\"], \"priority\": \"high\"}"
                #expect(await daemon.call("POST", "/v1/deployments", token: reader, body: body).status == 403)
                #expect(await daemon.call("GET", "/v1/projects", token: deploy).status == 403)
                #expect(await daemon.call("GET", "/v1/projects/\(Self.project)", token: reader).status == 403)
                #expect(await daemon.call("POST", "/v1/deployments", token: deploy, body: "{\"projects\": [\"e2esrv-other\"]}").status == 403)
                #expect(await daemon.call("POST", "/v1/deployments", token: deploy, body: "{}").status == 403)  // all projects
                #expect(await daemon.call("GET", "/v1/audit", token: reader).status == 403)
                // Bad input: a clear 400/422 and nothing queued.
                let typo = await daemon.call("POST", "/v1/deployments", token: admin, body: "{\"project\": [\"x\"]}")
                #expect(typo.status == 400 && typo.body.contains("project"), "\(typo)")
                let unknown = await daemon.call("POST", "/v1/deployments", token: admin, body: "{\"projects\": [\"e2esrv-wbe\"]}")
                #expect(unknown.status == 422 && unknown.body.contains("e2esrv-web"), "\(unknown)")
                #expect((await daemon.call("GET", "/v1/tasks", token: admin).json as? [Any])?.isEmpty == true)

                // A deploy token queues a deploy and follows it.
                let accepted = await daemon.call("POST", "/v1/deployments", token: deploy, body: body)
                try #require(accepted.status == 202, "\(accepted)")
                let task = try #require(accepted.object["task"] as? [String: Any])
                let id = try #require(task["id"] as? String)
                #expect(accepted.headers["location"] == "/v1/tasks/\(id)")
                #expect(task["priority"] as? String == "high")
                let stream = await daemon.events("/v1/tasks/\(id)/events", token: deploy)
                #expect(stream.status == 200)
                let states = stream.events.filter { $0.kind == "state" }.compactMap { $0.data["state"] as? String }
                #expect(states.first == "queued" && states.contains("running") && states.last == "succeeded", "\(states)")
                let phases = Set(stream.events.compactMap { $0.data["phase"] as? String })
                #expect(phases.contains("starting") && phases.contains("done"), "\(phases)")
                #expect(stream.events.map(\.id) == stream.events.map(\.id).sorted())
                let percents = stream.events.compactMap { $0.data["percent"] as? Int }
                #expect(percents.last == 100, "\(percents)")

                let final = await daemon.call("GET", "/v1/tasks/\(id)", token: deploy).object
                #expect(final["state"] as? String == "succeeded", "\(final)")
                #expect(final["percent"] as? Int == 100 && (final["total"] as? Int ?? 0) >= 1)
                let results = final["results"] as? [[String: Any]] ?? []
                #expect(results.map { $0["project"] as? String } == [Self.project] && results.first?["result"] as? String == "succeeded")
                #expect(await E2EHTTP.waitFor(Self.host, "/cgi-bin/version") != nil, "the app does not answer through Traefik")
                #expect(E2EHTTP.versions(Self.host, count: 5) == ["version=1": 5])

                // Resume after an event id: only what came later.
                let first = try #require(stream.events.first?.id)
                let resumed = await daemon.events("/v1/tasks/\(id)/events", token: deploy, lastEventID: first)
                #expect(resumed.events.map(\.id) == stream.events.dropFirst().map(\.id))

                // The stream of every task: the admin sees this task's events; another deploy token none of them.
                let all = await daemon.events("/v1/events", token: admin, timeout: 2)
                #expect(all.events.contains { $0.data["task_id"] as? String == id && $0.data["state"] as? String == "succeeded" }, "\(all.events.count)")
                let others = try await s.createToken("ci2", scope: "deploy", projects: [Self.project])
                let foreign = await daemon.events("/v1/events", token: others, timeout: 2)
                #expect(foreign.events.isEmpty)

                // A deploy token reads its own tasks only; a reader of another project does not see it.
                #expect(await daemon.call("GET", "/v1/tasks/\(id)", token: others).status == 403)
                #expect((await daemon.call("GET", "/v1/tasks", token: others).json as? [Any])?.isEmpty == true)
                #expect(await daemon.call("GET", "/v1/tasks/\(id)", token: reader).status == 403)
                #expect(await daemon.call("POST", "/v1/tasks/\(id)/cancel", token: deploy).status == 409)  // already final

                // The read side.
                let projects = await daemon.call("GET", "/v1/projects", token: admin)
                let names = (projects.json as? [[String: Any]] ?? []).compactMap { $0["project"] as? String }
                #expect(names.contains(Self.project), "\(projects)")
                let one = await daemon.call("GET", "/v1/projects/\(Self.project)", token: admin).object
                let services = one["services"] as? [[String: Any]] ?? []
                #expect(services.first?["healthy"] as? Int == 1 && (one["last_deployment"] as? [String: Any])?["result"] as? String == "succeeded", "\(one)")
                let history = await daemon.call("GET", "/v1/deployments?project=\(Self.project)", token: admin)
                #expect((history.json as? [[String: Any]])?.count == 1, "\(history)")
                let logs = await daemon.call("GET", "/v1/projects/\(Self.project)/logs?tail=5", token: admin)
                #expect(logs.status == 200, "\(logs)")
                let filtered = await daemon.call("GET", "/v1/tasks?state=succeeded&project=\(Self.project)", token: admin)
                #expect((filtered.json as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
                #expect(await daemon.call("GET", "/v1/tasks?state=done", token: admin).status == 400)

                let metrics = await daemon.call("GET", "/metrics", token: admin)
                #expect(metrics.body.contains("berth_tasks_count{state=\"succeeded\"} 1.0"), "\(metrics.body.prefix(3000))")
                #expect(metrics.body.contains("berth_queue_depth_tasks 0.0"))
                #expect(metrics.body.contains("berth_deploy_duration_seconds_count 1"))
                #expect(metrics.body.contains("berth_http_requests_total{method=\"POST\",route=\"/v1/deployments\",status=\"202\"} 1"))

                // The audit log: the accepted deploy, and the denied calls with their token names.
                let audit = (await daemon.call("GET", "/v1/audit", token: admin).json as? [[String: Any]]) ?? []
                #expect(audit.contains { $0["token"] as? String == "ci" && $0["status"] as? Int == 202 && ($0["result"] as? String ?? "").contains(id) })
                #expect(audit.contains { $0["token"] as? String == "viewer" && $0["status"] as? Int == 403 })
                #expect(audit.contains { $0["token"] as? String == "-" && $0["status"] as? Int == 401 })
                #expect(audit.contains { $0["action"] as? String == "token.revoke" && $0["target"] as? String == "gone" })

                let stopped = await daemon.stop()
                #expect(!stopped.signaled && stopped.status == 0, "\(stopped)")
                #expect(!stopped.output.contains(deploy) && !stopped.output.contains(admin), "a token was printed")
            }
        }

        @Test func aDaemonKilledMidTaskLeavesItInterruptedAndTheNextRunConverges() async throws {
            try await E2EScenario.run("e2esrv-") { s in
                try setUp(s)
                let admin = try await s.createToken("ops", scope: "admin")
                var daemon = try await ServeDaemon.start(s)
                let firstID = try await daemon.queueDeploy("{}", token: admin)
                #expect(await daemon.waitForTask(firstID, token: admin)["state"] as? String == "succeeded")

                // Version 2 takes 5 s to start: the daemon is killed while the task waits for it.
                try s.write("projects/\(Self.project)/compose.yml",
                            E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2", "APP_START_DELAY": "5"]))
                let secondID = try await daemon.queueDeploy("{\"projects\": [\"\(Self.project)\"]}", token: admin)
                let deadline = Deadline(seconds: 60)
                var phase: String?
                while !deadline.passed, phase != "waiting_ready" {
                    phase = await daemon.call("GET", "/v1/tasks/\(secondID)", token: admin).object["phase"] as? String
                    try await Task.sleep(for: .milliseconds(100))
                }
                try #require(phase == "waiting_ready", "the task never reached its readiness wait")
                daemon.process.kill9()
                let killed = await daemon.process.wait(timeout: 10)
                #expect(killed.signaled && killed.status == SIGKILL)
                #expect(E2EHTTP.versions(Self.host, count: 5) == ["version=1": 5], "the old version must keep serving")

                daemon = try await ServeDaemon.start(s)
                defer { daemon.process.kill9() }
                let interrupted = await daemon.call("GET", "/v1/tasks/\(secondID)", token: admin).object
                #expect(interrupted["state"] as? String == "interrupted", "\(interrupted)")
                let retries = (await daemon.call("GET", "/v1/tasks", token: admin).json as? [[String: Any]] ?? [])
                    .filter { $0["retry_of"] as? String == secondID }
                let retryID = try #require(retries.first?["id"] as? String, "no fresh deploy was queued")
                #expect((interrupted["message"] as? String ?? "").contains(retryID))
                let retry = await daemon.waitForTask(retryID, token: admin)
                #expect(retry["state"] as? String == "succeeded", "\(retry)")
                #expect(E2EHTTP.versions(Self.host, count: 10) == ["version=2": 10])
                let replicas = await E2E.containers("\(Self.project)-")
                #expect(replicas.count == 1, "not converged: \(replicas)")
                #expect(!(await E2E.exists(container: E2E.lockContainer)))
                _ = await daemon.stop()
            }
        }

        @Test func sigtermLetsTheRunningTaskFinishAndKeepsQueuedOnesQueued() async throws {
            try await E2EScenario.run("e2esrv-") { s in
                try setUp(s)
                try s.project("e2esrv-api", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "srv-api.e2e.localhost"))
                let admin = try await s.createToken("ops", scope: "admin")
                try s.write("projects/\(Self.project)/compose.yml",
                            E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "1", "APP_START_DELAY": "3"]))
                let daemon = try await ServeDaemon.start(s, ["--parallel", "1"])
                defer { daemon.process.kill9() }
                let runningID = try await daemon.queueDeploy("{\"projects\": [\"\(Self.project)\"]}", token: admin)
                let queuedID = try await daemon.queueDeploy("{\"projects\": [\"e2esrv-api\"]}", token: admin)
                let deadline = Deadline(seconds: 30)
                while !deadline.passed, await daemon.call("GET", "/v1/tasks/\(runningID)", token: admin).object["state"] as? String != "running" {
                    try await Task.sleep(for: .milliseconds(100))
                }
                daemon.terminate()
                let ended = await daemon.process.wait(timeout: 120)
                #expect(!ended.signaled && ended.status == 0, "\(ended)")

                let again = try await ServeDaemon.start(s, ["--parallel", "1"])
                defer { again.process.kill9() }
                #expect(await again.call("GET", "/v1/tasks/\(runningID)", token: admin).object["state"] as? String == "succeeded")
                // The queued task was neither run nor dropped by the shutdown: this daemon runs it now.
                let later = await again.waitForTask(queuedID, token: admin)
                #expect(later["state"] as? String == "succeeded", "\(later)")
                #expect(later["retry_of"] == nil)
                #expect(E2EHTTP.status("srv-api.e2e.localhost", "/cgi-bin/version") == 200)
                _ = await again.stop()
            }
        }
    }
}

extension ApplyE2ETests.ServeE2ETests {
    @Test func cancellingARunningDeployEndsItCancelledAndTheNextDeployConverges() async throws {
        try await E2EScenario.run("e2esrv-") { s in
            try setUp(s)
            let admin = try await s.createToken("ops", scope: "admin")
            let daemon = try await ServeDaemon.start(s)
            defer { daemon.process.kill9() }
            let firstID = try await daemon.queueDeploy("{}", token: admin)
            #expect(await daemon.waitForTask(firstID, token: admin)["state"] as? String == "succeeded")

            try s.write("projects/\(Self.project)/compose.yml",
                        E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2", "APP_START_DELAY": "5"]))
            let id = try await daemon.queueDeploy("{}", token: admin)
            let deadline = Deadline(seconds: 60)
            while !deadline.passed, await daemon.call("GET", "/v1/tasks/\(id)", token: admin).object["phase"] as? String != "waiting_ready" {
                try await Task.sleep(for: .milliseconds(100))
            }
            let cancel = await daemon.call("POST", "/v1/tasks/\(id)/cancel", token: admin)
            #expect(cancel.status == 202, "\(cancel)")
            let ended = await daemon.waitForTask(id, token: admin, timeout: 60)
            #expect(ended["state"] as? String == "cancelled", "\(ended)")
            #expect((ended["message"] as? String ?? "").contains("ops"))
            #expect(E2EHTTP.versions(Self.host, count: 5) == ["version=1": 5], "the old version must keep serving")

            let thirdID = try await daemon.queueDeploy("{}", token: admin)
            #expect(await daemon.waitForTask(thirdID, token: admin)["state"] as? String == "succeeded")
            #expect(E2EHTTP.versions(Self.host, count: 5) == ["version=2": 5])
            let audit = (await daemon.call("GET", "/v1/audit", token: admin).json as? [[String: Any]]) ?? []
            #expect(audit.contains { $0["action"] as? String == "cancel" && $0["target"] as? String == id && $0["status"] as? Int == 202 })
            _ = await daemon.stop()
        }
    }
}

extension ApplyE2ETests.ServeE2ETests {
    @Test func aRolloutThatNeverBecomesReadyEndsFailedWithItsProjectResultAndIsCounted() async throws {
        try await E2EScenario.run("e2esrv-") { s in
            try setUp(s)
            let admin = try await s.createToken("ops", scope: "admin")
            let daemon = try await ServeDaemon.start(s)
            defer { daemon.process.kill9() }
            let firstID = try await daemon.queueDeploy("{}", token: admin)
            #expect(await daemon.waitForTask(firstID, token: admin)["state"] as? String == "succeeded")

            try s.write("projects/\(Self.project)/compose.yml",
                        E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "2", "APP_FAIL_HEALTH": "1"]))
            try s.write("projects/\(Self.project)/project.yml", E2E.appProject(host: Self.host, readyTimeout: "4s"))
            let badID = try await daemon.queueDeploy("{}", token: admin)
            let ended = await daemon.waitForTask(badID, token: admin)
            #expect(ended["state"] as? String == "failed", "\(ended)")
            let results = ended["results"] as? [[String: Any]] ?? []
            #expect(results.first?["project"] as? String == Self.project && results.first?["result"] as? String != "succeeded", "\(results)")
            #expect(E2EHTTP.versions(Self.host, count: 5) == ["version=1": 5], "the old version must keep serving")
            let metrics = await daemon.call("GET", "/metrics", token: admin).body
            #expect(metrics.contains("berth_rollout_failures_total 1"), "\(metrics.prefix(2000))")
            #expect(metrics.contains("berth_tasks_count{state=\"failed\"} 1.0"))
            _ = await daemon.stop()
        }
    }
}
