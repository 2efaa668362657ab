import BerthConfig
@testable import BerthEngine
import BerthPlan
import Foundation
import Synchronization
import Testing
import TestSupport

/// Applies of different projects at once in one process (the daemon's workers): the shared deploy lock and
/// route table. End to end: IntegrationTests' ServeParallelE2ETests.
@Suite struct PlatformSessionTests {
    let platform: PlatformConfig

    init() throws {
        platform = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build().platform
    }

    func lockContainers(_ runtime: MemoryRuntime) -> Int {
        runtime.state.withLock { s in s.containers.values.filter { $0.name == platform.lockName }.count }
    }

    @Test func appliesOfASessionHoldOneLockTogetherAndTheLastOneReleasesIt() async throws {
        let runtime = MemoryRuntime()
        let state = Fixtures.tempDirectory("berth-session")
        defer { Fixtures.cleanup(state) }
        let engine = ApplyEngine(runtime: runtime, stateDirectory: state)
        let session = PlatformSession()
        let inside = Mutex((now: 0, most: 0, open: false))
        // Each body stays inside until the test lets them go (at most 10 s).
        let body = { @Sendable () async throws -> Void in
            inside.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            for _ in 0..<1000 where !inside.withLock({ $0.open }) { try await Task.sleep(for: .milliseconds(10)) }
            inside.withLock { $0.now -= 1 }
        }
        async let a: Void = engine.withLock(platform, wait: TimeSpan(milliseconds: 100), session: session, body)
        async let b: Void = engine.withLock(platform, wait: TimeSpan(milliseconds: 100), session: session, body)
        for _ in 0..<1000 where inside.withLock({ $0.now }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(lockContainers(runtime) == 1, "one lock for both")
        #expect(await session.active == 2)
        // Another process's apply (no session) waits for both; with a short wait it is refused.
        await #expect(throws: LockError.self) {
            try await engine.withLock(platform, wait: TimeSpan(milliseconds: 50)) {}
        }
        inside.withLock { $0.open = true }
        _ = try await (a, b)
        #expect(inside.withLock { $0.most } == 2, "the two bodies ran at the same time")
        #expect(lockContainers(runtime) == 0, "the last one out released the lock")
        #expect(await session.active == 0)
        // Free again: an apply without the session takes it.
        try await engine.withLock(platform, wait: nil) {}
    }

    @Test func aFailingApplyLeavesTheLockToTheOthers() async throws {
        let runtime = MemoryRuntime()
        let state = Fixtures.tempDirectory("berth-session")
        defer { Fixtures.cleanup(state) }
        let engine = ApplyEngine(runtime: runtime, stateDirectory: state)
        let session = PlatformSession()
        struct Boom: Error {}
        let lockName = platform.lockName
        let failing = Task {
            try await engine.withLock(platform, wait: nil, session: session) {
                try await Task.sleep(for: .milliseconds(20))
                throw Boom()
            }
        }
        let long = Task {
            try await engine.withLock(platform, wait: nil, session: session) { () async throws -> Int in
                try await Task.sleep(for: .milliseconds(200))
                return runtime.state.withLock { s in s.containers.values.filter { $0.name == lockName }.count }
            }
        }
        await #expect(throws: Boom.self) { try await failing.value }
        let held = try await long.value
        #expect(held == 1, "the lock stayed held for the apply still running")
        #expect(lockContainers(runtime) == 0)
    }

    @Test func aJoiningApplyReplacesOnlyItsOwnProjectsInTheSharedRouteTable() async throws {
        let desired = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let driver = RecordingDriver()
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": ["w-old"], "notes/app": ["n-old"]],
                               addresses: ["w-old": ["a": "10.0.0.2"]])
        // The first apply (site) switches to its new replica while the second (notes) joins with its own view:
        // notes as it found it, and site as it was before the first apply's switch.
        try await table.set("site", "www", to: ["w-new"])
        var newer = desired
        newer.projects.removeAll { $0.name == "notes" }
        await table.adopt(newer, projects: ["notes"], upstreams: ["site/www": ["w-old"], "notes/app": ["n-1"]],
                          addresses: ["w-old": ["a": "10.9.9.9"], "n-1": ["a": "10.0.0.3"]])
        #expect(await table.current("site", "www") == ["w-new"], "the other apply's switch stays")
        #expect(await table.rendered().projects.contains { $0.name == "site" })
        #expect(await !table.rendered().projects.contains { $0.name == "notes" }, "notes left the repository in the newer view: its routes go")
        #expect(await table.addresses["w-old"] == ["a": "10.0.0.2"], "known addresses are kept")
        #expect(await table.addresses["n-1"] == ["a": "10.0.0.3"])
    }
}
