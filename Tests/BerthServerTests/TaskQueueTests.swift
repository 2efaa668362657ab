@testable import BerthServer
import Foundation
import Testing

@Suite("Task queue: priority, per-project exclusivity, latest wins, timeouts, interrupted (real SQLite)")
struct TaskQueueTests {
    func task(_ projects: [String]?, _ priority: TaskPriority = .normal, force: Bool = false, by: String = "ci") -> DeployTask {
        DeployTask(projects: projects, force: force, priority: priority, createdBy: by)
    }

    @Test func highPriorityRunsBeforeNormalAndOldestFirst() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 1)
            let a = try await queue.enqueue(task(["a"]))
            let b = try await queue.enqueue(task(["b"]))
            let c = try await queue.enqueue(task(["c"], .high))
            #expect(try await queue.claim()?.id == c.id)
            #expect(try await queue.claim() == nil)  // maxParallel 1
            _ = try await queue.finish(c.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            #expect(try await queue.claim()?.id == a.id)
            _ = try await queue.finish(a.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            #expect(try await queue.claim()?.id == b.id)
        }
    }

    @Test func oneRunningTaskPerProjectOthersInParallel() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 4)
            let a1 = try await queue.enqueue(task(["a"]))
            let a2 = try await queue.enqueue(task(["a", "b"], force: true))  // not covering a1's… a1 has no force: a2 replaces a1
            #expect(try await store.task(a1.id)?.state == .cancelled)
            let c = try await queue.enqueue(task(["c"]))
            let b = try await queue.enqueue(task(["b"], force: false))  // does not cover a2 (fewer projects, no force)
            #expect(try await queue.claim()?.id == a2.id)
            #expect(try await queue.claim()?.id == c.id)  // b shares project b with running a2
            #expect(try await queue.claim() == nil)
            #expect(try await store.task(b.id)?.state == .queued)
            _ = try await queue.finish(a2.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            #expect(try await queue.claim()?.id == b.id)
            // A task of every project waits for every running task, and nothing passes it.
            let all = try await queue.enqueue(task(nil))
            let d = try await queue.enqueue(task(["d"]))
            #expect(try await queue.claim() == nil)
            _ = try await queue.finish(b.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            _ = try await queue.finish(c.id, result: .success(DeployResult(succeeded: true, message: "ok", projects: [])))
            #expect(try await queue.claim()?.id == all.id)
            #expect(try await queue.claim() == nil)
            #expect(try await store.task(d.id)?.state == .queued)
        }
    }

    @Test func aNewQueuedDeployReplacesTheOlderOneItCovers() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 1)
            let older = try await queue.enqueue(task(["blog"], .high))
            let wider = try await queue.enqueue(task(["blog", "shop"]))
            let replaced = try #require(try await store.task(older.id))
            #expect(replaced.state == .cancelled)
            #expect(replaced.replacedBy == wider.id)
            #expect(replaced.message.contains(wider.id))
            #expect(try await store.task(wider.id)?.priority == .high)  // it inherits the replaced one's high priority
            // A narrower deploy does not replace a wider one; a forced one is not replaced by an unforced one.
            let narrow = try await queue.enqueue(task(["shop"]))
            #expect(try await store.task(wider.id)?.state == .queued)
            let forced = try await queue.enqueue(task(["x"], force: true))
            _ = try await queue.enqueue(task(["x"]))
            #expect(try await store.task(forced.id)?.state == .queued)
            #expect(try await store.task(narrow.id)?.state == .queued)
            // The replaced task's events say so.
            let events = try await store.events(after: 0, taskID: older.id, limit: 10)
            #expect(events.map(\.state) == [.queued, .cancelled])
        }
    }

    @Test func cancelRemovesAQueuedTaskAndStopsARunningOne() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 2)
            let runner = ScriptedRunner()
            let workers = TaskWorkers(queue: queue, runner: runner, timeout: .seconds(30), shutdownGrace: .seconds(1))
            let running = try await queue.enqueue(task(["a"]))
            try await workers.claimAll()
            #expect(try await eventually { runner.startedIDs.contains(running.id) })
            let queued = try await queue.enqueue(task(["a"]))  // waits behind the running one
            guard case .removed(let removed) = try await queue.cancel(queued.id, by: "ops") else { Issue.record("not removed"); return }
            #expect(removed.state == .cancelled)
            guard case .stopping = try await queue.cancel(running.id, by: "ops") else { Issue.record("not stopping"); return }
            #expect(try await eventually { try await store.task(running.id)?.state == .cancelled })
            #expect(try await store.task(running.id)?.message.contains("ops") == true)
            guard case .alreadyFinal = try await queue.cancel(running.id, by: "ops") else { Issue.record("final task cancelled again"); return }
        }
    }

    @Test func aTaskPastItsTimeoutFailsAndKeepsItsProjectUntilItsRunReturns() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 2)
            let runner = ScriptedRunner(ignoresCancellation: true)
            let workers = TaskWorkers(queue: queue, runner: runner, timeout: .milliseconds(300), shutdownGrace: .seconds(1))
            let slow = try await queue.enqueue(task(["a"]))
            try await workers.claimAll()
            #expect(try await eventually { try await store.task(slow.id)?.state == .failed })
            #expect(try await store.task(slow.id)?.message.contains("timed out") == true)
            let next = try await queue.enqueue(task(["a"], force: true))
            try await workers.claimAll()
            #expect(try await store.task(next.id)?.state == .queued)  // the timed-out run still holds project a
            runner.release(slow.id)
            #expect(try await eventually { try await workers.claimAll(); return runner.startedIDs.contains(next.id) })
            #expect(try await store.task(slow.id)?.state == .failed)  // its late result does not overwrite the final state
            runner.release(next.id)
            #expect(try await eventually { try await store.task(next.id)?.state == .succeeded })
            let final = try #require(try await store.task(next.id))
            #expect(final.percent == 100)
            #expect(final.step == 2 && final.total == 2)
            #expect(final.results.map(\.project) == ["a"])
        }
    }

    @Test func aRunningTaskLeftByAKilledDaemonIsInterruptedAndRequeued() async throws {
        try await withTemporaryStore { store, dir in
            let first = TaskQueue(store: store, maxParallel: 1)
            let t = try await first.enqueue(task(["blog"], .high, force: true, by: "ci"))
            #expect(try await first.claim()?.id == t.id)
            try await store.close()  // the daemon dies: its queue is gone, the row says running

            let reopened = try await SQLiteTaskStore.open(stateDirectory: dir)
            let second = TaskQueue(store: reopened, maxParallel: 1)
            let fresh = try await second.recover()
            #expect(fresh.count == 1)
            let old = try #require(try await reopened.task(t.id))
            #expect(old.state == .interrupted)
            #expect(old.message.contains(fresh[0].id))
            #expect(fresh[0].retryOf == t.id && fresh[0].projects == ["blog"] && fresh[0].force && fresh[0].priority == .high)
            #expect(fresh[0].createdBy == "ci")  // the token that started it can read its retry
            #expect(try await second.claim()?.id == fresh[0].id)
            #expect(try await second.recover().isEmpty)  // its own running task is not interrupted
            try await reopened.close()
        }
    }

    @Test func gracefulShutdownLetsTheRunningTaskFinishAndLeavesQueuedOnesQueued() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 1)
            let runner = ScriptedRunner()
            let workers = TaskWorkers(queue: queue, runner: runner, timeout: .seconds(30), shutdownGrace: .seconds(10))
            let running = try await queue.enqueue(task(["a"]))
            let waiting = try await queue.enqueue(task(["b"]))
            try await workers.claimAll()
            #expect(try await eventually { runner.startedIDs == [running.id] })
            let stop = Task { await workers.shutdown() }
            try await Task.sleep(for: .milliseconds(200))
            runner.release(running.id)
            await stop.value
            #expect(try await store.task(running.id)?.state == .succeeded)
            #expect(try await store.task(waiting.id)?.state == .queued)
        }
    }

    @Test func shutdownPastItsGraceInterruptsAndRequeues() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 1)
            let workers = TaskWorkers(queue: queue, runner: ScriptedRunner(), timeout: .seconds(30), shutdownGrace: .milliseconds(200))
            let running = try await queue.enqueue(task(["a"]))
            try await workers.claimAll()
            await workers.shutdown()
            let stopped = try #require(try await store.task(running.id))
            #expect(stopped.state == .interrupted)
            let retry = try await store.tasks(state: .queued, project: "a", limit: 5)
            #expect(retry.map(\.retryOf) == [running.id])
        }
    }
}

@Suite("Task queue wake-ups")
struct TaskQueueWakeTests {
    @Test func anIdleQueueWaitsAndAQueuedTaskWakesItsWorkers() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store, maxParallel: 1)
            #expect(try await queue.claim() == nil)  // consumes the start-up wake-up
            let clock = ContinuousClock()
            let idle = await clock.measure { for _ in 0..<3 { await queue.waitForWork(upTo: .milliseconds(100)) } }
            #expect(idle >= .milliseconds(290), "an idle queue woke its workers after \(idle)")
            _ = try await queue.enqueue(DeployTask(projects: ["a"], force: false, priority: .normal, createdBy: "ci"))
            let woken = await clock.measure { await queue.waitForWork(upTo: .seconds(600)) }
            #expect(woken < .seconds(300), "queuing a task did not wake the workers")  // loose: 2 cores run every suite at once
        }
    }
}
