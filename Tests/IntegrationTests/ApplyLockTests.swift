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
                if await E2E.exists(container: E2E.lockContainer) { locked = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if !locked {
                let result = await holder.wait(timeout: 30)
                Issue.record("the first apply never took the lock: \(result)")
                return
            }
            let labels = await E2ECommand.docker(["inspect", "-f", "{{json .Config.Labels}}", E2E.lockContainer])
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
            #expect(!(await E2E.exists(container: E2E.lockContainer)), "the lock was not released")
        }
    }

    @Test func lockHeldByALiveProcessIsRespectedAndAStaleOneIsTakenOver() async throws {
        try await E2EScenario.run("e2elock2-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2elock2-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "lock2.e2e.localhost"))
            let host = ProcessInfo.processInfo.hostName
            // The lock image exists once an apply ran; then a change, so that the next apply needs the lock.
            try #require(try await s.apply().status == 0)
            try s.project("e2elock2-web", compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: "lock2.e2e.localhost"))
            func createLock(pid: Int32) async -> E2ECommandResult {
                await E2ECommand.docker(["create", "--name", E2E.lockContainer, "--network", "none",
                                         "--label", "berth.managed=true", "--label", "berth.role=lock",
                                         "--label", "berth.lock.pid=\(pid)", "--label", "berth.lock.host=\(host)",
                                         "--label", "berth.lock.since=2026-01-01T00:00:00Z", "berth/lock:1"])
            }
            // Held by this (live) test process.
            try #require(await createLock(pid: getpid()).status == 0)
            let refused = try await s.apply()
            #expect(refused.status == 3, "\(refused)")
            #expect(refused.stderr.contains("pid \(getpid()) on \(host) since 2026-01-01T00:00:00Z"), "\(refused)")
            #expect(await E2E.containers("e2elock2-").count == 1, "a refused apply must not start anything")
            let waited = try await s.apply(["--wait-lock", "1s"])
            #expect(waited.status == 3 && waited.seconds >= 0.9 && waited.seconds < 3.5, "\(waited)")
            await E2ECommand.docker(["rm", E2E.lockContainer])

            // Held by a process that is gone (as after kill -9): taken over.
            let dead = try BerthBinary.start(["--version"])
            _ = await dead.wait(timeout: 10)
            try #require(await createLock(pid: dead.pid).status == 0)
            let takeover = try await s.apply()
            #expect(takeover.status == 0, "\(takeover)")
            #expect(await E2E.containers("e2elock2-web-").count == 2)
            #expect(!(await E2E.exists(container: E2E.lockContainer)))
        }
    }

    /// Several applies started at once, many times: their lock intervals (lock_acquired → lock_released
    /// in --json events) never overlap, every one of them ends, and no lock is left behind.
    @Test func concurrentAppliesNeverOverlap() async throws {
        try await E2EScenario.run("e2elock3-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2elock3-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "lock3.e2e.localhost"))
            var intervals: [(start: Date, end: Date, pid: Int32)] = []
            for round in 0..<6 {
                // Every round changes the app, so that each apply has work to do under the lock.
                try s.project("e2elock3-web", compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "\(round)"]),
                              project: E2E.appProject(host: "lock3.e2e.localhost"))
                let applies = try (0..<4).map { _ in try s.startApply(["--json", "--wait-lock", "60s", "--force"]) }
                for apply in applies {
                    let result = await apply.wait(timeout: 120)
                    #expect(result.status == 0, "\(result)")
                    var start: Date?
                    var end: Date?
                    for line in result.stdout.split(separator: "\n") {
                        guard let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                              let time = (o["time"] as? String).flatMap({ ISO8601DateFormatter.fractional.date(from: $0) }) else { continue }
                        if o["event"] as? String == "lock_acquired" { start = time }
                        if o["event"] as? String == "lock_released" { end = time }
                    }
                    if let start, let end { intervals.append((start, end, apply.pid)) } else { Issue.record("no lock events: \(result)") }
                }
            }
            #expect(intervals.count == 24)
            let sorted = intervals.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                #expect(a.end <= b.start, "apply \(a.pid) held the lock until \(a.end), apply \(b.pid) took it at \(b.start)")
            }
            #expect(!(await E2E.exists(container: E2E.lockContainer)))
            #expect(await E2E.runningContainers("e2elock3-web-").count == 1)
        }
    }

    /// An apply interrupted with SIGINT (cancelled) releases its lock.
    @Test func cancelledApplyReleasesTheLock() async throws {
        try await E2EScenario.run("e2elock4-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2elock4-web", compose: E2E.appCompose(replicas: 1, environment: ["APP_VERSION": "1", "APP_START_DELAY": "20"]),
                          project: E2E.appProject(host: "lock4.e2e.localhost", readyTimeout: "60s"))
            let holder = try s.startApply()
            var locked = false
            for _ in 0..<200 where holder.isRunning {
                if await E2E.exists(container: E2E.lockContainer) { locked = true; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(locked, "the apply never took the lock")
            try await Task.sleep(for: .seconds(1))
            kill(holder.pid, SIGINT)
            let result = await holder.wait(timeout: 30)
            #expect(result.status != 0, "\(result)")
            #expect(!(await E2E.exists(container: E2E.lockContainer)), "the cancelled apply left its lock: \(result)")
        }
    }
}

extension ISO8601DateFormatter {
    /// ISO 8601 with or without fractional seconds.
    static var fractional: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}
