import BerthServer
import Foundation
import Synchronization
import Testing

/// The reconciler's decision on a real SQLite store; the drift answer stands in for the engine's plan
/// (ServeE2ETests checks the whole loop against Docker).
@Suite struct ReconcilerTests {
    @Test func aDriftedPlatformGetsOneDeployOfEveryProjectAndNothingWhileATaskIsActive() async throws {
        try await withTemporaryStore { store, _ in
            let queue = TaskQueue(store: store)
            let drift = Atomic<Bool>(false)
            let checks = Atomic<Int>(0)
            let reconciler = Reconciler(queue: queue, store: store, interval: .seconds(3600)) {
                checks.add(1, ordering: .relaxed)
                return drift.load(ordering: .relaxed)
            }
            let none = try await reconciler.round()
            #expect(none == nil, "no drift: nothing queued")
            #expect(checks.load(ordering: .relaxed) == 1)

            drift.store(true, ordering: .relaxed)
            let queued = try #require(try await reconciler.round())
            #expect(queued.projects == nil)
            #expect(queued.createdBy == Reconciler.tokenName)
            #expect(queued.state == .queued)
            let stored = try await store.task(queued.id)
            #expect(stored?.createdBy == "reconciler")

            // That task is still queued: the next round neither plans nor queues another.
            let again = try await reconciler.round()
            #expect(again == nil)
            #expect(checks.load(ordering: .relaxed) == 2, "no plan is made while a task is active")
            let active = try await store.activeTasks().map(\.id)
            #expect(active == [queued.id])
        }
    }

    @Test func aFailingDriftCheckQueuesNothing() async throws {
        struct Unreachable: Error {}
        try await withTemporaryStore { store, _ in
            let reconciler = Reconciler(queue: TaskQueue(store: store), store: store, interval: .seconds(3600)) { throw Unreachable() }
            await #expect(throws: Unreachable.self) { try await reconciler.round() }
            let active = try await store.activeTasks()
            #expect(active.isEmpty)
        }
    }
}
