import BerthConfig
@testable import BerthEngine
import Foundation
import Synchronization
import Testing
import TestSupport

/// Cancellation of an in-process apply, on the in-memory runtime (the real one: IntegrationTests'
/// ApplyCancelTests).
@Suite struct EngineCancellationTests {
    @Test func aCancelledApplyReportsCancelledAndRecordsItInTheHistory() async throws {
        let root = Fixtures.repository([
            "platform.yml": "domain: example.test\n",
            "projects/app/compose.yml": "services:\n  web: {image: nginx}\n",
            "projects/other/compose.yml": "services:\n  api: {image: nginx}\n",
        ])
        let state = Fixtures.tempDirectory("berth-cancel")
        defer {
            Fixtures.cleanup(root)
            Fixtures.cleanup(state)
        }
        // Creating a container takes 600 s: the apply is cancelled while it creates the first replicas.
        let runtime = MemoryRuntime(createDelay: .seconds(600))
        let started = Mutex(0)
        let engine = ApplyEngine(runtime: runtime, stateDirectory: state, events: { e in
            if e.kind == .step && e.phase == .starting { started.withLock { $0 += 1 } }
        })
        let repository = try Fixtures.load(root)
        var options = ApplyOptions()
        options.parallelism = 1  // the second project is still pending when the apply is cancelled
        let prepared = try await engine.prepare(repository, options: options)
        let task = Task { try await engine.execute(prepared, options: options) }
        for _ in 0..<200 where started.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let clock = ContinuousClock.now
        let report = try await task.value
        #expect(ContinuousClock.now - clock < .seconds(300), "the cancelled apply waited for the 600 s create")  // loose: 2 cores run every suite at once
        #expect(report.cancelled && !report.succeeded, "\(report)")
        #expect(report.projects.map(\.result) == [.cancelled, .cancelled], "\(report)")
        #expect(report.projects.allSatisfy { $0.errors.contains { $0.code == .cancelled } }, "\(report)")
        #expect(report.projects.last?.messages == ["cancelled before it started; nothing of it was changed"])
        #expect(runtime.state.withLock { $0.containers.isEmpty }, "a replica of the cancelled apply was left")
        let store = DeploymentStore(directory: state.appendingPathComponent("example-test/deployments"))
        for project in ["app", "other"] {
            #expect(try store.history(project).last?.result == .cancelled, "\(project)")
        }
    }
}

@Suite struct ShieldedTests {
    /// Clean-up in `shielded` runs to its end in a cancelled task: it does not see the cancellation,
    /// and a sleep inside it is not cut short.
    @Test func shieldedWorkIsNotCancelledWithItsCaller() async throws {
        let task = Task { () -> (outside: Bool, inside: Bool, slept: Bool) in
            while !Task.isCancelled { await Task.yield() }
            let inside = await shielded { () async -> Bool in Task.isCancelled }
            let slept = await shielded { () async -> Bool in (try? await Task.sleep(for: .milliseconds(50))) != nil }
            return (Task.isCancelled, inside, slept)
        }
        task.cancel()
        let result = await task.value
        #expect(result.outside && !result.inside && result.slept, "\(result)")
    }
}
