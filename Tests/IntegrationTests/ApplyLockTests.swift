import Foundation
import Testing
import TestSupport

extension ApplyE2ETests {
    // MARK: 6. one apply at a time

    @Test func concurrentApplyIsRefusedAndNamesTheHolder() async throws {
        try await E2EScenario.run("e2elock-") { s in
            let project = "e2elock-web"
            try s.write("platform.yml", E2E.platformYAML())
            // A slow-starting service keeps the first apply (and its lock) busy for several seconds.
            try s.project(project, compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "1", "APP_START_DELAY": "5"]),
                          project: E2E.appProject(host: "lock.e2e.localhost"))
            let holder = try s.startApply()
            var locked = false
            for _ in 0..<100 where holder.isRunning {
                if await E2E.exists(network: E2E.lockNetwork) { locked = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if !locked {
                let result = await holder.wait(timeout: 30)
                Issue.record("the first apply never took the lock: \(result)")
                return
            }
            let labels = await E2ECommand.docker(["network", "inspect", "-f", "{{json .Labels}}", E2E.lockNetwork])
            #expect(labels.stdout.contains("\"berth.lock.pid\":\"\(holder.pid)\""), "\(labels)")

            let refused = try await s.apply()
            let waited = try await s.apply(["--wait-lock", "1s"])
            let first = await holder.wait(timeout: 60)
            print("[e2e] lock: refused after \(String(format: "%.2f", refused.seconds))s, --wait-lock 1s failed after "
                  + "\(String(format: "%.2f", waited.seconds))s: \(refused.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")

            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("another berth apply holds the deploy lock"), "\(refused)")
            #expect(refused.stderr.contains("pid \(holder.pid) on \(ProcessInfo.processInfo.hostName)"), "\(refused)")
            #expect(refused.stderr.contains("--wait-lock"), "\(refused)")
            #expect(refused.seconds < 2.5, "refusing took \(refused.seconds)s")
            #expect(waited.status == 3, "\(waited)")
            #expect(waited.stderr.contains("pid \(holder.pid)"), "\(waited)")
            #expect(waited.seconds >= 0.9 && waited.seconds < 3.5, "--wait-lock 1s gave up after \(waited.seconds)s")
            // Nothing of the refused applies happened; the holder finished its work.
            #expect(first.status == 0, "\(first)")
            #expect(await E2E.containers("\(project)-").count == 1)
            #expect(!(await E2E.exists(network: E2E.lockNetwork)), "the lock was not released")
        }
    }

    @Test func lockHeldByALiveProcessIsRespectedAndAStaleOneIsTakenOver() async throws {
        try await E2EScenario.run("e2elock2-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2elock2-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "lock2.e2e.localhost"))
            let host = ProcessInfo.processInfo.hostName
            func createLock(pid: Int32) async -> E2ECommandResult {
                await E2ECommand.docker(["network", "create", "--internal",
                                         "--label", "berth.managed=true", "--label", "berth.role=lock",
                                         "--label", "berth.lock.pid=\(pid)", "--label", "berth.lock.host=\(host)",
                                         "--label", "berth.lock.since=2026-01-01T00:00:00Z", E2E.lockNetwork])
            }
            // Held by this (live) test process.
            try #require(await createLock(pid: getpid()).status == 0)
            let refused = try await s.apply()
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("pid \(getpid()) on \(host) since 2026-01-01T00:00:00Z"), "\(refused)")
            #expect(await E2E.containers("e2elock2-") == [], "a refused apply must not start anything")
            let waited = try await s.apply(["--wait-lock", "1s"])
            #expect(waited.status == 3 && waited.seconds >= 0.9 && waited.seconds < 3.5, "\(waited)")
            await E2ECommand.docker(["network", "rm", E2E.lockNetwork])

            // Held by a process that is gone (as after kill -9): taken over.
            let dead = try BerthBinary.start(["--version"])
            _ = await dead.wait(timeout: 10)
            try #require(await createLock(pid: dead.pid).status == 0)
            let takeover = try await s.apply()
            #expect(takeover.status == 0, "\(takeover)")
            #expect(await E2E.containers("e2elock2-web-").count == 1)
            #expect(!(await E2E.exists(network: E2E.lockNetwork)))
        }
    }
}
