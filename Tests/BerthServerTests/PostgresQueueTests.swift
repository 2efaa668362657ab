@testable import BerthServer
import Foundation
import Testing
import TestSupport

/// The task queue over the PostgreSQL store, two queues standing for two daemons: a renewed lease keeps a
/// running task its daemon's; a run whose lease was taken over writes nothing more (fencing by attempt).
@Suite("Task queue on a shared PostgreSQL store", .serialized,
       .enabled(if: PostgresServer.available, "PostgreSQL 15 is not installed (scripts/setup.sh installs it)"))
struct PostgresQueueTests {
    @Test func aRenewedLeaseKeepsTheTaskAndTheOtherDaemonWaits() async throws {
        try await withPostgres { _, url in
            let storeA = try await PostgresTaskStore.open(url)
            let storeB = try await PostgresTaskStore.open(url)
            defer { storeA.close(); storeB.close() }
            let a = TaskQueue(store: storeA, owner: "A", lease: .seconds(3))
            let b = TaskQueue(store: storeB, owner: "B", lease: .seconds(3))
            let runner = ScriptedRunner()
            let workers = TaskWorkers(queue: a, runner: runner, timeout: .seconds(30), shutdownGrace: .seconds(1))
            let first = try await b.enqueue(DeployTask(projects: ["web"], createdBy: "t"))
            try await workers.claimAll()
            #expect(runner.startedIDs == [first.id])
            let second = try await b.enqueue(DeployTask(projects: ["web", "api"], createdBy: "t"))
            // Three lease lengths later the task is still A's: renewed every third of the lease.
            for _ in 0..<18 {
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await b.claim() == nil)
            }
            runner.release(first.id)
            #expect(try await eventually { try await storeB.task(first.id)?.state == .succeeded })
            let done = try #require(try await storeB.task(first.id))
            #expect(done.attempt == 1 && done.runner == "A" && done.percent == 100)
            // web is free: B claims the next deploy (it waits behind nothing now).
            let next = try await eventually(.seconds(5)) { try await b.claim() != nil }
            #expect(next)
            #expect(try await storeA.task(second.id)?.runner == "B")
        }
    }

    @Test func aDaemonThatTakesItsOwnExpiredTaskOverDoesNotRunItTwice() async throws {
        try await withPostgres { _, url in
            let store = try await PostgresTaskStore.open(url)
            defer { store.close() }
            let queue = TaskQueue(store: store, owner: "A", lease: .milliseconds(200))
            let task = try await queue.enqueue(DeployTask(projects: ["web"], createdBy: "t"))
            #expect(try await queue.claim()?.id == task.id)
            try await Task.sleep(for: .milliseconds(1200))  // no renewal (a stalled machine): the lease runs out
            #expect(try await queue.claim() == nil, "its own running task is not started a second time")
            #expect(await queue.runningCount == 1)
            #expect(try await store.task(task.id)?.attempt == 2, "taken over under the next attempt")
            #expect(try await queue.renew(task.id), "the run renews under the new attempt")
        }
    }

    @Test func aCancelAskedOfAnotherDaemonStopsTheRunWhereItRuns() async throws {
        try await withPostgres { server, url in
            let storeA = try await PostgresTaskStore.open(url)
            let storeB = try await PostgresTaskStore.open(url)
            defer { storeA.close(); storeB.close() }
            let a = TaskQueue(store: storeA, owner: "A", lease: .milliseconds(1500))
            let b = TaskQueue(store: storeB, owner: "B", lease: .milliseconds(1500))
            let runner = ScriptedRunner()
            let workers = TaskWorkers(queue: a, runner: runner, timeout: .seconds(30), shutdownGrace: .seconds(1))
            let task = try await b.enqueue(DeployTask(projects: ["web"], createdBy: "ci"))
            try await workers.claimAll()
            #expect(runner.startedIDs == [task.id])
            // B does not run it: it records the request, and A stops the run at its next renewal.
            guard case .stopping? = try? await b.cancel(task.id, by: "ops") else {
                Issue.record("the cancel through B was not accepted")
                return
            }
            #expect(try await eventually(.seconds(5)) { try await storeB.task(task.id)?.state == .cancelled })
            let done = try #require(try await storeB.task(task.id))
            #expect(done.message.contains("cancelled by ops"), "\(done.message)")
            let messages = try await storeB.events(after: 0, taskID: task.id, limit: 20).map(\.message)
            #expect(messages.contains { $0.contains("cancel requested by ops") }, "\(messages)")
            #expect(try server.psql("SELECT count(*) FROM running_projects") == "0")
            // A final task: nothing to cancel (409 at the API).
            guard case .alreadyFinal? = try? await b.cancel(task.id, by: "ops") else {
                Issue.record("a cancelled task was cancelled again")
                return
            }
        }
    }

    @Test func aRunWhoseLeaseWasTakenOverWritesNothingMore() async throws {
        try await withPostgres { _, url in
            let storeA = try await PostgresTaskStore.open(url)
            let storeB = try await PostgresTaskStore.open(url)
            defer { storeA.close(); storeB.close() }
            let a = TaskQueue(store: storeA, owner: "A", lease: .seconds(1))
            let b = TaskQueue(store: storeB, owner: "B", lease: .seconds(30))
            let task = try await a.enqueue(DeployTask(projects: ["web"], createdBy: "t"))
            // A claims without renewing (as a daemon that hangs or is cut off), and the lease runs out.
            #expect(try await a.claim()?.attempt == 1)
            try await Task.sleep(for: .milliseconds(1500))
            let taken = try #require(try await eventually(.seconds(5)) { try await b.claim() != nil } ? storeB.task(task.id) : nil)
            #expect(taken.attempt == 2 && taken.runner == "B" && taken.state == .running)
            let eventsBefore = try await storeB.events(after: 0, taskID: task.id, limit: 100).count

            // A comes back: its progress and its end are not recorded; the task stays B's.
            try await a.progress(task.id, DeployProgress(phase: "done", step: 1, total: 1, message: "late"))
            let ended = try await a.finish(task.id, result: .success(DeployResult(succeeded: false, message: "stale", projects: [])))
            #expect(ended == nil)
            let now = try #require(try await storeB.task(task.id))
            #expect(now.state == .running && now.attempt == 2 && now.message != "stale" && now.message != "late", "\(now)")
            #expect(try await storeB.events(after: 0, taskID: task.id, limit: 100).count == eventsBefore)

            // B's run ends it.
            let final = try await b.finish(task.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            #expect(final?.state == .succeeded && final?.attempt == 2)
        }
    }
}
