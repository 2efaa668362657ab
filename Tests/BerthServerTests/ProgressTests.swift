import BerthEngine
@testable import BerthServer
import Testing

@Suite("Engine events → task progress")
struct ProgressTests {
    @Test func stepsCountFinishedServicesOutOfThePlansTotal() {
        let counter = ProgressCounter()
        counter.setTotal(2)
        let events: [ApplyEvent] = [
            ApplyEvent(.lockAcquired, message: "lock"),
            ApplyEvent(.projectStarted, project: "blog", message: "started"),
            ApplyEvent(.step, phase: .waitingReady, project: "blog", service: "web", message: "waiting"),
            ApplyEvent(.build, project: "blog", service: "web", message: "a build line"),
            ApplyEvent(.serviceDone, project: "blog", service: "web", message: "done"),
            ApplyEvent(.serviceFailed, project: "blog", service: "worker", message: "never ready"),
        ]
        let updates = events.compactMap { EngineDriver.progress($0, counter: counter) }
        #expect(updates.map(\.phase) == ["starting", "waiting_ready", "done", "failed"])  // lock and build lines are not progress
        #expect(updates.map(\.step) == [0, 0, 1, 2])
        #expect(updates.allSatisfy { $0.total == 2 })
        #expect(updates[1].service == "web" && updates[1].message == "waiting")
    }
}
