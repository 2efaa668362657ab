import BerthConfig
@testable import BerthPlan
import Foundation
import Testing
import TestSupport

@Suite struct DesiredStateTests {
    @Test func hashIsStableAndIgnoresReplicaCount() throws {
        let a = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let b = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        #expect(a.services.map(\.configHash) == b.services.map(\.configHash))
        var spec = a.services[0].spec
        let networks = a.services[0].replicas[0].networks
        let base = ConfigHash.compute(image: spec.image, spec: spec, networks: networks)
        spec.replicas = 7
        #expect(ConfigHash.compute(image: spec.image, spec: spec, networks: networks) == base)
        spec.environment["X"] = "1"
        #expect(ConfigHash.compute(image: spec.image, spec: spec, networks: networks) != base)
        #expect(ConfigHash.compute(image: spec.image + "x", spec: spec, networks: networks) != base)
    }

    /// `depends_on: {db: {restart: true}}`: a new version of db is a new version of app; without it, not.
    @Test func aRestartDependencyCarriesTheDependencysHash() throws {
        func hashes(_ dbVersion: String, restart: Bool) throws -> (app: String, other: String) {
            let dir = Fixtures.repository([
                "platform.yml": "domain: example.test\n",
                "projects/p/compose.yml": """
                    services:
                      db: {image: "postgres:\(dbVersion)"}
                      app: {image: nginx, depends_on: {db: {condition: service_started, restart: \(restart)}}}
                      other: {image: nginx, depends_on: [db]}
                    """,
            ])
            defer { Fixtures.cleanup(dir) }
            let state = try DesiredStateBuilder(repository: Fixtures.load(dir)).build()
            return (try #require(state.project("p")?.service("app")).configHash, try #require(state.project("p")?.service("other")).configHash)
        }
        #expect(try hashes("15", restart: true).app != hashes("16", restart: true).app)
        #expect(try hashes("15", restart: false).app == hashes("16", restart: false).app)
        #expect(try hashes("15", restart: true).other == hashes("16", restart: true).other)
    }

    @Test func networksFollowTheIsolationModel() throws {
        let state = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let notes = try #require(state.project("notes"))
        #expect(notes.networks.map(\.name) == ["notes_ingress", "notes_internal", "notes_egress", "notes_link_api"])
        #expect(notes.networks.map(\.isInternal) == [true, true, false, true])
        let db = try #require(notes.service("db"))
        // The database is on internal (alias db) and on the link network api may use (alias db.notes); never on ingress.
        #expect(db.replicas[0].networks == [
            NetworkAttachment(network: "notes_internal", aliases: ["db"]),
            NetworkAttachment(network: "notes_link_api", aliases: ["db.notes"]),
        ])
        let app = try #require(notes.service("app"))
        #expect(app.replicas[0].networks.map(\.network) == ["notes_ingress", "notes_internal", "notes_egress"])
        let api = try #require(state.project("api")?.service("api"))
        #expect(api.replicas[0].networks.map(\.network) == ["api_ingress", "api_internal", "notes_link_api"])
        // Subnets never overlap.
        let subnets = state.networks.compactMap { IPv4Network(parsing: $0.subnet) }
        for (i, a) in subnets.enumerated() { for b in subnets[(i + 1)...] { #expect(!a.overlaps(b)) } }
    }

    @Test func containerNamesAndComposeLabels() throws {
        let state = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let www = try #require(state.project("site")?.service("www"))
        #expect(www.replicas.map(\.name) == ["site-www-\(www.configHash.prefix(8))-1", "site-www-\(www.configHash.prefix(8))-2"])
        let labels = www.replicas[1].labels
        #expect(labels["berth.managed"] == "true")
        #expect(labels["com.docker.compose.project"] == "site")
        #expect(labels["com.docker.compose.service"] == "www")
        #expect(labels["com.docker.compose.container-number"] == "2")
        #expect(labels["com.docker.compose.oneoff"] == "False")
        #expect(labels["com.docker.compose.config-hash"] == www.configHash)
        #expect(labels["com.docker.compose.project.config_files"]?.hasSuffix("projects/site/compose.yml") == true)
    }

    @Test func routesCarryTheMiddlewareChainAndUpstreams() throws {
        let state = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let routes = try #require(state.project("api")?.routes)
        #expect(routes.map(\.name) == ["api-api-1", "api-api-2"])
        #expect(routes[0].middlewares == ["secure-headers", "gzip", "api-limit"])
        #expect(routes[1].path == "/admin")
        #expect(routes[1].middlewares == ["secure-headers", "gzip", "admin-auth", "lan-only"])
        let echo = try #require(state.project("echo")?.routes.first)
        #expect(echo.proto == .tcp && echo.listenPort == 7000 && echo.middlewares.isEmpty && !echo.tls)
        let api = try #require(state.project("api")?.service("api"))
        #expect(routes[0].upstreams.map(\.address) == api.replicas.map { "\($0.name):8080" })
    }
}

@Suite struct SubnetAllocatorTests {
    let allocator = SubnetAllocator(pools: [IPv4Network(parsing: "10.1.0.0/24")!], prefix: 28)

    @Test func existingSubnetsAreKeptAndNewOnesAvoidThem() throws {
        let first = try allocator.allocate(["a_internal", "b_internal"])
        let second = try allocator.allocate(["a_internal", "b_internal", "c_internal"], existing: first)
        #expect(second["a_internal"] == first["a_internal"])
        #expect(second["b_internal"] == first["b_internal"])
        #expect(Set(second.values).count == 3)
    }

    @Test func addingAProjectDoesNotMoveOthersEvenWithoutExistingState() throws {
        let names = (1...6).map { "p\($0)_internal" }
        let before = try allocator.allocate(names)
        let after = try allocator.allocate(names + ["zz_internal"])
        let moved = names.filter { before[$0] != after[$0] }
        // Only a name whose hashed slot the new one took earlier in sorted order could move; with probing
        // from each name's own slot, at most one moves.
        #expect(moved.count <= 1)
    }

    @Test func exhaustedPoolIsAnError() {
        #expect(throws: SubnetAllocator.Exhausted.self) {
            try allocator.allocate((1...17).map { "n\($0)" })
        }
    }

    @Test func foreignSubnetsAreAvoided() throws {
        let taken = IPv4Network(parsing: "10.1.0.0/28")!
        let result = try SubnetAllocator(pools: [IPv4Network(parsing: "10.1.0.0/27")!], prefix: 28)
            .allocate(["x"], existing: ["other": taken])
        #expect(result["x"] == IPv4Network(parsing: "10.1.0.16/28"))
    }
}
