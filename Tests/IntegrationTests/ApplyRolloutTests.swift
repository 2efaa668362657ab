import Foundation
import Testing
import TestSupport

/// Rollouts under load: the switch, a new version that never becomes ready, and a crash of berth in
/// the middle of a rollout.
extension ApplyE2ETests {
    // MARK: 2. zero-downtime rollout

    @Test func rolloutUnderLoadDropsNoRequest() async throws {
        try await E2EScenario.run("e2eroll-") { s in
            let project = "e2eroll-web", host = "roll.e2e.localhost"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(project, compose: E2E.appCompose(environment: ["APP_VERSION": "1"]), project: E2E.appProject(host: host))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            try #require(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            #expect(E2EHTTP.versions(host) == ["version=1": 20])
            let old = await E2E.containers("\(project)-web-")
            #expect(old.count == 2, "\(old)")

            try s.write("projects/\(project)/compose.yml", E2E.appCompose(environment: ["APP_VERSION": "2"]))
            let load = E2ELoad.start(host: host, concurrency: 4, duration: 60)
            try await Task.sleep(for: .seconds(1))
            // A slow request on an old replica, in flight during the switch: it must finish with 200.
            let slow = E2EBackgroundRequest(host: host, path: "/cgi-bin/slow?3", timeout: 20)
            try await Task.sleep(for: .milliseconds(300))
            let apply = try await s.apply(["--json"])
            try await Task.sleep(for: .seconds(1))
            let stats = await load.finish()
            let slowResult = await slow.value()

            try #require(apply.status == 0, "\(apply)")
            let summary = try #require(E2E.summary(apply), "no JSON summary in:\n\(apply.stdout)")
            let reloads = try #require(summary["proxy_reloads"] as? Int)
            // Every event about the service names its phase, in rollout order, ending with done.
            let phases = E2E.phases(apply, service: "web")
            #expect(!phases.isEmpty && phases.allSatisfy { $0 != nil }, "\(phases)")
            let order = ["pulling", "starting", "waiting_ready", "switching", "draining", "stopping", "done"]
            var seen: [String] = []
            for case let phase? in phases where !seen.contains(phase) { seen.append(phase) }
            #expect(seen == order.filter(seen.contains) && ["starting", "waiting_ready", "switching", "done"].allSatisfy(seen.contains), "\(seen)")
            print("[e2e] rollout under load: \(stats); proxy reloads \(reloads); apply took \(String(format: "%.1f", apply.seconds))s: \(E2E.timeline(apply))")
            #expect(stats.requests >= 100, "the load generator barely ran: \(stats)")
            #expect(stats.serverErrors == 0, "\(stats)")
            #expect(stats.unexpectedBodies == 0, "\(stats)")
            #expect(stats.connectionErrors <= reloads, "connection errors \(stats.connectionErrors) > proxy reloads \(reloads): \(stats)")
            // A reload can close each idle keep-alive connection once, no more.
            #expect(stats.staleKeepAliveCloses <= load.concurrency * reloads, "\(stats)")
            #expect(stats.bodies["version=2", default: 0] > 0, "no answer from the new version during the load: \(stats)")
            switch slowResult {
            case .success(let r):
                #expect(r.status == 200, "slow request answered \(r.status): \(r.body)")
                #expect(r.body.contains("slow done"))
            case .failure(let error):
                Issue.record("the slow request in flight during the switch failed: \(error)")
            }

            #expect(E2EHTTP.versions(host) == ["version=2": 20])
            let now = await E2E.containers("\(project)-web-")
            #expect(now.count == 2, "\(now)")
            #expect(Set(now).isDisjoint(with: old), "old replicas left: \(now)")
            #expect(Set(now.compactMap { E2E.hash(ofReplica: $0, project: project, service: "web") }).count == 1, "\(now)")

            // status and logs see the new deployment; rollback goes back to version 1 the same way.
            let status = try await s.berth("status")
            #expect(status.status == 0 && status.stdout.contains("web: 2/2 running, 2/2 healthy"), "\(status)")
            let logs = try await BerthBinary.runAsync(["logs", project, "--tail", "5", "--state-dir", s.stateDir.path], timeout: 30)
            #expect(logs.status == 0, "\(logs)")
            let rollback = try await s.berth("rollback", [project])
            #expect(rollback.status == 0, "\(rollback)")
            #expect(E2EHTTP.versions(host) == ["version=1": 20])
            #expect(await E2E.containers("\(project)-web-").count == 2)
        }
    }

    // MARK: 3. a new version that never becomes ready

    @Test func unhealthyNewVersionIsRolledBackWithoutFailedRequests() async throws {
        try await E2EScenario.run("e2efail-") { s in
            let project = "e2efail-web", host = "fail.e2e.localhost"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(project, compose: E2E.appCompose(environment: ["APP_VERSION": "1"]),
                          project: E2E.appProject(host: host, readyTimeout: "5s"))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            try #require(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            let old = await E2E.containers("\(project)-web-")

            try s.write("projects/\(project)/compose.yml",
                        E2E.appCompose(environment: ["APP_VERSION": "2", "APP_FAIL_HEALTH": "1"]))
            let load = E2ELoad.start(host: host, concurrency: 4, duration: 60)
            try await Task.sleep(for: .milliseconds(500))
            let apply = try await s.apply()
            try await Task.sleep(for: .milliseconds(500))
            let stats = await load.finish()
            print("[e2e] failed rollout under load: \(stats); apply took \(String(format: "%.1f", apply.seconds))s")

            #expect(apply.status == 3, "\(apply)")
            // The report names the failing replica (a new one, not an old one) and the probe.
            let failing = apply.output.split(separator: "\n").first { $0.contains("not ready") }.map(String.init) ?? ""
            #expect(failing.contains("\(project)-web-"), "no replica named in:\n\(apply.output)")
            #expect(!old.contains { failing.contains($0) }, "the failure names an old replica: \(failing)")
            #expect(apply.output.contains("GET /cgi-bin/health answered 500"), "\(apply.output)")
            #expect(apply.output.contains("not ready after 5s"), "\(apply.output)")
            #expect(apply.output.contains("✗ \(project)"), "\(apply.output)")

            #expect(stats.requests >= 100, "the load generator barely ran: \(stats)")
            #expect(stats.serverErrors == 0, "\(stats)")
            #expect(stats.non2xx == 0, "\(stats)")
            #expect(stats.connectionErrors == 0 && stats.staleKeepAliveCloses == 0, "no proxy reload, so no reset: \(stats)")
            #expect(stats.bodies == ["version=1": stats.ok], "\(stats)")
            #expect(E2EHTTP.versions(host) == ["version=1": 20])
            // Exactly the old replicas remain: no new container is left, running or not.
            #expect(await E2E.containers("\(project)-") == old)
        }
    }

    // MARK: 4. kill -9 in the middle of a rollout

    @Test func applyKilledMidRolloutIsRecoveredByTheNextApply() async throws {
        try await E2EScenario.run("e2ekill-") { s in
            let project = "e2ekill-web", host = "kill.e2e.localhost"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(project, compose: E2E.appCompose(environment: ["APP_VERSION": "1"]), project: E2E.appProject(host: host))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            try #require(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            let old = await E2E.containers("\(project)-web-")

            try s.write("projects/\(project)/compose.yml",
                        E2E.appCompose(environment: ["APP_VERSION": "2", "APP_START_DELAY": "3"]))
            let load = E2ELoad.start(host: host, concurrency: 4, duration: 60)
            try await Task.sleep(for: .milliseconds(500))
            let killed = try s.startApply()
            try await Task.sleep(for: .milliseconds(1500))
            let midway = await E2E.containers("\(project)-web-")
            killed.kill9()
            let killedResult = await killed.wait(timeout: 10)
            #expect(killedResult.signaled && killedResult.status == SIGKILL, "\(killedResult)")
            let lockAfterKill = await E2E.exists(container: E2E.lockContainer)
            let afterKill = await E2E.containers("\(project)-web-")
            // The old version still serves while the aborted replicas sit there unrouted.
            #expect(E2EHTTP.versions(host, count: 5) == ["version=1": 5])

            let recover = try await s.apply(["--json"])
            try await Task.sleep(for: .milliseconds(500))
            let stats = await load.finish()
            let reloads = (E2E.summary(recover)?["proxy_reloads"] as? Int) ?? -1
            print("[e2e] kill -9 mid-rollout: containers midway \(midway), after kill \(afterKill), lock left by the killed apply: \(lockAfterKill); "
                  + "recovery apply exit \(recover.status) in \(String(format: "%.1f", recover.seconds))s (\(E2E.timeline(recover))), proxy reloads \(reloads); load: \(stats)")

            #expect(afterKill.count > old.count, "the kill came too late or too early to leave new replicas behind: \(afterKill)")
            #expect(recover.status == 0, "\(recover)")
            #expect(stats.serverErrors == 0, "\(stats)")
            #expect(stats.unexpectedBodies == 0, "\(stats)")
            #expect(stats.requests >= 100, "\(stats)")

            // Converged: exactly the desired replicas, all of the new version, nothing else.
            let now = await E2E.containers("\(project)-")
            #expect(now.count == 2, "\(now)")
            #expect(Set(now).isDisjoint(with: old), "old replicas left: \(now)")
            #expect(Set(now.compactMap { E2E.hash(ofReplica: $0, project: project, service: "web") }).count == 1, "\(now)")
            #expect(now.allSatisfy { $0.hasSuffix("-1") || $0.hasSuffix("-2") }, "renamed leftovers: \(now)")
            #expect(await E2E.runningContainers("\(project)-").count == 2)
            #expect(!(await E2E.exists(container: E2E.lockContainer)), "the lock is still there after the recovery apply")
            #expect(E2EHTTP.versions(host) == ["version=2": 20])
            // And it stays converged.
            let again = try await s.apply()
            #expect(again.status == 0 && !again.stdout.contains("Deployment "), "\(again)")
        }
    }
}
