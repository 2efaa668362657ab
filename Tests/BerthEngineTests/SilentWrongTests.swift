import BerthConfig
@testable import BerthEngine
@testable import BerthProxy
import BerthPlan
import Foundation
import Testing
import TestSupport

/// Paths that used to give a wrong result without an error: each test fails on the code before the fix.
@Suite struct SilentWrongTests {
    // MARK: Traefik's drain signal, from tcp_info measured on Traefik 3.7 → busybox/Traefik upstreams

    @Test func connectionWatchTellsIdleKeepAliveFromRequestsInFlight() {
        let text = """
            0      0      10.214.0.2:8080      10.214.0.1:40000
            \t cubic rto:204 bytes_sent:512 bytes_received:275 lastsnd:2008 lastrcv:2012 lastack:2008
            0      0      10.214.0.2:8080      10.214.0.1:40002
            \t cubic rto:204 bytes_sent:512 bytes_received:550 lastsnd:2516 lastrcv:496 lastack:496
            0      0      10.214.0.2:8080      10.214.0.1:40004
            \t cubic rto:204 bytes_received:275 lastsnd:1000 lastrcv:992 lastack:992
            0      0      10.214.0.2:8080      10.214.0.1:40006
            \t cubic rto:204 bytes_sent:512 bytes_received:275 lastsnd:2016 lastrcv:2016
            0      120    10.214.0.2:8080      10.214.0.1:40008
            \t cubic rto:204 bytes_sent:900 bytes_received:275 lastsnd:3000 lastrcv:3000
            0      0      10.214.0.2:8080      10.214.0.1:40010
            \t cubic rto:204 lastsnd:5000 lastrcv:5000 lastack:5000
            """
        let connections = ConnectionWatch.parse(text)
        #expect(connections.count == 6)
        #expect(connections[1].lastReceive == 496 && connections[1].lastSend == 2516 && connections[1].bytesSent == 512)
        #expect(connections[2].bytesSent == 0)
        let watch = ConnectionWatch()
        // idle, in flight on a reused connection, first request in flight, idle (equal times), unsent
        // bytes, a spare connection dialled ahead and never used
        #expect(connections.map { watch.inFlight([$0]) } == [0, 1, 1, 0, 1, 0])
        #expect(watch.inFlight([]) == 0)
    }

    // MARK: routes are part of the desired state

    @Test func aRenamedHostIsPlannedAsARouteChange() throws {
        let desired = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let site = try #require(desired.project("site"))
        let actual = ActualState(
            containers: desired.services.flatMap { s in
                s.replicas.map { ActualContainer(id: $0.name, name: $0.name, project: s.project, service: s.name,
                                                 configHash: s.configHash, replica: $0.index, image: s.spec.image) }
            },
            networks: desired.networks.map { ActualNetwork(id: $0.name, name: $0.name, project: $0.project, subnet: $0.subnet, isInternal: $0.isInternal) },
            volumes: desired.volumes.map { ActualVolume(name: $0.name, project: $0.project) },
            routes: desired.routes)
        #expect(!Planner().plan(desired: desired, actual: actual).hasChanges)
        var renamed = actual
        renamed.routes = desired.routes.map { r in
            var c = r
            if c.project == "site" { c.hosts = ["old.homelab.localhost"] }
            return c
        }
        let plan = Planner().plan(desired: desired, actual: renamed)
        #expect(plan.actions.count == 1)
        guard case .updateRoutes(let update) = plan.actions.first else {
            Issue.record("expected a route update, got \(plan.actions)")
            return
        }
        #expect(update.project == "site")
        #expect(update.changed.map(\.fields) == [["hosts"]])
        #expect(update.changed.first?.after.hosts == site.routes.first?.hosts)
        // A removed route and an added one.
        var fewer = actual
        fewer.routes = desired.routes.filter { $0.project != "api" }
        guard case .updateRoutes(let added) = Planner().plan(desired: desired, actual: fewer).actions.first else {
            Issue.record("expected added routes")
            return
        }
        #expect(added.added.map(\.name).sorted() == ["api-api-1", "api-api-2"])
        // Unknown routes (no proxy yet, or offline planning) are not diffed.
        var unknown = actual
        unknown.routes = nil
        #expect(!Planner().plan(desired: desired, actual: unknown).hasChanges)
    }

    // MARK: history is never silently lost

    func record(_ id: String, result: DeploymentStore.DeploymentResult = .succeeded) -> DeploymentStore.Record {
        DeploymentStore.Record(id: id, project: "site", startedAt: Date(), finishedAt: Date(), result: result, message: nil, services: [])
    }

    @Test func anUnreadableHistoryIsAnErrorAndIsNotOverwritten() throws {
        let dir = Fixtures.tempDirectory("berth-history")
        defer { Fixtures.cleanup(dir) }
        let store = DeploymentStore(directory: dir)
        try store.append(record("1"))
        try store.append(record("2", result: .failed))
        #expect(try store.history("site").map(\.result) == [.succeeded, .failed])
        try Data("{ not json".utf8).write(to: store.file("site"))
        #expect(throws: DeploymentStore.Unreadable.self) { try store.history("site") }
        #expect(throws: DeploymentStore.Unreadable.self) { try store.append(record("3")) }
        #expect(try String(contentsOf: store.file("site"), encoding: .utf8) == "{ not json", "the damaged history was overwritten")
    }

    @Test func aFailedHistoryWriteIsAnError() throws {
        let dir = Fixtures.tempDirectory("berth-history-ro")
        defer { Fixtures.cleanup(dir) }
        // A file where the directory should be: nothing can be written below it.
        let blocked = dir.appendingPathComponent("deployments")
        try Data().write(to: blocked)
        let store = DeploymentStore(directory: blocked)
        #expect(throws: (any Error).self) { try store.append(record("1")) }
    }
}
