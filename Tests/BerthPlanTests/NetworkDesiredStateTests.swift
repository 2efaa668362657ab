import BerthConfig
@testable import BerthPlan
import Foundation
import Testing
import TestSupport

/// User-declared networks, `network_mode` and `links` in the desired state and the plan.
@Suite struct NetworkDesiredStateTests {
    static let vps = """
        services:
          traefik:
            image: nginx
            networks: {proxy: {ipv4_address: 172.30.0.10}}
          db:
            image: nginx
            networks: {dbnet: {aliases: [mariadb], ipv4_address: 172.31.10.5}}
          cache: {image: nginx, networks: [cachenet]}
          minio:
            image: nginx
            networks: {stornet: {}, proxy: {priority: 10}}
          app:
            image: nginx
            networks: [default, dbnet, cachenet, stornet]
            links: ["db:database"]
        networks:
          proxy: {ipam: {config: [{subnet: 172.30.0.0/24}]}}
          dbnet:
            ipam: {config: [{subnet: 172.31.10.0/24, ip_range: 172.31.10.128/25, gateway: 172.31.10.254, aux_addresses: {vip: 172.31.10.250}}]}
            labels: {tier: data}
            driver_opts: {com.docker.network.bridge.name: br-dbnet}
          cachenet: {ipam: {config: [{subnet: 172.31.20.0/24}]}}
          stornet: {}
        """

    func state(_ compose: String, project: String = "", platform: String? = nil) throws -> DesiredState {
        var files = ["projects/vps/compose.yml": compose, "projects/vps/project.yml": project]
        if let platform { files["platform.yml"] = platform }
        let root = Fixtures.repository(files.merging(["platform.yml": "domain: example.test\n"]) { a, _ in a })
        defer { Fixtures.cleanup(root) }
        return try DesiredStateBuilder(repository: Fixtures.load(root)).build()
    }

    @Test func userNetworksKeepTheirSubnetsAndAreInternal() throws {
        let vps = try #require(try state(Self.vps).project("vps"))
        let user = vps.networks.filter { $0.role == .user }
        #expect(user.map(\.name) == ["vps_cachenet", "vps_dbnet", "vps_proxy", "vps_stornet"])
        #expect(user.allSatisfy { $0.isInternal })
        let dbnet = try #require(user.first { $0.name == "vps_dbnet" })
        #expect(dbnet.subnet == "172.31.10.0/24" && dbnet.gateway == "172.31.10.254" && dbnet.ipRange == "172.31.10.128/25")
        #expect(dbnet.auxAddresses == ["vip": "172.31.10.250"] && dbnet.options == ["com.docker.network.bridge.name": "br-dbnet"])
        #expect(dbnet.labels["tier"] == "data" && dbnet.labels["com.docker.compose.network"] == "dbnet" && dbnet.labels["berth.project"] == "vps")
        // A network without ipam gets a subnet from the pool, like Berth's own.
        let stornet = try #require(user.first { $0.name == "vps_stornet" })
        #expect(IPv4Network(parsing: "10.213.0.0/16")!.contains(IPv4Network(parsing: stornet.subnet)!))
        #expect(vps.notes.contains { $0.contains("vps_dbnet 172.31.10.0/24") && $0.contains("are internal: no internet access") && $0.contains("egress.internet") })
    }

    @Test func servicesJoinTheirNetworksWithAliasesAddressesAndLinks() throws {
        let vps = try #require(try state(Self.vps).project("vps"))
        let app = try #require(vps.service("app")?.replicas.first?.networks)
        #expect(app == [
            NetworkAttachment(network: "vps_internal", aliases: ["app"]),
            NetworkAttachment(network: "vps_cachenet", aliases: ["app"]),
            NetworkAttachment(network: "vps_dbnet", aliases: ["app"]),
            NetworkAttachment(network: "vps_stornet", aliases: ["app"]),
        ])
        // links: db:database makes "database" a name of db on the network they share (dbnet).
        #expect(vps.service("db")?.replicas.first?.networks == [
            NetworkAttachment(network: "vps_dbnet", aliases: ["db", "mariadb", "database"], ipv4Address: "172.31.10.5"),
        ])
        #expect(vps.service("db")?.dependsOn == [])
        #expect(vps.service("app")?.dependsOn == ["db"])
        // Not on default: the cache is on cachenet only (Compose's segmentation is kept).
        #expect(vps.service("cache")?.replicas.first?.networks.map(\.network) == ["vps_cachenet"])
        // Highest priority first.
        #expect(vps.service("minio")?.replicas.first?.networks.map(\.network) == ["vps_proxy", "vps_stornet"])
    }

    @Test func aFixedAddressMeansRecreateAndThePlanSaysWhy() throws {
        let vps = try #require(try state(Self.vps).project("vps"))
        let db = try #require(vps.service("db"))
        #expect(db.strategy == .recreate)
        #expect(db.strategyReason == "has the fixed address 172.31.10.5 on network 'dbnet', which old and new replicas cannot hold at once")
        #expect(vps.service("app")?.strategy == .startFirst)
    }

    @Test func aServiceSharingAnotherOnesNetworkFollowsItsHash() throws {
        let compose = { (version: String) in
            "services:\n  vpn: {image: nginx, environment: {V: \"\(version)\"}}\n  web: {image: nginx, network_mode: \"service:vpn\"}\n"
        }
        let one = try #require(try state(compose("1")).project("vps"))
        let vpn = try #require(one.service("vpn"))
        let web = try #require(one.service("web"))
        #expect(web.spec.networkMode == "container:vps-vpn-\(vpn.configHash.prefix(8))-1")
        #expect(web.replicas.first?.networks == [] && web.dependsOn == ["vpn"])
        #expect(one.services.map(\.name) == ["vpn", "web"])
        let two = try #require(try state(compose("2")).project("vps"))
        #expect(two.service("web")?.configHash != web.configHash, "a new vpn replica must recreate web")
        #expect(one.notes.contains { $0.contains("shares the network of service 'vpn'") })
    }

    @Test func networkModesHaveNoBerthNetworks() throws {
        let platform = "domain: example.test\npolicy: {host_network: true}\n"
        let vps = try #require(try state("services:\n  a: {image: nginx, network_mode: none}\n  b: {image: nginx, network_mode: host}\n", platform: platform).project("vps"))
        #expect(vps.service("a")?.replicas.first?.networks == [] && vps.service("b")?.replicas.first?.networks == [])
        #expect(vps.service("b")?.strategy == .recreate)
        #expect(vps.service("b")?.strategyReason.contains("network_mode: host") == true)
    }

    @Test func anOldSharedProxyNetworkMapsToIngress() throws {
        let compose = "services:\n  web: {image: nginx, networks: [traefik, default]}\n  db: {image: nginx}\nnetworks:\n  traefik: {external: true, name: traefik-net}\n"
        let vps = try #require(try state(compose).project("vps"))
        #expect(vps.networks.map(\.name) == ["vps_ingress", "vps_internal"])
        #expect(vps.service("web")?.replicas.first?.networks.map(\.network) == ["vps_ingress", "vps_internal"])
        #expect(vps.service("db")?.replicas.first?.networks.map(\.network) == ["vps_internal"])
        #expect(vps.externalNetworks == [])
        #expect(vps.notes.contains { $0.contains("'traefik-net' is an old shared proxy network") && $0.contains("web joins vps_ingress") })
        // Any other external network is joined as it is, and must exist.
        let lan = "services:\n  web: {image: nginx, networks: [lan]}\nnetworks:\n  lan: {external: true, name: corp-lan}\n"
        let other = try #require(try state(lan).project("vps"))
        #expect(other.externalNetworks == ["corp-lan"] && !other.networks.contains { $0.name == "corp-lan" })
        #expect(other.service("web")?.replicas.first?.networks == [NetworkAttachment(network: "corp-lan", aliases: ["web"])])
    }

    /// Services that use none of the new keys hash exactly as before: the new fields are omitted.
    @Test func servicesWithoutTheNewKeysKeepTheirHash() throws {
        let state = try DesiredStateBuilder(repository: Fixtures.load(Fixtures.homelab)).build()
        let encoder = JSONEncoder()
        for service in state.services {
            let spec = String(decoding: try encoder.encode(service.spec), as: UTF8.self)
            #expect(!spec.contains("\"networks\"") && !spec.contains("networkMode") && !spec.contains("\"links\""), "\(service.name): \(spec)")
            let attachments = String(decoding: try encoder.encode(service.replicas.first?.networks ?? []), as: UTF8.self)
            #expect(!attachments.contains("ipv4Address"))
            #expect(service.configHash == ConfigHash.compute(image: service.spec.image, spec: service.spec, networks: service.replicas.first?.networks ?? []))
        }
        #expect(state.projects.allSatisfy { $0.notes.isEmpty })
    }

    @Test func thePlanCreatesUserNetworksAndCarriesTheNotes() throws {
        let desired = try state(Self.vps)
        let plan = Planner().plan(desired: desired, actual: .empty)
        let created = plan.actions.compactMap { if case .createNetwork(let n) = $0, n.role == .user { n.name } else { nil } }
        #expect(created == ["vps_cachenet", "vps_dbnet", "vps_proxy", "vps_stornet"])
        #expect(plan.notes["vps"]?.first?.contains("internal") == true)
    }
}
