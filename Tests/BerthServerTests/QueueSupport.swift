import BerthServer
import Foundation
import Synchronization

/// Runs `body` with a store in a fresh SQLite file of its own (the real store, not a fake); closes it
/// (SQLite connections must be closed) and removes the directory afterwards, also when `body` throws.
func withTemporaryStore(_ body: (SQLiteTaskStore, URL) async throws -> Void) async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-queue-\(UUID().uuidString)")
    let store = try await SQLiteTaskStore.open(stateDirectory: dir)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
        try await body(store, dir)
    } catch {
        try? await store.close()  // the body's error is the one to report
        throw error
    }
    try await store.close()
}

/// A runner for the queue's logic: each task runs until the test releases it (or forever, to test timeouts),
/// reporting two progress steps. It stands in for the engine only in these unit tests of scheduling; the
/// daemon's end-to-end tests run the real engine.
final class ScriptedRunner: DeployRunner, Sendable {
    let started = Mutex<[String]>([])
    let released = Mutex<Set<String>>([])
    let ignoresCancellation: Bool

    init(ignoresCancellation: Bool = false) { self.ignoresCancellation = ignoresCancellation }

    func release(_ id: String) { _ = released.withLock { $0.insert(id) } }
    var startedIDs: [String] { started.withLock { $0 } }

    func run(_ task: DeployTask, progress: @escaping @Sendable (DeployProgress) -> Void) async throws -> DeployResult {
        started.withLock { $0.append(task.id) }
        progress(DeployProgress(phase: "starting", project: task.projects?.first, step: 0, total: 2, message: "starting"))
        let deadline = ContinuousClock.now + .seconds(20)
        while !released.withLock({ $0.contains(task.id) }), ContinuousClock.now < deadline {
            if !ignoresCancellation { try Task.checkCancellation() }
            try? await Task.sleep(for: .milliseconds(20))
        }
        progress(DeployProgress(phase: "done", project: task.projects?.first, step: 2, total: 2, message: "done"))
        return DeployResult(succeeded: true, message: "ok", projects: (task.projects ?? ["all"]).map {
            ProjectOutcome(project: $0, result: "succeeded", messages: [])
        })
    }
}

/// Polls until `condition` holds (bounded).
func eventually(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
