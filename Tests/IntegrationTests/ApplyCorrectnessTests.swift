import Foundation
import Testing
import TestSupport

/// Engine paths that used to give a wrong result without an error, end to end.
extension ApplyE2ETests {
    /// v1 ok → v2 ok → v3 failed → rollback goes to v1 (the newest *successful* one other than v2),
    /// never to the failed v3.
    @Test func rollbackSkipsAFailedDeployment() async throws {
        try await E2EScenario.run("e2erb-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let project = "e2erb-web"
            let host = "rb.e2e.localhost"
            func deploy(_ version: String, extra: [String: String] = [:], ready: String = "30s") async throws -> E2ECommandResult {
                try s.project(project, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version].merging(extra) { a, _ in a }),
                              project: E2E.appProject(host: host, readyTimeout: ready))
                return try await s.apply()
            }
            #expect(try await deploy("1").status == 0)
            #expect(try await deploy("2").status == 0)
            let failed = try await deploy("3", extra: ["APP_FAIL_HEALTH": "1"], ready: "3s")
            #expect(failed.status == 3, "\(failed)")
            #expect(E2EHTTP.versions(host, count: 5)["version=2"] == 5)
            let rollback = try await s.berth("rollback", [project])
            #expect(rollback.status == 0, "\(rollback)")
            #expect(E2EHTTP.versions(host, count: 5)["version=1"] == 5, "rollback did not go to the last successful deployment before v2")
        }
    }

    /// A service whose depends_on failed is skipped, and so is a project that consumes a failed one.
    @Test func dependantsOfAFailureAreSkipped() async throws {
        try await E2EScenario.run("e2eskip-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.write("projects/e2eskip-prov/compose.yml", """
                services:
                  db:
                    image: berth-demo/app:1
                    environment: {APP_FAIL_HEALTH: "1"}
                    healthcheck: {test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/cgi-bin/health"], interval: 1s, retries: 1}
                  app:
                    image: berth-demo/app:1
                    depends_on: [db]
                """)
            try s.write("projects/e2eskip-prov/project.yml", "rollout: {ready_timeout: 5s}\n")
            try s.write("projects/e2eskip-cons/compose.yml", "services:\n  client:\n    image: berth-demo/app:1\n")
            try s.write("projects/e2eskip-cons/project.yml", "egress:\n  services:\n    - from: client\n      to: e2eskip-prov/db\n")
            let apply = try await s.apply(["--json"])
            #expect(apply.status == 3, "\(apply)")
            let summary = try #require(E2E.summary(apply), "\(apply.stdout)")
            let results = Dictionary(uniqueKeysWithValues: (summary["projects"] as? [[String: Any]] ?? []).map {
                ($0["project"] as? String ?? "", $0["result"] as? String ?? "")
            })
            #expect(results["e2eskip-prov"] == "failed", "\(results)")
            #expect(results["e2eskip-cons"] == "skipped", "\(results)")
            #expect(apply.stdout.contains("\"event\":\"service_skipped\""), "\(apply.stdout)")
            #expect(await E2E.containers("e2eskip-prov-app-") == [], "app started although db failed")
            #expect(await E2E.containers("e2eskip-cons-") == [], "the consumer started although its provider failed")
        }
    }

    /// A running replica whose health check turns unhealthy is replaced by the next apply.
    @Test func unhealthyReplicasAreReplaced() async throws {
        try await E2EScenario.run("e2esick-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let project = "e2esick-web"
            try s.project(project, compose: E2E.appCompose(replicas: 1, extra: """
                    healthcheck: {test: ["CMD-SHELL", "test ! -f /tmp/sick"], interval: 1s, retries: 1}

                """), project: E2E.appProject(host: "sick.e2e.localhost"))
            try #require(try await s.apply().status == 0)
            let before = try #require(await E2E.runningContainers("\(project)-web-").first)
            _ = await E2E.exec(before, "touch /tmp/sick")
            var unhealthy = false
            for _ in 0..<40 {
                let h = await E2ECommand.docker(["inspect", "-f", "{{.State.Health.Status}}", before])
                if h.stdout.contains("unhealthy") { unhealthy = true; break }
                try await Task.sleep(for: .milliseconds(250))
            }
            try #require(unhealthy, "the replica never became unhealthy")
            let plan = try await s.berth("plan", ["--live"])
            #expect(plan.stdout.contains("unhealthy"), "\(plan.stdout)")
            let apply = try await s.apply()
            #expect(apply.status == 0, "\(apply)")
            let after = await E2E.runningContainers("\(project)-web-")
            #expect(after.count == 1 && after.first != before, "the unhealthy replica was kept: \(after)")
            #expect(E2EHTTP.status("sick.e2e.localhost") == 200)
        }
    }

    /// Answering "n" at the prompt (on a terminal) changes nothing and exits 0.
    @Test func answeringNoAtThePromptChangesNothing() async throws {
        try await E2EScenario.run("e2eno-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2eno-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "no.e2e.localhost"))
            // `script` gives berth a terminal; its input answers the prompt.
            let berth = BerthBinary.url.path
            let command = "\(berth) apply -c \(s.repo.path) --state-dir \(s.stateDir.path)"
            let result = await E2ECommand.run(["/bin/sh", "-c", "printf 'n\\n' | script -qec '\(command)' /dev/null"], timeout: 60)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("Nothing changed"), "\(result)")
            #expect(!result.stdout.contains("error"), "\(result)")
            #expect(await E2E.containers("e2eno-") == [])
        }
    }
}
