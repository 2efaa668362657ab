import BerthConfig
import BerthEngine
import BerthRuntime
import Foundation
import Synchronization
import Testing
import TestSupport

/// A cancelled apply (a cancelled task in process, SIGINT/SIGTERM of the binary) stops at a safe
/// point and leaves the platform old or converged, never half: lock released, old replicas serving,
/// no new replica left, history `cancelled`, and the next apply converges.
extension ApplyE2ETests {
    /// v1 of a project: one replica, ready at once; v2 (`delay` > 0): slow to become ready.
    static func cancelCompose(version: Int, delay: Int) -> String {
        E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "\(version)"].merging(delay > 0 ? ["APP_START_DELAY": "\(delay)"] : [:]) { a, _ in a })
    }

    @Test func cancellingAnInProcessApplyMidRolloutLeavesTheOldVersionServing() async throws {
        try await E2EScenario.run("e2ecancel-") { s in
            let projects = ["e2ecancel-a", "e2ecancel-b"]
            let host = { (p: String) in "\(p).e2e.localhost" }
            try s.write("platform.yml", E2E.platformYAML())
            for p in projects {
                try s.project(p, compose: Self.cancelCompose(version: 1, delay: 0), project: E2E.appProject(host: host(p), readyTimeout: "90s"))
            }
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            for p in projects { try #require(await E2EHTTP.waitFor(host(p), "/cgi-bin/version") != nil) }
            let old = await E2E.containers("e2ecancel-")
            #expect(old.count == 2, "\(old)")

            // v2 needs 40 s to become ready: the apply is cancelled while both projects wait for it.
            for p in projects { try s.write("projects/\(p)/compose.yml", Self.cancelCompose(version: 2, delay: 40)) }
            let runtime = try await DockerRuntime.connect(host: nil)
            let waiting = Mutex<Set<String>>([])
            let engine = ApplyEngine(runtime: runtime, stateDirectory: s.stateDir, events: { event in
                if event.phase == .waitingReady, let project = event.project { waiting.withLock { _ = $0.insert(project) } }
            })
            let repository = try RepositoryLoader().load(s.repo.path)
            let task = Task {
                try await engine.withLock(repository.platform, wait: nil) {
                    try await engine.execute(try await engine.prepare(repository, options: ApplyOptions()), options: ApplyOptions())
                }
            }
            for _ in 0..<300 where waiting.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(waiting.withLock { $0 } == Set(projects), "both projects should be waiting for their new replicas")
            let during = await E2E.containers("e2ecancel-")
            #expect(during.count == 4, "the new replicas run beside the old: \(during)")
            let cancelledAt = ContinuousClock.now
            task.cancel()
            let report = try await task.value
            let took = ContinuousClock.now - cancelledAt
            print("[e2e] in-process cancel: stopped and cleaned up in \(took)")

            #expect(took < .seconds(20), "the cancelled apply took \(took) to stop")
            #expect(report.cancelled && !report.succeeded, "\(report)")
            #expect(report.projects.map(\.result) == [.cancelled, .cancelled], "\(report)")
            #expect(report.projects.allSatisfy { $0.errors.contains { $0.code == .cancelled } }, "\(report)")
            #expect(!(await E2E.exists(container: E2E.lockContainer)), "the lock was not released")
            #expect(await E2E.containers("e2ecancel-") == old, "no new replica may be left, the old ones stay")
            for p in projects {
                #expect(E2EHTTP.versions(host(p)) == ["version=1": 20], "\(p) must still answer with its old version")
            }
            let store = DeploymentStore(directory: s.stateDir.appendingPathComponent("\(E2E.platformName)/deployments"))
            for p in projects { #expect(try store.history(p).last?.result == .cancelled, "\(p)") }

            // The next apply converges (v2, quick this time).
            for p in projects { try s.write("projects/\(p)/compose.yml", Self.cancelCompose(version: 2, delay: 0)) }
            let next = try await s.apply()
            #expect(next.status == 0, "\(next)")
            for p in projects {
                #expect(E2EHTTP.versions(host(p)) == ["version=2": 20], "\(p) did not converge")
                #expect(try store.history(p).last?.result == .succeeded)
            }
            #expect(await E2E.containers("e2ecancel-").count == 2)
        }
    }

    /// `berth apply` killed with SIGINT or SIGTERM mid-rollout: the same cancellation, exit 130.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalledApplyStopsAtASafePointAndSaysCancelled(signal: Int32) async throws {
        let prefix = "e2esig\(signal)-"
        try await E2EScenario.run(prefix) { s in
            let project = "\(prefix)web", host = "sig\(signal).e2e.localhost"
            try s.write("platform.yml", E2E.platformYAML())
            try s.project(project, compose: Self.cancelCompose(version: 1, delay: 0), project: E2E.appProject(host: host, readyTimeout: "90s"))
            try #require(try await s.apply().status == 0)
            try #require(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            let old = await E2E.containers(prefix)

            try s.write("projects/\(project)/compose.yml", Self.cancelCompose(version: 2, delay: 40))
            let apply = try s.startApply(["--json"])
            var waiting = false
            for _ in 0..<300 where apply.isRunning {
                if apply.currentOutput.contains("\"phase\":\"waiting_ready\"") { waiting = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try #require(waiting, "the apply never waited for its new replica: \(apply.currentOutput)")
            kill(apply.pid, signal)
            let result = await apply.wait(timeout: 60)

            #expect(result.status == 130, "\(result)")
            #expect(result.stderr.contains("interrupted; stopping at the next safe point"), "\(result)")
            let summary = try #require(E2E.summary(result), "no JSON summary: \(result)")
            #expect(summary["cancelled"] as? Bool == true && summary["succeeded"] as? Bool == false, "\(summary)")
            let results = (summary["projects"] as? [[String: Any]])?.map { $0["result"] as? String }
            #expect(results == ["cancelled"], "\(summary)")
            #expect(E2E.phases(result, service: "web").contains("cancelled"), "\(result.stdout)")
            #expect(result.stdout.contains("\"event\":\"project_cancelled\""), "\(result.stdout)")
            #expect(!(await E2E.exists(container: E2E.lockContainer)), "the lock was not released")
            #expect(await E2E.containers(prefix) == old, "no new replica may be left")
            #expect(E2EHTTP.versions(host) == ["version=1": 20])
            let status = try await s.berth("status", ["--json"])
            let projects = (try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8))) as? [[String: Any]]
            let last = projects?.first { $0["project"] as? String == project }?["last_deployment"] as? [String: Any]
            #expect(last?["result"] as? String == "cancelled", "\(status)")
        }
    }
}
