import Foundation
import Testing
import TestSupport

/// Edge defenses through the real proxies: one platform per proxy kind with one route per middleware
/// kind (plus a plain route as the control), then CrowdSec reading that proxy's access log and its
/// firewall bouncer banning 127.0.0.2 at the edge. The proxy runs on the host network, so it sees
/// 127.0.0.1 and 127.0.0.2 as they are.
extension ApplyE2ETests {
    static let edgeRoutes = ["plain", "headers", "gzip", "redirect", "auth", "lan", "strip", "body", "limit"]

    /// Users for basic_auth: alice's hash made by `htpasswd -B` ($2y$), bob's by Python's bcrypt ($2b$).
    static func edgeUsers() async throws -> [String] {
        let alice = await E2ECommand.run(["htpasswd", "-nbB", "alice", "alice-pw"])
        let bob = await E2ECommand.run(["python3", "-c", "import bcrypt; print('bob:' + bcrypt.hashpw(b'bob-pw', bcrypt.gensalt(4)).decode())"])
        let users = [alice, bob].map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(alice.status == 0 && users[0].hasPrefix("alice:$2y$"), "htpasswd -nbB (apache2-utils): \(alice)")
        try #require(bob.status == 0 && users[1].hasPrefix("bob:$2b$"), "python3 bcrypt: \(bob)")
        return users
    }

    static func edgePlatform(traefik: Bool, users: [String]) -> String {
        E2E.platformYAML(extra: """
            middlewares:
              headers: {headers: {frame_deny: true, content_type_nosniff: true, custom_response_headers: {X-Edge-Test: "on"}}}
              gzip: {compress: {}}
              redirect: {redirect_scheme: {scheme: https, permanent: true}}
              auth: {basic_auth: {users: [\(users.map { "\"\($0)\"" }.joined(separator: ", "))]}}
              lan: {ip_allow_list: {source_range: [127.0.0.1/32]}}
              strip: {strip_prefix: {prefixes: [/strip]}}
              body: {max_request_body: 1KB}
              limit: {rate_limit: {average: 2, burst: 3, period: 1s}}
            crowdsec: {enabled: true, lapi_url: "http://127.0.0.1:\(CrowdSecHarness.lapiPort)"}
            """, traefik: traefik)
    }

    /// One route per middleware (host `<name>.edge.localhost`); `limit` only on Traefik.
    static func edgeProject(traefik: Bool) -> String {
        var text = "ingress:\n"
        for name in edgeRoutes where traefik || name != "limit" {
            text += """
                  - service: web
                    hosts: [\(name).edge.localhost]
                    port: 8080
                    tls: false
                    health: {path: /cgi-bin/health, interval: 1s, timeout: 1s}

                """
            if name != "plain" { text += "    middlewares: [\(name)]\n" }
        }
        return text
    }

    @Test func edgeDefensesAndCrowdSecThroughTraefik() async throws {
        try await edgeDefenses(traefik: true, prefix: "e2eedget-")
    }

    @Test func edgeDefensesAndCrowdSecThroughCaddy() async throws {
        try await edgeDefenses(traefik: false, prefix: "e2eedgec-")
    }

    func edgeDefenses(traefik: Bool, prefix: String) async throws {
        let users = try await Self.edgeUsers()
        try await E2EScenario.run(prefix) { s in
            try s.write("platform.yml", Self.edgePlatform(traefik: traefik, users: users))
            if !traefik {
                // A rate-limited route on Caddy is refused before anything is created, never deployed unprotected.
                try s.project("\(prefix)app", compose: E2E.appCompose(replicas: 1), project: Self.edgeProject(traefik: true))
                let refused = try await s.apply()
                #expect(refused.status == 1, "\(refused)")
                #expect(refused.output.contains("projects/\(prefix)app/project.yml:") && refused.output.contains("uses middleware 'limit' (rate_limit)")
                            && refused.output.contains("or set proxy.kind: traefik"), "\(refused)")
                let left = await E2E.containers(prefix), proxyLeft = await E2E.exists(container: E2E.proxyContainer)
                #expect(left.isEmpty && !proxyLeft)
            }
            try s.project("\(prefix)app", compose: E2E.appCompose(replicas: 1), project: Self.edgeProject(traefik: traefik))
            let apply = try await s.apply()
            try #require(apply.status == 0, "\(apply)")
            try #require(await E2EHTTP.waitFor("plain.edge.localhost") != nil, "the plain route did not answer 200")
            try await Self.checkMiddlewares(traefik: traefik)
            await Self.checkNoDockerSocket()
            try await Self.checkCrowdSec(s, traefik: traefik)
        }
    }

    static func checkMiddlewares(traefik: Bool) async throws {
        // headers: present on the route that has them, absent on the plain one.
        let headers = try E2EHTTP.get("headers.edge.localhost", "/cgi-bin/version")
        #expect(headers.status == 200)
        #expect(headers.headers["x-frame-options"] == "DENY", "\(headers.headers)")
        #expect(headers.headers["x-content-type-options"] == "nosniff")
        #expect(headers.headers["x-edge-test"] == "on")
        #expect(try E2EHTTP.get("plain.edge.localhost", "/cgi-bin/version").headers["x-frame-options"] == nil)

        // compress: gzip when asked, and the body decodes to what the app sent.
        let original = try await E2ECurl.fetch("plain.edge.localhost", "/cgi-bin/request?pad=5000")
        #expect(original.status == 200 && original.body.count > 5000, "\(original)")
        let zipped = try await E2ECurl.fetch("gzip.edge.localhost", "/cgi-bin/request?pad=5000", ["-H", "Accept-Encoding: gzip"])
        #expect(zipped.status == 200 && zipped.headers["content-encoding"] == "gzip", "\(zipped.headers)")
        #expect(zipped.body.count < original.body.count / 4, "gzip body \(zipped.body.count) bytes")
        let decoded = try await E2ECurl.gunzip(zipped.body)
        #expect(decoded == original.body, "the decoded body differs from the app's")
        let unasked = try await E2ECurl.fetch("gzip.edge.localhost", "/cgi-bin/request?pad=5000")
        #expect(unasked.headers["content-encoding"] == nil)

        // redirect_scheme: http → https, same host and path.
        let redirect = try E2EHTTP.get("redirect.edge.localhost", "/cgi-bin/version?x=1")
        #expect([301, 308].contains(redirect.status), "redirect answered \(redirect.status)")
        #expect(redirect.headers["location"]?.hasPrefix("https://redirect.edge.localhost") == true
                    && redirect.headers["location"]?.hasSuffix("/cgi-bin/version?x=1") == true, "\(redirect.headers)")

        // basic_auth: 401 without or with a wrong password; both hash makers' users get in.
        #expect(E2EHTTP.status("auth.edge.localhost", "/cgi-bin/version") == 401)
        #expect(E2EHTTP.status("auth.edge.localhost", "/cgi-bin/version", headers: E2EHTTP.basicAuth("alice", "wrong")) == 401)
        #expect(E2EHTTP.status("auth.edge.localhost", "/cgi-bin/version", headers: E2EHTTP.basicAuth("bob", "alice-pw")) == 401)
        #expect(E2EHTTP.status("auth.edge.localhost", "/cgi-bin/version", headers: E2EHTTP.basicAuth("alice", "alice-pw")) == 200)
        #expect(E2EHTTP.status("auth.edge.localhost", "/cgi-bin/version", headers: E2EHTTP.basicAuth("bob", "bob-pw")) == 200)

        // ip_allow_list: 127.0.0.1/32 is served, 127.0.0.2 is refused.
        #expect(try E2EHTTP.get("lan.edge.localhost", "/cgi-bin/version").status == 200)
        #expect(try E2EHTTP.get("lan.edge.localhost", "/cgi-bin/version", source: "127.0.0.2").status == 403)

        // strip_prefix: the app sees the path without the prefix (it only has /cgi-bin/request).
        let stripped = try E2EHTTP.get("strip.edge.localhost", "/strip/cgi-bin/request")
        #expect(stripped.status == 200 && stripped.body.contains("uri=/cgi-bin/request"), "\(stripped.status) \(stripped.body)")
        #expect(E2EHTTP.status("plain.edge.localhost", "/strip/cgi-bin/request") == 404)

        // max_request_body (1 KB): a larger body is refused with 413; a small one reaches the app.
        let big = try await E2ECurl.fetch("body.edge.localhost", "/cgi-bin/request", ["--data-binary", String(repeating: "x", count: 4096)])
        #expect(big.status == 413, "a 4 KB body answered \(big.status)")
        let small = try await E2ECurl.fetch("body.edge.localhost", "/cgi-bin/request", ["--data-binary", String(repeating: "x", count: 100)])
        #expect(small.status == 200 && String(decoding: small.body, as: UTF8.self).contains("method=POST"), "\(small)")
        let unlimited = try await E2ECurl.fetch("plain.edge.localhost", "/cgi-bin/request", ["--data-binary", String(repeating: "x", count: 4096)])
        #expect(unlimited.status == 200, "a 4 KB body without the middleware answered \(unlimited.status)")

        // rate_limit (Traefik): a bounded burst from 127.0.0.1 gets 429s; 127.0.0.2 is still served.
        if traefik {
            var statuses: [Int] = []
            for _ in 0..<12 { statuses.append(E2EHTTP.status("limit.edge.localhost", "/cgi-bin/version")) }
            #expect(statuses.first == 200 && statuses.contains(429), "burst of 12: \(statuses)")
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
            #expect(try E2EHTTP.get("limit.edge.localhost", "/cgi-bin/version", source: "127.0.0.2").status == 200)
            #expect(E2EHTTP.status("plain.edge.localhost", "/cgi-bin/version") == 200)
        }
    }

    /// The proxy writes routing from Berth and never sees the Docker socket.
    static func checkNoDockerSocket() async {
        let mounts = await E2ECommand.docker(["inspect", "-f", "{{json .Mounts}} {{json .HostConfig.Binds}}", E2E.proxyContainer])
        #expect(mounts.status == 0, "\(mounts)")
        #expect(!mounts.stdout.contains("docker.sock") && !mounts.stdout.contains("/var/run/docker") && !mounts.stdout.contains("/run/docker"),
                "the proxy mounts: \(mounts.stdout)")
        #expect(mounts.stdout.contains("/run/berth") || mounts.stdout.contains("/etc/traefik"), "unexpected mounts: \(mounts.stdout)")
    }

    /// `bridge`: the proxy is published through Docker's userland proxy, so the access log shows the
    /// bridge gateway, but the ban still drops 127.0.0.2 on INPUT (its connection to docker-proxy).
    static func checkCrowdSec(_ s: E2EScenario, traefik: Bool, bridge: Bool = false, host: String = "plain.edge.localhost") async throws {
        try #require(CrowdSecHarness.available, "crowdsec, cscli, crowdsec-firewall-bouncer, ipset or iptables missing: run scripts/setup.sh")
        let platformDir = s.stateDir.appendingPathComponent(E2E.platformName)
        let accessLog = platformDir.appendingPathComponent("proxy/logs/access.log")
        let berth = platformDir.appendingPathComponent("crowdsec")
        // The proxy logs to the file, with the real client address.
        let logged = (try? String(contentsOf: accessLog, encoding: .utf8)) ?? ""
        #expect(bridge || logged.contains("127.0.0.2"), "the access log \(accessLog.path) has no request from 127.0.0.2: \(logged.suffix(500))")

        let cs = CrowdSecHarness()
        do {
            try await Self.crowdsecFlow(cs, berth: berth, accessLog: accessLog, traefik: traefik, bridge: bridge, host: host)
        } catch {
            await cs.stop()
            throw error
        }
        await cs.stop()
        let leftovers = await cs.leftovers()
        #expect(leftovers.isEmpty, "firewall rules or sets left: \(leftovers)")
    }

    static func crowdsecFlow(_ cs: CrowdSecHarness, berth: URL, accessLog: URL, traefik: Bool, bridge: Bool, host: String) async throws {
        try await cs.start(berthDirectory: berth, logType: traefik ? "traefik" : "caddy")
        // CrowdSec follows the file from its end: these lines must be read and parsed.
        for _ in 0..<5 { _ = E2EHTTP.status(host, "/cgi-bin/version") }
        var seen: (read: Int, parsed: Int)?
        let deadline = Deadline(seconds: 20)
        while !deadline.passed {
            seen = await cs.acquisition(of: accessLog.path)
            if let seen, seen.read >= 5 && seen.parsed >= 5 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let metrics = await cs.cscli(["metrics"]).stdout
        let lastLines = ((try? String(contentsOf: accessLog, encoding: .utf8)) ?? "").split(separator: "\n").suffix(2).joined(separator: "\n")
        #expect((seen?.read ?? 0) >= 5 && (seen?.parsed ?? 0) >= 5,
                "cscli metrics for file:\(accessLog.path): \(String(describing: seen))\n\(metrics)\nlast lines:\n\(lastLines)")
        print("[e2e] crowdsec acquisition of \(accessLog.lastPathComponent): \(String(describing: seen))")

        try await cs.startBouncer(berthFile: berth.appendingPathComponent("firewall-bouncer.yaml"), ipset: "berth-\(E2E.platformName)",
                                 chains: bridge ? ["INPUT", "DOCKER-USER"] : ["INPUT"])
        #expect(try E2EHTTP.get(host, "/cgi-bin/version", source: "127.0.0.2").status == 200)

        let added = await cs.cscli(["decisions", "add", "--ip", "127.0.0.2", "--duration", "10m", "--reason", "berth e2e"])
        try #require(added.status == 0, "\(added)")
        let banStart = Stopwatch()
        var blocked = false
        while banStart.seconds < 15 {
            if (try? E2EHTTP.get(host, "/cgi-bin/version", timeout: 1, source: "127.0.0.2")) == nil { blocked = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(blocked, "127.0.0.2 was still served 15 s after the decision\n\(cs.bouncerOutput.suffix(1000))")
        if blocked { print("[e2e] crowdsec ban effective after \(String(format: "%.1f", banStart.seconds)) s") }
        #expect(try E2EHTTP.get(host, "/cgi-bin/version").status == 200, "127.0.0.1 must still be served")

        let deleted = await cs.cscli(["decisions", "delete", "--ip", "127.0.0.2"])
        try #require(deleted.status == 0, "\(deleted)")
        let liftStart = Stopwatch()
        var back = false
        while liftStart.seconds < 15 {
            if (try? E2EHTTP.get(host, "/cgi-bin/version", timeout: 1, source: "127.0.0.2"))?.status == 200 { back = true; break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(back, "127.0.0.2 was not served again 15 s after the decision was deleted")
    }

    /// Bridge-mode proxies of both kinds: no Docker socket either, and CrowdSec bans (INPUT + DOCKER-USER).
    @Test func bridgeProxiesNeverMountTheDockerSocketAndCrowdSecBans() async throws {
        for traefik in [true, false] {
            try await E2EScenario.run("e2esock-") { s in
                let crowdsec = "crowdsec: {enabled: true, lapi_url: \"http://127.0.0.1:\(CrowdSecHarness.lapiPort)\"}"
                let platform = E2E.platformYAML(extra: crowdsec, traefik: traefik)
                    .replacingOccurrences(of: "bind_address: 127.0.0.1", with: "bind_address: 127.0.0.1, network: bridge")
                try s.write("platform.yml", platform)
                try s.project("e2esock-app", compose: E2E.appCompose(replicas: 1), project: E2E.appProject(host: "sock.edge.localhost"))
                let apply = try await s.apply()
                try #require(apply.status == 0, "\(apply)")
                let mode = await E2ECommand.docker(["inspect", "-f", "{{.HostConfig.NetworkMode}}", E2E.proxyContainer])
                #expect(mode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "host", "\(mode)")
                #expect(await E2EHTTP.waitFor("sock.edge.localhost") != nil)
                await Self.checkNoDockerSocket()
                try await Self.checkCrowdSec(s, traefik: traefik, bridge: true, host: "sock.edge.localhost")
            }
        }
    }
}

/// curl for what the socket client does not do: POST bodies and raw (compressed) response bodies.
enum E2ECurl {
    struct Response: CustomStringConvertible {
        var status: Int
        var headers: [String: String]
        var body: Data
        var description: String { "\(status) \(headers) \(String(decoding: body.prefix(200), as: UTF8.self))" }
    }

    static func fetch(_ host: String, _ path: String, _ extra: [String] = []) async throws -> Response {
        let dir = Fixtures.tempDirectory("berth-curl")
        defer { Fixtures.cleanup(dir) }
        let head = dir.appendingPathComponent("head"), body = dir.appendingPathComponent("body")
        // `Expect:` off, so a large body goes out at once and the proxy answers it (no 100-continue).
        let result = await E2ECommand.run(["curl", "-s", "--max-time", "10", "-H", "Host: \(host)", "-H", "Expect:",
                                           "-D", head.path, "-o", body.path, "-w", "%{http_code}"] + extra
                                          + ["http://127.0.0.1:\(E2E.httpPort)\(path)"])
        guard result.status == 0, let status = Int(result.stdout) else { throw E2EFailure("curl \(host)\(path): \(result)") }
        var headers: [String: String] = [:]
        for line in ((try? String(contentsOf: head, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: (try? Data(contentsOf: body)) ?? Data())
    }

    static func gunzip(_ data: Data) async throws -> Data {
        let dir = Fixtures.tempDirectory("berth-gunzip")
        defer { Fixtures.cleanup(dir) }
        let file = dir.appendingPathComponent("body.gz")
        try data.write(to: file)
        let result = await E2ECommand.run(["gzip", "-d", file.path])
        guard result.status == 0 else { throw E2EFailure("gzip -d: \(result)") }
        return try Data(contentsOf: dir.appendingPathComponent("body"))
    }
}
