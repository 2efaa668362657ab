import Foundation
import Testing
import TestSupport

/// User-declared networks, `network_mode` and `links`, end to end with real containers.
extension ApplyE2ETests {
    /// The Modular VPS seed's layout: five networks with fixed /24 subnets, services on several.
    static func modularVPSCompose() -> String {
        """
        services:
          gateway:
            image: berth-demo/app:1
            networks:
              proxy: {ipv4_address: 172.30.0.10}
              keycloaknet: {}
          keycloak:
            image: berth-demo/app:1
            networks: [keycloaknet]
          db:
            image: berth-demo/app:1
            networks:
              dbnet: {aliases: [mariadb], ipv4_address: 172.31.10.5}
          cache:
            image: berth-demo/app:1
            networks: [cachenet]
          minio:
            image: berth-demo/app:1
            networks: [stornet, proxy]
          app:
            image: berth-demo/app:1
            networks: [default, dbnet, cachenet, stornet]
            links: ["db:database"]
          fetcher:
            image: berth-demo/app:1
        networks:
          proxy:
            ipam: {config: [{subnet: 172.30.0.0/24}]}
          dbnet:
            ipam: {config: [{subnet: 172.31.10.0/24, ip_range: 172.31.10.128/25}]}
            labels: {tier: data}
          cachenet:
            ipam: {config: [{subnet: 172.31.20.0/24}]}
          stornet:
            ipam: {config: [{subnet: 172.31.30.0/24}]}
          keycloaknet:
            ipam: {config: [{subnet: 172.31.40.0/24}]}
        """
    }

    /// The layout deploys; networks get their fixed subnets and are internal; fixed addresses, aliases
    /// and links resolve; segments isolate (a service reaches only the networks it is on, no internet,
    /// no other project); a second apply changes nothing.
    @Test func modularVPSNetworksDeployWithFixedSubnetsAndIsolate() async throws {
        try await E2EScenario.run("e2enet-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let p = "e2enet-vps"
            try s.write("projects/\(p)/compose.yml", Self.modularVPSCompose())
            try s.write("projects/\(p)/project.yml", "egress:\n  internet: [fetcher]\nrollout: {ready_timeout: 30s}\n")
            try s.project("e2enet-other", compose: E2E.appCompose(service: "web", replicas: 1), project: "rollout: {ready_timeout: 30s}\n")
            let plan = try await s.berth("plan", ["--live"])
            #expect(plan.stdout.contains("note: user networks"), "\(plan.stdout)")
            #expect(plan.stdout.contains("+ network \(p)_dbnet 172.31.10.0/24 (internal)"), "\(plan.stdout)")
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")

            for (name, subnet) in [("proxy", "172.30.0.0/24"), ("dbnet", "172.31.10.0/24"), ("cachenet", "172.31.20.0/24"),
                                   ("stornet", "172.31.30.0/24"), ("keycloaknet", "172.31.40.0/24")] {
                let inspect = await E2ECommand.docker(["network", "inspect", "-f", "{{.Internal}} {{range .IPAM.Config}}{{.Subnet}} {{.IPRange}}{{end}}", "\(p)_\(name)"])
                #expect(inspect.stdout.hasPrefix("true \(subnet)"), "\(name): \(inspect)")
            }
            let dbnet = await E2ECommand.docker(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.IPRange}}{{end}} {{index .Labels \"tier\"}}", "\(p)_dbnet"])
            #expect(dbnet.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "172.31.10.128/25 data", "\(dbnet)")

            let app = try #require(await E2E.runningContainers("\(p)-app-").first)
            let db = try #require(await E2E.runningContainers("\(p)-db-").first)
            let cache = try #require(await E2E.runningContainers("\(p)-cache-").first)
            let gateway = try #require(await E2E.runningContainers("\(p)-gateway-").first)
            #expect(await E2E.address(of: db, on: "\(p)_dbnet") == "172.31.10.5")
            #expect(await E2E.address(of: gateway, on: "\(p)_proxy") == "172.30.0.10")
            // Not on default (Berth's internal network): the file lists only dbnet for db.
            #expect(await E2E.address(of: db, on: "\(p)_internal") == nil)
            #expect(await E2E.address(of: app, on: "\(p)_internal") != nil)

            // The service name, the alias and the link alias resolve to the fixed address.
            for name in ["db", "mariadb", "database"] {
                let lookup = await E2E.exec(app, "nslookup \(name) 127.0.0.11")
                #expect(lookup.stdout.contains("172.31.10.5"), "\(name): \(lookup)")
            }
            let version = await E2E.exec(app, "timeout 5 wget -q -O- http://database:8080/cgi-bin/version")
            #expect(version.status == 0 && version.stdout.contains("version="), "\(version)")
            #expect(await E2E.connects(from: app, to: "cache", port: 8080))

            // Segments isolate: cache is on cachenet only, so db's network is out of reach.
            #expect(await !E2E.canConnect(from: cache, to: "172.31.10.5", port: 8080))
            #expect(await E2E.exec(cache, "nslookup db 127.0.0.11").status != 0)
            // No internet through user networks: "the internet" is a network namespace outside Docker
            // (192.0.2.2, behind the host); the service on egress reaches it, the others do not.
            try await E2EOutside.withListener { address, port in
                let fetcher = try #require(await E2E.runningContainers("\(p)-fetcher-").first)
                #expect(await E2E.canConnect(from: fetcher, to: address, port: port), "the control (egress.internet) must reach the outside")
                for container in [app, db, cache, gateway] {
                    #expect(await !E2E.canConnect(from: container, to: address, port: port), "\(container) reaches the outside")
                }
            }
            // No other project: the other project's web is unreachable from app.
            let other = try #require(await E2E.runningContainers("e2enet-other-web-").first)
            let otherAddress = try #require(await E2E.address(of: other, on: "e2enet-other_internal"))
            #expect(await !E2E.canConnect(from: app, to: otherAddress, port: 8080))

            let again = try await s.berth("plan", ["--live"])
            #expect(again.stdout.contains("No changes"), "the second plan must be empty: \(again.stdout)")
        }
    }

    /// An external `traefik-net` is Berth's ingress (routed through the proxy, the network need not
    /// exist); network_mode service:x shares x's namespace and follows x's rollouts; none has no
    /// network; another external network must exist before anything changes; host is refused unless
    /// policy.host_network allows it.
    @Test func legacyProxyNetworkAndNetworkModes() async throws {
        try await E2EScenario.run("e2enetmode-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            let p = "e2enetmode-app"
            let host = "netmode.e2e.localhost"
            func compose(_ version: String, lan: Bool = false, hostService: Bool = false) -> String {
                var text = """
                    services:
                      web:
                        image: berth-demo/app:1
                        environment: {APP_VERSION: "\(version)"}
                        networks: [traefik, default\(lan ? ", lan" : "")]
                      side:
                        image: berth-demo/app:1
                        command: [httpd, -f, -p, "8081", -h, /www]
                        network_mode: "service:web"
                      sealed:
                        image: berth-demo/app:1
                        network_mode: none

                    """
                if hostService {
                    text += """
                          onhost:
                            image: berth-demo/app:1
                            command: [httpd, -f, -p, "127.0.0.1:18691", -h, /www]
                            network_mode: host

                        """
                }
                text += "networks:\n  traefik: {external: true, name: traefik-net}\n"
                if lan { text += "  lan: {external: true, name: e2enetmode-lan}\n" }
                return text
            }
            try s.write("projects/\(p)/compose.yml", compose("1"))
            try s.write("projects/\(p)/project.yml", E2E.appProject(host: host))
            let first = try await s.apply()
            try #require(first.status == 0, "\(first)")
            #expect(first.stdout.contains("'traefik-net' is an old shared proxy network"), "\(first.stdout)")
            let routed = try #require(await E2EHTTP.waitFor(host), "web is not routed through the proxy")
            #expect(routed.body.contains("version=1"))
            let web = try #require(await E2E.runningContainers("\(p)-web-").first)
            #expect(await E2E.address(of: web, on: "\(p)_ingress") != nil)
            #expect(await !E2E.exists(network: "traefik-net"))

            // side shares web's namespace: web's port 8080 is on its loopback, and side's 8081 is web's.
            let side = try #require(await E2E.runningContainers("\(p)-side-").first)
            let mode = await E2ECommand.docker(["inspect", "-f", "{{.HostConfig.NetworkMode}}", side])
            let webID = await E2ECommand.docker(["inspect", "-f", "{{.Id}}", web]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!webID.isEmpty && mode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "container:\(webID)", "\(mode)")
            #expect(await E2E.exec(side, "timeout 5 wget -q -O- http://127.0.0.1:8080/cgi-bin/version").stdout.contains("version=1"))
            #expect(await E2E.exec(web, "timeout 5 wget -q -O- http://127.0.0.1:8081/ >/dev/null").status == 0)
            let sealed = try #require(await E2E.runningContainers("\(p)-sealed-").first)
            let sealedLinks = await E2E.exec(sealed, "ip -o link | grep -v ' lo:' | wc -l")
            #expect(sealedLinks.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(sealedLinks)")

            // A new web replica: side is recreated after it, in the new replica's namespace.
            try s.write("projects/\(p)/compose.yml", compose("2"))
            let second = try await s.apply()
            try #require(second.status == 0, "\(second)")
            let side2 = try #require(await E2E.runningContainers("\(p)-side-").first)
            #expect(side2 != side)
            #expect(await E2E.exec(side2, "timeout 5 wget -q -O- http://127.0.0.1:8080/cgi-bin/version").stdout.contains("version=2"))

            // Another external network must exist: refused before anything changes.
            let before = await E2E.runningContainers("\(p)-")
            try s.write("projects/\(p)/compose.yml", compose("3", lan: true))
            let missing = try await s.apply()
            #expect(missing.status != 0 && (missing.stdout + missing.stderr).contains("external network 'e2enetmode-lan', which does not exist"), "\(missing)")
            #expect(await E2E.runningContainers("\(p)-") == before, "a refused apply changes nothing")
            let created = await E2ECommand.docker(["network", "create", "--internal", "--subnet", "10.215.250.0/24", "e2enetmode-lan"])
            try #require(created.status == 0, "\(created)")
            let third = try await s.apply()
            try #require(third.status == 0, "\(third)")
            let web3 = try #require(await E2E.runningContainers("\(p)-web-").first)
            #expect(await E2E.address(of: web3, on: "e2enetmode-lan")?.hasPrefix("10.215.250.") == true)

            // Host networking: refused when the policy says false, naming the key; allowed by policy.host_network.
            try s.write("platform.yml", E2E.platformYAML(extra: "policy: {host_network: false}"))
            try s.write("projects/\(p)/compose.yml", compose("3", lan: true, hostService: true))
            let refused = try await s.apply()
            #expect(refused.status != 0 && (refused.stdout + refused.stderr).contains("policy.host_network"), "\(refused)")
            #expect(await E2E.runningContainers("\(p)-onhost-").isEmpty)
            try s.write("platform.yml", E2E.platformYAML(extra: "policy: {host_network: true}"))
            let allowed = try await s.apply()
            try #require(allowed.status == 0, "\(allowed)")
            let onhost = try #require(await E2E.runningContainers("\(p)-onhost-").first)
            #expect(await E2ECommand.docker(["inspect", "-f", "{{.HostConfig.NetworkMode}}", onhost]).stdout.hasPrefix("host"))
            let direct = try? E2EHTTPConnection(port: 18691).get(host: "localhost", path: "/")
            #expect(direct?.status == 200, "the host-network service answers on the host's 127.0.0.1:18691")
        }
    }
}

/// A stand-in for the internet that the test owns: a network namespace behind the host (a veth pair,
/// 10.255.254.0/30), with a TCP listener on 10.255.254.2. Containers reach it only if Docker forwards
/// their traffic out of the host, as it would to the internet.
enum E2EOutside {
    static let namespace = "e2enet-inet"
    static let address = "10.255.254.2"
    static let port = 18699

    static func withListener(_ body: (String, Int) async throws -> Void) async throws {
        await remove()
        let setup = """
            set -e
            if ip -o addr | grep -q ' 10\\.255\\.254\\.'; then echo '10.255.254.0/30 is in use on this host' >&2; exit 1; fi
            ip netns add \(namespace)
            ip link add e2enet-h type veth peer name e2enet-n
            ip link set e2enet-n netns \(namespace)
            ip addr add 10.255.254.1/30 dev e2enet-h
            ip link set e2enet-h up
            ip netns exec \(namespace) ip addr add \(address)/30 dev e2enet-n
            ip netns exec \(namespace) ip link set e2enet-n up
            ip netns exec \(namespace) ip link set lo up
            ip netns exec \(namespace) ip route add default via 10.255.254.1
            """
        let started = await E2ECommand.run(["bash", "-c", setup], timeout: 30)
        try #require(started.status == 0, "could not set up the outside namespace: \(started)")
        // The listener is the test's own child (a background job of a shell would outlive it).
        let script = "import socket\ns = socket.socket()\ns.bind((\"\(address)\", \(port)))\ns.listen(16)\nwhile True:\n    s.accept()[0].close()\n"
        let listener = try E2EBackgroundCommand(executable: URL(fileURLWithPath: "/usr/sbin/ip"),
                                                arguments: ["netns", "exec", namespace, "/usr/bin/python3", "-c", script])
        do {
            var listening = false
            for _ in 0..<50 where !listening {
                listening = await E2ECommand.run(["bash", "-c", "ip netns exec \(namespace) ss -ltn | grep -q ':\(port) '"], timeout: 5).status == 0
                if !listening { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(listening, "the outside listener did not start: \(listener.currentOutput)")
            try await body(address, port)
        } catch {
            listener.kill9()
            await remove()
            throw error
        }
        listener.kill9()
        await remove()
    }

    static func remove() async {
        _ = await E2ECommand.run(["bash", "-c", "ip netns del \(namespace) 2>/dev/null; ip link del e2enet-h 2>/dev/null; true"], timeout: 10)
    }
}
