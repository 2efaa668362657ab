import BerthConfig
import Foundation
import Testing
import TestSupport

/// Compose `networks` (top level and per service), `network_mode` and `links`: read as Compose reads
/// them, checked against the platform's pools and every other network, refused with the reason where
/// Berth cannot honour them.
@Suite struct ComposeNetworksTests {
    /// The Modular VPS seed's layout: five networks with fixed /24 subnets, services on several.
    static let modularVPS = """
        services:
          traefik:
            image: berth-demo/app:1
            networks:
              proxy:
                ipv4_address: 172.30.0.10
          keycloak:
            image: berth-demo/app:1
            networks: [proxy, keycloaknet]
          keycloak-db:
            image: berth-demo/app:1
            networks:
              keycloaknet:
                aliases: [kcdb]
          db:
            image: berth-demo/app:1
            networks:
              dbnet:
                aliases: [mariadb, galera]
                ipv4_address: 172.31.10.5
          cache:
            image: berth-demo/app:1
            networks: [cachenet]
          minio:
            image: berth-demo/app:1
            networks:
              stornet: {}
              proxy: {priority: 10}
          app:
            image: berth-demo/app:1
            networks: [default, dbnet, cachenet, stornet]
            links: ["db:database"]
        networks:
          proxy:
            driver: bridge
            ipam:
              config: [{subnet: 172.30.0.0/24, gateway: 172.30.0.1}]
          dbnet:
            ipam: {driver: default, config: [{subnet: 172.31.10.0/24, ip_range: 172.31.10.128/25, aux_addresses: {vip: 172.31.10.250}}]}
            labels: {tier: data}
            driver_opts: {com.docker.network.bridge.name: br-dbnet}
          cachenet:
            ipam: {config: [{subnet: 172.31.20.0/24}]}
            internal: true
          stornet:
            ipam: {config: [{subnet: 172.31.30.0/24}]}
          keycloaknet:
            ipam: {config: [{subnet: 172.31.40.0/24}]}
        """

    @Test func theModularVPSLayoutLoads() throws {
        let repository = try Repo.load(["projects/vps/compose.yml": Self.modularVPS])
        let compose = try #require(repository.project("vps")?.compose)
        #expect(compose.networks.keys.sorted() == ["cachenet", "dbnet", "keycloaknet", "proxy", "stornet"])
        let dbnet = try #require(compose.networks["dbnet"])
        #expect(dbnet.subnet == "172.31.10.0/24" && dbnet.ipRange == "172.31.10.128/25" && dbnet.auxAddresses == ["vip": "172.31.10.250"])
        #expect(dbnet.labels == ["tier": "data"] && dbnet.driverOpts == ["com.docker.network.bridge.name": "br-dbnet"])
        #expect(compose.networks["proxy"]?.gateway == "172.30.0.1")
        #expect(compose.services["db"]?.networks?["dbnet"] == ServiceNetwork(aliases: ["mariadb", "galera"], ipv4Address: "172.31.10.5"))
        #expect(compose.services["minio"]?.networks?["proxy"]?.priority == 10)
        #expect(compose.services["keycloak"]?.networks?.keys.sorted() == ["keycloaknet", "proxy"])
        #expect(compose.services["app"]?.links == ["db:database"])
        #expect(compose.services["app"]?.joinsDefaultNetwork == true)
        #expect(compose.services["cache"]?.joinsDefaultNetwork == false)
    }

    /// docker-compose 1.29, the reference here, accepts the same file and reads the same subnets.
    @Test func docker_composeReadsTheSameLayout() throws {
        let dir = Fixtures.tempDirectory("berth-networks")
        defer { Fixtures.cleanup(dir) }
        let file = dir.appendingPathComponent("docker-compose.yml")
        try Self.modularVPS.write(to: file, atomically: true, encoding: .utf8)
        let result = try Fixtures.run(["docker-compose", "-f", file.path, "config"], in: dir)
        try #require(result.status == 0, "docker-compose config failed: \(result.output)")
        for subnet in ["172.30.0.0/24", "172.31.10.0/24", "172.31.20.0/24", "172.31.30.0/24", "172.31.40.0/24", "172.31.10.5"] {
            #expect(result.output.contains(subnet), "\(subnet) in \(result.output)")
        }
    }

    @Test(arguments: [
        ("driver: macvlan", 4, 17, "network driver 'macvlan' of network 'seg' is not supported"),
        ("driver: macvlan", 4, 17, "remove 'driver' or set it to bridge"),
        ("enable_ipv6: true", 4, 22, "'enable_ipv6' in network 'seg' is not supported"),
        ("internal: false", 4, 19, "services get internet access only through 'egress.internet'"),
        ("ipam: {config: [{subnet: 172.30.0.5/24}]}", 4, 34, "is not an IPv4 CIDR block with no host bits set"),
        ("ipam: {config: [{subnet: \"fd00::/64\"}]}", 4, 34, "IPv6 subnets are not supported"),
        ("ipam: {config: [{subnet: 172.30.0.0/24, gateway: 172.31.0.1}]}", 4, 58, "'gateway' 172.31.0.1 of network 'seg' must be an address inside its subnet"),
        ("ipam: {config: [{subnet: 172.30.0.0/24, ip_range: 172.30.1.0/25}]}", 4, 59, "'ip_range' 172.30.1.0/25"),
        ("ipam: {config: [{subnet: 172.30.0.0/24}, {subnet: 172.30.1.0/24}]}", 4, 50, "Berth supports one IPv4 subnet per network"),
        ("ipam: {driver: dhcp}", 4, 24, "IPAM driver 'dhcp' of network 'seg' is not supported"),
        ("{external: true, driver: bridge}", 4, 33, "is external, so Berth does not create it"),
        ("labels: {berth.role: x}", 4, 17, "label 'berth.role' in network 'seg' is reserved"),
    ])
    func badNetworkSettingsAreErrors(setting: String, line: Int, column: Int, message: String) {
        let value = setting.hasPrefix("{") ? setting : "{\(setting)}"
        let compose = "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: \(value)\n"
        let problems = Repo.problems(["projects/app/compose.yml": compose])
        expectContains(problems, "projects/app/compose.yml", line, column, message)
    }

    @Test func serviceNetworkMistakesAreErrors() {
        let networks = "networks:\n  seg: {ipam: {config: [{subnet: 172.30.0.0/24}]}}\n  pooled: {}\n"
        func problems(_ service: String) -> [Diagnostic] {
            Repo.problems(["projects/app/compose.yml": "services:\n  web:\n    image: nginx\n\(service)\n\(networks)"])
        }
        expectSingle(problems("    networks: [segg]"), "projects/app/compose.yml", 4, 5, "joins network 'segg', which is not declared", "did you mean 'seg'")
        expectSingle(problems("    networks: {pooled: {ipv4_address: 10.0.0.5}}"), "projects/app/compose.yml", 4, 5, "network 'pooled', which has no fixed subnet")
        expectSingle(problems("    networks: {seg: {ipv4_address: 172.31.0.5}}"), "projects/app/compose.yml", 4, 5, "is not a free host address of network 'seg' (172.30.0.0/24")
        expectSingle(problems("    networks: {seg: {ipv4_address: 172.30.0.1}}"), "projects/app/compose.yml", 4, 5, "gateway 172.30.0.1")
        expectSingle(problems("    networks: {seg: {ipv4_address: 172.30.0.9}}\n    deploy: {replicas: 2}"), "projects/app/compose.yml", 4, 5,
                     "fixed ipv4_address 172.30.0.9 on network 'seg' and 2 replicas")
        expectSingle(problems("    networks: {seg: {ipv6_address: \"fd00::5\"}}"), "projects/app/compose.yml", 4, 22, "'ipv6_address'", "is not supported by berth")
        expectSingle(problems("    networks: [seg]\n    network_mode: none"), "projects/app/compose.yml", 5, 5, "sets both network_mode and networks")
    }

    @Test func twoServicesCannotHoldOneAddress() {
        let compose = """
            services:
              a: {image: nginx, networks: {seg: {ipv4_address: 172.30.0.9}}}
              b: {image: nginx, networks: {seg: {ipv4_address: 172.30.0.9}}}
            networks:
              seg: {ipam: {config: [{subnet: 172.30.0.0/24}]}}
            """
        expectSingle(Repo.problems(["projects/app/compose.yml": compose]), "projects/app/compose.yml", 3, 21,
                     "ipv4_address 172.30.0.9 on network 'seg' is given to both service 'a' and service 'b'")
    }

    @Test func fixedSubnetsMustNotOverlapThePoolsTheDefaultBridgeOrEachOther() {
        let seg = { (subnet: String) in "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: {ipam: {config: [{subnet: \(subnet)}]}}\n" }
        let pool = Repo.problems(["projects/app/compose.yml": seg("10.213.4.0/24")])
        expectSingle(pool, "projects/app/compose.yml", 4, 3, "subnet 10.213.4.0/24 of network 'seg' of project 'app' overlaps the platform's address pool 10.213.0.0/16", "network.pools in platform.yml")
        expectSingle(Repo.problems(["projects/app/compose.yml": seg("172.16.0.0/12")]), "projects/app/compose.yml", 4, 3, "overlaps 172.17.0.0/16, which Docker uses for its default bridge")
        let two = Repo.problems(["projects/a/compose.yml": seg("172.30.0.0/24"), "projects/b/compose.yml": seg("172.30.0.0/23")])
        expectSingle(two, "projects/b/compose.yml", 4, 3, "subnet 172.30.0.0/23 of network 'seg' of project 'b' overlaps subnet 172.30.0.0/24 of network 'seg' of project 'a' (projects/a/compose.yml:4:3)")
        #expect(Repo.problems(["projects/a/compose.yml": seg("172.30.0.0/24"), "projects/b/compose.yml": seg("172.30.1.0/24")]).isEmpty)
    }

    @Test func aNetworkNameTakenTwiceIsAnError() {
        let named = { (name: String) in "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: {name: \(name)}\n" }
        expectSingle(Repo.problems(["projects/a/compose.yml": named("shared"), "projects/b/compose.yml": named("shared")]),
                     "projects/b/compose.yml", 4, 3, "is named 'shared', which is already network 'seg' of project 'a'")
        expectSingle(Repo.problems(["projects/a/compose.yml": named("b_internal"), "projects/b/compose.yml": Repo.webCompose]),
                     "projects/a/compose.yml", 4, 3, "is already Berth's own network of project 'b'")
    }

    @Test func theDefaultNetworkIsBerthsInternalOne() {
        let withSettings = "services:\n  web: {image: nginx}\nnetworks:\n  default: {ipam: {config: [{subnet: 172.30.0.0/24}]}}\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": withSettings]), "projects/app/compose.yml", 4, 3, "network 'default' is Berth's <project>_internal")
        let external = "services:\n  web: {image: nginx}\nnetworks:\n  default: {external: true, name: corp-lan}\n"
        expectSingle(Repo.problems(["projects/app/compose.yml": external]), "projects/app/compose.yml", 4, 3, "network 'default' is external ('corp-lan')")
        let legacy = "services:\n  web: {image: nginx}\nnetworks:\n  default: {external: true, name: traefik-net}\n"
        #expect(Repo.problems(["projects/app/compose.yml": legacy]).isEmpty)
    }

    @Test func networkModeForms() throws {
        #expect(try Repo.service("services:\n  web: {image: nginx, network_mode: none}\n").parsedNetworkMode == .noNetwork)
        let shared = try Repo.service("services:\n  vpn: {image: nginx}\n  web: {image: nginx, network_mode: \"service:vpn\"}\n")
        #expect(shared.parsedNetworkMode == .service("vpn") && shared.implicitDependencies == ["vpn"])
        #expect(try Repo.service("services:\n  web: {image: nginx, network_mode: \"container:gluetun\"}\n").parsedNetworkMode == .container("gluetun"))
        let policy = "domain: example.test\npolicy: {host_network: true}\n"
        #expect(try Repo.service("services:\n  web: {image: nginx, network_mode: host}\n", files: ["platform.yml": policy]).parsedNetworkMode == .host)
    }

    /// A Swarm stack's overlay network is a bridge on one engine (a warning says so); with driver_opts it stays an error.
    @Test func anOverlayNetworkIsABridgeOnOneEngine() throws {
        let compose = "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: {driver: overlay, attachable: true}\n"
        let repository = try Repo.load(["projects/app/compose.yml": compose])
        #expect(repository.project("app")?.compose.networks["seg"]?.driver == "bridge")
        #expect(repository.warnings.contains { $0.message.contains("Swarm 'overlay' driver") })
        let opts = "services:\n  web: {image: nginx, networks: [seg]}\nnetworks:\n  seg: {driver: overlay, driver_opts: {encrypted: \"\"}}\n"
        #expect(Repo.problems(["projects/app/compose.yml": opts]).contains { $0.message.contains("network driver 'overlay'") })
    }

    @Test func hostNetworkingIsGatedByThePolicy() throws {
        let compose = "services:\n  web:\n    image: nginx\n    network_mode: host\n"
        expectSingle(Repo.problems(["platform.yml": "domain: example.test\npolicy: {host_network: false}\n", "projects/app/compose.yml": compose]),
                     "projects/app/compose.yml", 4, 5, "network_mode: host", "'policy.host_network: false' in platform.yml forbids; set it to true")
        let warnings = try Repo.load(["projects/app/compose.yml": compose]).warnings
        #expect(warnings.count == 1 && warnings.first?.message.contains("allowed because 'policy.host_network' is not set") == true, "\(warnings)")
        #expect(Repo.problems(["platform.yml": "domain: example.test\npolicy: {host_network: true}\n", "projects/app/compose.yml": compose]).isEmpty)
        expectSingle(Repo.problems(["platform.yml": "domain: example.test\npolicy: {host_network: yes please}\n"]), "platform.yml", 2, 24, "host_network")
    }

    @Test func networkModeMistakesAreErrors() {
        func problems(_ web: String, others: String = "  vpn: {image: nginx}\n", project: String? = nil) -> [Diagnostic] {
            var files = ["projects/app/compose.yml": "services:\n\(others)  web:\n    image: nginx\n\(web)\n"]
            if let project { files["projects/app/project.yml"] = project }
            return Repo.problems(files)
        }
        expectSingle(problems("    network_mode: bridge"), "projects/app/compose.yml", 5, 5, "network_mode 'bridge' of service 'web' is not supported", "remove network_mode")
        expectSingle(problems("    network_mode: \"service:vpm\""), "projects/app/compose.yml", 5, 5, "names service 'vpm'", "did you mean 'vpn'")
        expectSingle(problems("    network_mode: \"service:vpn\"", others: "  vpn: {image: nginx, deploy: {replicas: 2}}\n"),
                     "projects/app/compose.yml", 5, 5, "which has 2 replicas", "give 'vpn' one replica")
        expectSingle(problems("    network_mode: none\n    ports: [\"8080:80\"]"), "projects/app/compose.yml", 5, 5, "publishes ports with network_mode: none")
        expectSingle(problems("    network_mode: \"service:vpn\"\n    hostname: w"), "projects/app/compose.yml", 5, 5, "cannot set hostname or extra_hosts")
        expectSingle(problems("    network_mode: \"service:vpn\"", project: "ingress:\n  - {service: web, hosts: [w.example.test], port: 80}\n"),
                     "projects/app/compose.yml", 5, 5, "has an ingress route", "route service 'vpn'")
        expectSingle(problems("    network_mode: none", project: "egress:\n  internet: [web]\n"),
                     "projects/app/compose.yml", 5, 5, "is listed under 'egress.internet'")
    }

    @Test func linksNeedAServiceOnASharedNetwork() throws {
        let app = try Repo.service("services:\n  db: {image: nginx}\n  web: {image: nginx, links: [db, \"db:database\"]}\n")
        #expect(app.linkTargets.map { "\($0.service)=\($0.alias)" } == ["db=db", "db=database"])
        let compose = { (links: String) in
            "services:\n  db: {image: nginx, networks: [seg]}\n  web:\n    image: nginx\n    links: \(links)\nnetworks:\n  seg: {}\n"
        }
        expectSingle(Repo.problems(["projects/app/compose.yml": compose("[db]")]), "projects/app/compose.yml", 5, 5, "they share no network")
        expectSingle(Repo.problems(["projects/app/compose.yml": compose("[dbb]")]), "projects/app/compose.yml", 5, 5, "links to 'dbb'", "did you mean 'db'")
    }

    @Test func externalNetworksAndTheLegacyProxyList() throws {
        let compose = "services:\n  web: {image: nginx, networks: [proxy, lan]}\nnetworks:\n  proxy: {external: true, name: traefik-net}\n  lan: {external: true}\n"
        let repository = try Repo.load(["projects/app/compose.yml": compose])
        let project = try #require(repository.project("app"))
        let legacy = repository.platform.network.legacyProxyNetworks
        #expect(NetworkPlan.mappedToIngress(project, legacy) == ["proxy"])
        #expect(NetworkPlan.externalNetworks(project, legacy).map(\.name) == ["lan"])
        // The list is a platform setting.
        let custom = try Repo.load(["platform.yml": "domain: example.test\nnetwork: {legacy_proxy_networks: [lan]}\n", "projects/app/compose.yml": compose])
        let p = try #require(custom.project("app"))
        #expect(NetworkPlan.mappedToIngress(p, custom.platform.network.legacyProxyNetworks) == ["lan"])
    }
}
