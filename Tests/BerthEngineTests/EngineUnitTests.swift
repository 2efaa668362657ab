import BerthConfig
@testable import BerthEngine
@testable import BerthProxy
@testable import BerthRuntime
import BerthPlan
import Foundation
import Synchronization
import Testing
import TestSupport

/// A proxy driver that records what it was given (unit tests of the route table only; the real
/// drivers are covered end to end).
final class RecordingDriver: ProxyDriver {
    let kind = ProxyKind.caddy
    let pushed = Mutex<[[String: [String]]]>([])

    func push(_ state: DesiredState) async throws {
        var table: [String: [String]] = [:]
        for route in state.routes { table[route.name] = route.upstreams.map(\.address) }
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...20)))
        pushed.withLock { $0.append(table) }
    }

    func routedHosts() async throws -> Set<String> { [] }
    func drain(_ targets: [DrainTarget], timeout: TimeSpan) async -> DrainResult {
        DrainResult(drained: true, signal: "none", waited: .zero)
    }
}

@Suite struct EngineUnitTests {
    let desired: DesiredState

    init() throws {
        desired = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
    }

    @Test func routeTableRendersOnlyRoutedServicesAndSerializesPushes() async throws {
        let driver = RecordingDriver()
        let table = RouteTable(driver: driver, state: desired, upstreams: [:])
        #expect(await table.rendered().routes.isEmpty)
        // Concurrent switches of different services: the last push must contain both.
        async let a: Void = table.set("site", "www", to: ["w1", "w2"])
        async let b: Void = table.set("notes", "app", to: ["n1"])
        _ = try await (a, b)
        let last = try #require(driver.pushed.withLock { $0.last })
        #expect(last["site-www-1"] == ["w1:8080", "w2:8080"])
        #expect(last["notes-app-1"] == ["n1:8080"])
        #expect(await table.pushes == 2)
        try await table.removeProject("site")
        #expect(driver.pushed.withLock { $0.last?["site-www-1"] } == nil)
        #expect(driver.pushed.withLock { $0.last?["notes-app-1"] } == ["n1:8080"])
    }

    @Test func initialUpstreamsPreferWhatTheProxyRoutes() {
        func container(_ name: String, running: Bool = true) -> ManagedContainer {
            ManagedContainer(actual: ActualContainer(id: name, name: name, project: "site", service: "www", configHash: "h",
                                                     replica: 1, image: "x", running: running), labels: [:],
                             addresses: ["site_ingress": "10.0.0.1"])
        }
        let existing = [container("old-1"), container("new-1"), container("stopped", running: false)]
        let routed = ApplyEngine.initialUpstreams(desired, existing, routed: ["old-1"])
        #expect(routed["site/www"] == ["old-1"])
        let fresh = ApplyEngine.initialUpstreams(desired, existing, routed: [])
        #expect(fresh["site/www"] == ["new-1", "old-1"])
        // Without the proxy's word, replicas of the desired configuration may be leftovers of an
        // interrupted rollout that were never checked: the older generation is routed, not them.
        let hash = try! #require(desired.project("site")?.service("www")?.configHash)
        var leftover = container("leftover-1")
        leftover.actual.configHash = hash
        let mixed = ApplyEngine.initialUpstreams(desired, existing + [leftover], routed: [])
        #expect(mixed["site/www"] == ["new-1", "old-1"])
        // On the host network the proxy reports addresses: they count as routed too.
        var elsewhere = container("other-1")
        elsewhere.addresses = ["site_ingress": "10.0.0.9"]
        let byAddress = ApplyEngine.initialUpstreams(desired, existing + [elsewhere], routed: ["10.0.0.9"])
        #expect(byAddress["site/www"] == ["other-1"])
    }

    @Test func onTheHostNetworkRoutesPointAtAddresses() async throws {
        let driver = RecordingDriver()
        let table = RouteTable(driver: driver, state: desired, upstreams: [:])
        await table.register("w1", addresses: ["site_ingress": "10.213.0.5"])
        try await table.set("site", "www", to: ["w1"])
        #expect(driver.pushed.withLock { $0.last?["site-www-1"] } == ["10.213.0.5:8080"])
    }

    @Test func caddyRoutedHostsComeFromDialAddresses() throws {
        let json = #"{"apps":{"http":{"servers":{"s":{"routes":[{"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"web-app-1:8080"},{"dial":"web-app-2:8080"}]}]}]}}}}}"#
        var hosts = Set<String>()
        CaddyDriver.collectDials(try JSONSerialization.jsonObject(with: Data(json.utf8)), into: &hosts)
        #expect(hosts == ["web-app-1", "web-app-2"])
    }

    @Test func traefikConfirmationNeedsEveryRouterWithItsServers() {
        let expected = ["r1@file": Set(["http://a:80"])]
        let routers = Data(#"[{"name":"r1@file","status":"enabled","service":"r1"}]"#.utf8)
        let good = Data(#"[{"name":"r1@file","loadBalancer":{"servers":[{"url":"http://a:80"}]}}]"#.utf8)
        let stale = Data(#"[{"name":"r1@file","loadBalancer":{"servers":[{"url":"http://old:80"}]}}]"#.utf8)
        #expect(TraefikDriver.unconfirmed(expected: expected, routers: routers, services: good) == nil)
        #expect(TraefikDriver.unconfirmed(expected: expected, routers: routers, services: stale)?.contains("expected") == true)
        #expect(TraefikDriver.unconfirmed(expected: expected, routers: Data("[]".utf8), services: good)?.contains("not loaded") == true)
    }

    @Test func traefikDriverWritesFilesAtomicallyAndRemovesStaleOnes() throws {
        let dir = Fixtures.tempDirectory()
        defer { Fixtures.cleanup(dir) }
        let driver = TraefikDriver(directory: dir, api: "127.0.0.1:1")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("dynamic"), withIntermediateDirectories: true)
        try "stale".write(to: dir.appendingPathComponent("dynamic/gone.yml"), atomically: true, encoding: .utf8)
        let expected = try driver.write(desired)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("traefik.yml").path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("dynamic/site.yml").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("dynamic/gone.yml").path))
        #expect(expected["site-www-1@file"]?.count == 2)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("dynamic").path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func containerFactoryMapsTheServiceSpec() throws {
        let db = try #require(desired.project("notes")?.service("db"))
        let replica = db.replicas[0]
        let config = ContainerFactory.config(ContainerRequest(name: replica.name, image: db.spec.image, service: db.spec,
                                                             labels: replica.labels, networks: replica.networks))
        #expect(config.image == "berth-demo/postgres:15")
        #expect(config.stopSignal == "SIGINT")
        #expect(config.stopTimeout == 30)
        #expect(config.env?.contains("POSTGRES_DB=notes") == true)
        #expect(config.hostConfig?.shmSize == 128 << 20)
        #expect(config.hostConfig?.mounts?.first?.source == "notes_pgdata")
        #expect(config.hostConfig?.restartPolicy?.name == "unless-stopped")
        #expect(config.hostConfig?.networkMode == "notes_internal")
        #expect(config.networkingConfig?.endpointsConfig["notes_internal"]?.aliases == ["db"])
        #expect(config.healthcheck != nil)
        #expect(config.labels?["com.docker.compose.service"] == "db")
    }
}
