import BerthConfig
@testable import BerthEngine
import BerthProxy
import BerthRuntime
import BerthPlan
import Foundation
import Synchronization
import Testing
import TestSupport

/// Rollout decisions of `ServiceDeployer` against the in-memory runtime: what happens to old and new
/// replicas and to the route table when a step fails. (The rollout itself runs end to end in
/// IntegrationTests against Docker and Caddy.)
@Suite struct ServiceDeployerTests {
    let desired: DesiredState
    let project: ProjectState
    let www: ServiceSpec

    init() throws {
        var state = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        // Upstreams by container name (a bridge-mode proxy), so the drivers below can match them.
        state.platform.proxy.network = .bridge
        desired = state
        project = try #require(desired.project("site"))
        www = try #require(project.service("www"))
    }

    var routes: [ProxyRoute] { project.routes.filter { $0.service == "www" } }

    func deployer(_ runtime: MemoryRuntime, _ table: RouteTable, _ driver: any ProxyDriver, events: @escaping EventSink = { _ in }) -> ServiceDeployer {
        ServiceDeployer(runtime: runtime, routes: table, driver: driver, deployment: "20261124000000-abcdef",
                        pullPolicy: .never, registries: [:], events: events)
    }

    /// The phases of a rollout's events, each once, in the order they first appear.
    static func phases(_ events: [ApplyEvent]) -> [ApplyEvent.Phase] {
        var seen: [ApplyEvent.Phase] = []
        for event in events { if let phase = event.phase, !seen.contains(phase) { seen.append(phase) } }
        return seen
    }

    @Test func everyStepOfARolloutNamesItsPhase() async throws {
        let runtime = MemoryRuntime()
        let old = [runtime.add("site-www-old-1"), runtime.add("site-www-old-2")]
        let driver = refusing([])
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": old.map(\.actual.name)])
        let recorded = Mutex<[ApplyEvent]>([])
        let events: EventSink = { event in recorded.withLock { $0.append(event) } }

        try await deployer(runtime, table, driver, events: events).deploy(www, existing: old, routesOfService: routes, settings: project.rollout, force: false)
        let steps = recorded.withLock { $0 }
        #expect(!steps.isEmpty && steps.allSatisfy { $0.phase != nil }, "\(steps.map(\.message))")
        let phases = Self.phases(steps)
        let order: [ApplyEvent.Phase] = [.pulling, .starting, .waitingReady, .switching, .draining, .stopping, .done]
        #expect(phases.allSatisfy(order.contains) && phases == order.filter(phases.contains), "phases in rollout order: \(phases)")
        #expect([.starting, .waitingReady, .switching, .stopping, .done].allSatisfy(phases.contains), "\(phases)")
        #expect(steps.last?.phase == .done)

        // A refused switch ends in `failed`.
        let again = MemoryRuntime()
        let older = [again.add("site-www-old-1"), again.add("site-www-old-2")]
        let refusing = refusing(www.replicas.map(\.name))
        let refusedTable = RouteTable(driver: refusing, state: desired, upstreams: ["site/www": older.map(\.actual.name)])
        recorded.withLock { $0 = [] }
        _ = try? await deployer(again, refusedTable, refusing, events: events).deploy(www, existing: older, routesOfService: routes, settings: project.rollout, force: false)
        #expect(recorded.withLock { $0 }.last?.phase == .failed, "\(recorded.withLock { $0 }.map(\.message))")
    }

    /// `www` with `count` replicas named site-www-new-N.
    func scaled(to count: Int) -> ServiceSpec {
        var scaled = www
        scaled.replicas = (1...count).map { index in
            var replica = www.replicas[0]
            replica.index = index
            replica.name = "site-www-new-\(index)"
            return replica
        }
        return scaled
    }

    /// A driver that refuses every table routing `service` to one of `names`.
    func refusing(_ names: [String], restoreFails: Bool = false) -> FlakyDriver {
        let names = Set(names)
        return FlakyDriver { table in
            restoreFails || (table["site-www-1"] ?? []).contains { names.contains(String($0.split(separator: ":")[0])) }
        }
    }

    @Test func aRefusedSwitchPointsTheProxyBackAndRemovesTheNewReplicas() async throws {
        let runtime = MemoryRuntime()
        let old = [runtime.add("site-www-old-1"), runtime.add("site-www-old-2")]
        let oldNames = old.map(\.actual.name)
        let driver = refusing(www.replicas.map(\.name))
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": oldNames])

        do {
            try await deployer(runtime, table, driver).deploy(www, existing: old, routesOfService: routes, settings: project.rollout, force: false)
            Issue.record("the rollout should have failed")
        } catch let failed as ServiceDeployer.Failed {
            #expect(failed.rolledBack)
            #expect(failed.reason.contains("refused"))
        }
        #expect(runtime.names == Set(oldNames), "the new replicas are removed, the old ones kept")
        #expect(!runtime.log.contains { $0.hasPrefix("stop site-www-old") }, "old replicas are never stopped")
        #expect(await table.current("site", "www") == oldNames)
        let attempts = driver.attempts.withLock { $0 }
        #expect(attempts.map(\.taken) == [false, true], "one refused switch, then the old routes pushed again")
        #expect(attempts.last?.table["site-www-1"] == oldNames.map { "\($0):8080" })
    }

    @Test func whenTheOldRoutesCannotBeRestoredBothGenerationsKeepRunning() async throws {
        let runtime = MemoryRuntime()
        let old = [runtime.add("site-www-old-1"), runtime.add("site-www-old-2")]
        let driver = refusing([], restoreFails: true)
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": old.map(\.actual.name)])

        do {
            try await deployer(runtime, table, driver).deploy(www, existing: old, routesOfService: routes, settings: project.rollout, force: false)
            Issue.record("the rollout should have failed")
        } catch let failed as ServiceDeployer.Failed {
            #expect(!failed.rolledBack)
        }
        // The proxy may route either generation: nothing is removed; the next apply converges.
        #expect(runtime.names == Set(old.map(\.actual.name) + www.replicas.map(\.name)))
        #expect(await table.current("site", "www") == old.map(\.actual.name), "a refused push does not stay in the table")
    }

    @Test func scalingUpStartsTheMissingReplicasInParallelAndRoutesThemOnce() async throws {
        let scaled = scaled(to: 4)
        let runtime = MemoryRuntime(createDelay: .milliseconds(50))
        let existing = [runtime.add("site-www-new-1", hash: www.configHash)]
        let driver = refusing([])
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": ["site-www-new-1"]])

        try await deployer(runtime, table, driver).scale(scaled, existing: existing, routesOfService: routes, settings: project.rollout)

        #expect(runtime.names == Set(scaled.replicas.map(\.name)))
        #expect(runtime.state.withLock { $0.mostCreatingAtOnce } == 3, "the three missing replicas are created at once")
        #expect(await table.current("site", "www") == scaled.replicas.map(\.name))
        #expect(driver.attempts.withLock { $0.count } == 1)
    }

    @Test func aFailedScaleRemovesWhatItStarted() async throws {
        let scaled = scaled(to: 3)
        let runtime = MemoryRuntime()
        let existing = [runtime.add("site-www-new-1", hash: www.configHash)]
        let driver = refusing(["site-www-new-2"])
        let table = RouteTable(driver: driver, state: desired, upstreams: ["site/www": ["site-www-new-1"]])

        await #expect(throws: (any Error).self) {
            try await deployer(runtime, table, driver).scale(scaled, existing: existing, routesOfService: routes, settings: project.rollout)
        }
        #expect(await table.current("site", "www") == ["site-www-new-1"])
        #expect(runtime.names == ["site-www-new-1"], "the replicas started for the scale are removed when routing them fails")
    }

    @Test func readinessPollsOftenAtFirstThenBacksOff() {
        let now = ContinuousClock.now
        #expect(Readiness.pollInterval(since: now) == .milliseconds(25))
        #expect(Readiness.pollInterval(since: now - .seconds(5)) == .milliseconds(100))
        #expect(Readiness.pollInterval(since: now - .seconds(20)) == .milliseconds(500))
    }
}
