import BerthServer
import Foundation
import Testing
import TestSupport

/// Runs `body` with a real PostgreSQL server of its own (started and removed here) and the URL of its database.
func withPostgres(_ body: (PostgresServer, DatabaseURL) async throws -> Void) async throws {
    let server = try PostgresServer.start()
    defer { server.stop() }
    try await body(server, try DatabaseURL(server.url, source: "test"))
}

/// The PostgreSQL store against a real PostgreSQL 15: migrations, claims with leases, fencing by attempt,
/// per-project exclusivity across stores (= daemons), and LISTEN/NOTIFY.
@Suite("PostgreSQL store: claim, lease, fencing, notify", .serialized,
       .enabled(if: PostgresServer.available, "PostgreSQL 15 is not installed (scripts/setup.sh installs it)"))
struct PostgresStoreTests {
    @Test func migratesOnceAndReopensAtTheSameVersion() async throws {
        try await withPostgres { server, url in
            let a = try await PostgresTaskStore.open(url)
            let b = try await PostgresTaskStore.open(url)  // a second daemon: migrations do not run twice
            #expect(try await a.schemaVersion() == 2)
            #expect(try await b.schemaVersion() == 2)
            try await a.insert(DeployTask(projects: ["p"], createdBy: "x"))
            #expect(try await b.tasks(state: nil, project: "p", limit: 5).count == 1)
            #expect(try server.psql("SELECT count(*) FROM schema_migrations") == "2")
            a.close()
            b.close()
        }
    }

    @Test func aClaimLeasesTheTaskAndAnExpiredLeaseIsTakenOverWithTheNextAttempt() async throws {
        try await withPostgres { server, url in
            let one = try await PostgresTaskStore.open(url)
            let two = try await PostgresTaskStore.open(url)
            defer { one.close(); two.close() }
            let first = DeployTask(projects: ["web"], createdBy: "t")
            let second = DeployTask(projects: ["web"], createdBy: "t")
            try await one.insert(first)
            try await one.insert(second)

            let claimed = try #require(try await one.claim(owner: "d1", lease: .seconds(1)))
            #expect(claimed.id == first.id && claimed.attempt == 1 && claimed.runner == "d1" && claimed.state == .running)
            // web is held: neither store may claim the second deploy of web.
            #expect(try await two.claim(owner: "d2", lease: .seconds(1)) == nil)
            #expect(try server.psql("SELECT project || '=' || task_id || '@' || attempt FROM running_projects") == "web=\(first.id)@1")
            // Renewed, the lease holds past its first second.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await one.renew(first.id, attempt: 1, lease: .seconds(1)))
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await two.claim(owner: "d2", lease: .seconds(1)) == nil)

            // d1 stops renewing: after the lease d2 takes the task over, attempt 2.
            try await Task.sleep(for: .milliseconds(1200))
            let taken = try #require(try await two.claim(owner: "d2", lease: .seconds(30)))
            #expect(taken.id == first.id && taken.attempt == 2 && taken.runner == "d2", "\(taken)")
            #expect(taken.message.contains("taken over from d1"))

            // Fencing: d1 (attempt 1) can no longer renew, write the task or append its events.
            #expect(try await one.renew(first.id, attempt: 1, lease: .seconds(30)) == false)
            var stale = claimed
            stale.state = .succeeded
            await #expect(throws: StoreError.self) { try await one.update(stale) }
            await #expect(throws: StoreError.self) {
                try await one.append(TaskEvent(taskID: first.id, kind: .progress, message: "late", attempt: 1))
            }
            #expect(try await two.task(first.id)?.state == .running)
            #expect(try await two.events(after: 0, taskID: first.id, limit: 10).isEmpty)

            // d2 (attempt 2) writes; its final state frees web for the next deploy.
            try await two.append(TaskEvent(taskID: first.id, kind: .state, state: .succeeded, message: "done", attempt: 2))
            var done = taken
            done.state = .succeeded
            try await two.update(done)
            #expect(try server.psql("SELECT count(*) FROM running_projects") == "0")
            let next = try #require(try await one.claim(owner: "d1", lease: .seconds(30)))
            #expect(next.id == second.id && next.attempt == 1)
        }
    }

    @Test func aTaskWhoseEveryDaemonDiedIsGivenUpAfterThreeAttempts() async throws {
        try await withPostgres { server, url in
            let store = try await PostgresTaskStore.open(url)
            defer { store.close() }
            let task = DeployTask(projects: ["web"], createdBy: "t")
            try await store.insert(task)
            for attempt in 1...PostgresTaskStore.maxAttempts {
                let claimed = try #require(try await store.claim(owner: "d\(attempt)", lease: .milliseconds(200)))
                #expect(claimed.id == task.id && claimed.attempt == attempt)
                try await Task.sleep(for: .milliseconds(400))  // its daemon "dies": the lease runs out
            }
            #expect(try await store.claim(owner: "d4", lease: .seconds(30)) == nil, "not taken up a fourth time")
            let failed = try #require(try await store.task(task.id))
            #expect(failed.state == .failed && failed.finishedAt != nil, "\(failed)")
            #expect(failed.message.contains("given up after 3 attempts") && failed.message.contains("d3"), "\(failed.message)")
            #expect(try await store.events(after: 0, taskID: task.id, limit: 10).last?.state == .failed)
            #expect(try server.psql("SELECT count(*) FROM running_projects") == "0", "its project is free again")
            let next = DeployTask(projects: ["web"], createdBy: "t")
            try await store.insert(next)
            #expect(try await store.claim(owner: "d4", lease: .seconds(30))?.id == next.id)
        }
    }

    @Test func concurrentClaimsOfTwoStoresNeverShareAProject() async throws {
        try await withPostgres { _, url in
            let one = try await PostgresTaskStore.open(url)
            let two = try await PostgresTaskStore.open(url)
            defer { one.close(); two.close() }
            let tasks = [["a"], ["a"], ["b"], ["c"], ["b", "c"], ["d"], ["a", "d"]].map { DeployTask(projects: $0, createdBy: "t") }
                + [DeployTask(projects: nil, createdBy: "t")]
            for task in tasks { try await one.insert(task) }
            var finished = 0
            var order: [String] = []
            // Rounds: both stores claim at once, as often as they can; then every running task ends.
            for _ in 0..<10 where finished < tasks.count {
                let claimed = try await withThrowingTaskGroup(of: [DeployTask].self) { group in
                    for (store, owner) in [(one, "d1"), (two, "d2")] {
                        group.addTask {
                            var mine: [DeployTask] = []
                            while let task = try await store.claim(owner: owner, lease: .seconds(30)) { mine.append(task) }
                            return mine
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                for (i, x) in claimed.enumerated() {
                    for y in claimed[(i + 1)...] { #expect(!x.conflicts(with: y), "\(x.projects ?? ["*"]) and \(y.projects ?? ["*"]) ran together") }
                }
                for var task in claimed {
                    order.append(task.id)
                    task.state = .succeeded
                    try await one.update(task)
                    finished += 1
                }
            }
            #expect(finished == tasks.count)
            #expect(Set(order).count == tasks.count, "each task ran exactly once")
            // Each project's deploys ran in queue order.
            for project in ["a", "b", "c", "d"] {
                let queued = tasks.filter { $0.touches(project) }.map(\.id)
                #expect(order.filter(queued.contains) == queued, "project \(project)")
            }
        }
    }

    @Test func anEventAppendedByOneStoreWakesTheOther() async throws {
        try await withPostgres { _, url in
            let writer = try await PostgresTaskStore.open(url)
            let reader = try await PostgresTaskStore.open(url)
            defer { writer.close(); reader.close() }
            let appended = Task {
                try await Task.sleep(for: .milliseconds(300))
                return try await writer.append(TaskEvent(taskID: "t-x", kind: .state, state: .queued, message: "queued"))
            }
            let started = ContinuousClock.now
            await reader.waitForEvents(timeout: .seconds(600))
            let waited = ContinuousClock.now - started
            let event = try await appended.value
            #expect(waited >= .milliseconds(250) && waited < .seconds(300), "woken after \(waited)")
            #expect(try await reader.events(after: 0, taskID: nil, limit: 10).map(\.id) == [event.id])
        }
    }

    @Test func anUnreachableDatabaseIsAClearErrorWithoutThePassword() async throws {
        let url = try DatabaseURL("postgres://berth:s3cr3t-pw@127.0.0.1:1/berth?sslmode=disable", source: "test")
        #expect(url.description == "postgres://berth:***@127.0.0.1:1/berth")
        do {
            _ = try await PostgresTaskStore.open(url, timeout: .seconds(10))
            Issue.record("opened an unreachable database")
        } catch {
            let text = "\(error)"
            #expect(text.contains("cannot use the database postgres://berth:***@127.0.0.1:1/berth") && !text.contains("s3cr3t-pw"), "\(text)")
        }
    }

    @Test func aWrongPasswordIsRefusedAndNotPrinted() async throws {
        try await withPostgres { server, _ in
            let url = try DatabaseURL("postgres://berth:wrong-pw-123@127.0.0.1:\(server.port)/berth?sslmode=disable", source: "test")
            do {
                _ = try await PostgresTaskStore.open(url, timeout: .seconds(10))
                Issue.record("opened with a wrong password")
            } catch {
                let text = "\(error)"
                #expect(text.contains("password authentication failed") && !text.contains("wrong-pw-123"), "\(text)")
            }
        }
    }

    @Test(arguments: [
        ("mysql://u:p@h/db", "the scheme is 'mysql'"),
        ("postgres://u:p@h", "it names no database"),
        ("postgres://h/db", "it names no user"),
        ("postgres://u:p@h/db?sslmode=maybe", "sslmode must be"),
        ("postgres://u:p@h/db?ssl=1", "unknown parameter 'ssl'"),
    ])
    func badURLsAreClearErrors(raw: String, why: String) throws {
        #expect {
            _ = try DatabaseURL(raw, source: "--database")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("--database: ") && text.contains(why) && !text.contains(":p@")
        }
    }
}
