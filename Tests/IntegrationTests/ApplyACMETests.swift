import Foundation
import Testing
import TestSupport

/// HTTPS with ACME end to end against a real CA (Pebble, started by the test): `berth apply` → the
/// proxy obtains a certificate for every routed TLS host, curl verifies it against Pebble's root,
/// http redirects to https, `tls: false` routes get none, and `berth certs` reads what the proxy stored.
extension ApplyE2ETests {
    static func acmePlatform(_ s: E2EScenario, pebble: E2EPebble, proxy: String, challenge: String, extra: String = "") throws {
        try s.write("pebble-ca.pem", String(contentsOf: pebble.listenerCA, encoding: .utf8))
        try s.write("platform.yml", """
            domain: e2e.localhost
            \(proxy)
            network: {pools: [\(E2E.pool)]}
            acme:
              email: ops@\(E2EPebble.domain)
              ca: \(E2EPebble.directoryURL)
              ca_root: pebble-ca.pem
              challenge: \(challenge)
            \(extra)
            """)
    }

    static func acmeProject(hosts: [String], plain: String) -> String {
        """
        ingress:
          - service: web
            hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]
            port: 8080
            health: {path: /cgi-bin/health, interval: 1s, timeout: 1s}
          - service: web
            hosts: [\(plain)]
            port: 8080
            tls: false

        """
    }

    static func certs(_ s: E2EScenario, environment: [String: String] = [:]) async throws -> [[String: Any]] {
        let result = try await BerthBinary.start(["certs", "--json", "-c", s.repo.path, "--state-dir", s.stateDir.path],
                                                 environment: environment).wait(timeout: 60)
        let entries = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        return try #require(entries, "berth certs --json: \(result)")
    }

    /// Every https host verifies against Pebble's root, http redirects to https on the proxy's https port.
    /// Caddy leaves the port out of its redirect when the https port is its configured `https_port`
    /// (it assumes that port is reached from outside as 443, e.g. behind a port forward): `redirectPort` nil.
    static func expectTrustedHTTPSAndRedirects(_ pebble: E2EPebble, hosts: [String], plain: String, redirectPort: Int? = E2E.httpsPort) async {
        for host in hosts {
            let https = await pebble.waitForTrustedHTTPS(host, "/cgi-bin/version")
            #expect(https.status == 0 && https.stdout.hasPrefix("200"), "curl --cacert <pebble root> https://\(host): \(https)")
            let http = await pebble.curl(host, "/cgi-bin/version", port: E2E.httpPort, scheme: "http")
            let code = http.stdout.prefix(3)
            #expect(["301", "302", "307", "308"].contains(code), "http://\(host) must redirect: \(http)")
            let location = "https://\(host)\(redirectPort.map { ":\($0)" } ?? "")/cgi-bin/version"
            #expect(http.stdout.hasSuffix(" \(location)"), "\(http)")
        }
        let plainHTTP = await pebble.curl(plain, "/cgi-bin/version", port: E2E.httpPort, scheme: "http")
        #expect(plainHTTP.stdout.hasPrefix("200"), "a tls: false route is served over http: \(plainHTTP)")
    }

    /// Traefik, HTTP-01. Pebble's certificates last 1230 s and `certificates_duration: 1` tells Traefik
    /// they are short: it then renews 20 minutes before the end, checking every minute — so the first
    /// check renews, and `berth certs` shows a new serial and a later not-after.
    @Test func traefikObtainsCertificatesFromPebbleOverHTTP01AndRenewsThem() async throws {
        try await E2EPebble.run(validity: 1230) { pebble in
            try await E2EScenario.run("e2eacmet-") { s in
                let hosts = ["a.\(E2EPebble.domain)", "b.\(E2EPebble.domain)"]
                let plain = "plain.\(E2EPebble.domain)"
                try Self.acmePlatform(s, pebble: pebble, proxy: E2E.traefikProxyBlock, challenge: "http", extra: "  certificates_duration: 1")
                try s.project("e2eacmet-web", compose: E2E.appCompose(replicas: 1), project: Self.acmeProject(hosts: hosts, plain: plain))

                let before = try await Self.certs(s)
                #expect(before.map { $0["status"] as? String } == ["missing", "missing"], "before apply: \(before)")

                let apply = try await s.apply()
                try #require(apply.status == 0, "\(apply)")
                await Self.expectTrustedHTTPSAndRedirects(pebble, hosts: hosts, plain: plain)

                let first = try await Self.certs(s)
                #expect(first.map { $0["host"] as? String } == hosts, "only the TLS hosts: \(first)")
                for entry in first {
                    #expect(entry["status"] as? String == "expiring", "a 20-minute certificate is within 14 days of its end: \(entry)")
                    #expect((entry["issuer"] as? String)?.contains("Pebble") == true, "\(entry)")
                    #expect((entry["sans"] as? [String])?.contains(entry["host"] as? String ?? "") == true, "\(entry)")
                }
                let stored = try String(contentsOf: s.stateDir.appendingPathComponent("\(E2E.platformName)/proxy/letsencrypt/acme.json"), encoding: .utf8)
                #expect(stored.contains("\"a.\(E2EPebble.domain)\"") && !stored.contains(plain), "no certificate for the tls: false route")
                let serials = Set(first.compactMap { $0["serial"] as? String })
                let notAfter = first.compactMap { $0["not_after"] as? String }.max() ?? ""

                // Renewal: within Traefik's first check (one minute after it started) plus slack.
                var renewed: [[String: Any]] = []
                let deadline = Deadline(seconds: 150)
                while !deadline.passed {
                    try await Task.sleep(for: .seconds(3))
                    let now = try await Self.certs(s)
                    if now.allSatisfy({ !serials.contains($0["serial"] as? String ?? "") }) { renewed = now; break }
                }
                if renewed.isEmpty {
                    let last = try await Self.certs(s)
                    Issue.record("no renewed certificate within 150 s; last: \(last)")
                    return
                }
                for entry in renewed {
                    #expect((entry["not_after"] as? String ?? "") > notAfter, "the renewed certificate ends later: \(entry)")
                }
                let again = await pebble.waitForTrustedHTTPS(hosts[0], "/cgi-bin/version")
                #expect(again.stdout.hasPrefix("200"), "\(again)")
            }
        }
    }

    /// Traefik, TLS-ALPN-01 (its `tlsChallenge`) on the https port.
    @Test func traefikObtainsCertificatesFromPebbleOverTLSALPN01() async throws {
        try await E2EPebble.run { pebble in
            try await E2EScenario.run("e2eacmea-") { s in
                let hosts = ["alpn.\(E2EPebble.domain)"]
                try Self.acmePlatform(s, pebble: pebble, proxy: E2E.traefikProxyBlock, challenge: "tls-alpn")
                try s.project("e2eacmea-web", compose: E2E.appCompose(replicas: 1), project: Self.acmeProject(hosts: hosts, plain: "plaina.\(E2EPebble.domain)"))
                let apply = try await s.apply()
                try #require(apply.status == 0, "\(apply)")
                let https = await pebble.waitForTrustedHTTPS(hosts[0], "/cgi-bin/version")
                #expect(https.stdout.hasPrefix("200"), "\(https)")
                let certs = try await Self.certs(s)
                #expect(certs.count == 1 && (certs.first?["issuer"] as? String)?.contains("Pebble") == true, "\(certs)")
            }
        }
    }

    /// Caddy, over each challenge alone (the other disabled in the issuer), certificates in Caddy's
    /// data directory under the state directory, so that they survive a recreate of the proxy.
    @Test(arguments: [("tls-alpn", "tls-alpn-01", "http-01"), ("http", "http-01", "tls-alpn-01")])
    func caddyObtainsCertificatesFromPebble(challenge: String, used: String, disabled: String) async throws {
        try await E2EPebble.run { pebble in
            try await E2EScenario.run("e2eacmec-") { s in
                let hosts = ["c.\(E2EPebble.domain)", "d.\(E2EPebble.domain)"]
                let plain = "plainc.\(E2EPebble.domain)"
                let proxy = "proxy: {kind: caddy, image: \(E2E.proxyImage), http_port: \(E2E.httpPort), https_port: \(E2E.httpsPort), bind_address: 127.0.0.1}"
                try Self.acmePlatform(s, pebble: pebble, proxy: proxy, challenge: challenge)
                try s.project("e2eacmec-web", compose: E2E.appCompose(replicas: 1), project: Self.acmeProject(hosts: hosts, plain: plain))
                let apply = try await s.apply()
                try #require(apply.status == 0, "\(apply)")
                await Self.expectTrustedHTTPSAndRedirects(pebble, hosts: hosts, plain: plain, redirectPort: nil)

                let certs = try await Self.certs(s)
                #expect(certs.map { $0["host"] as? String } == hosts, "\(certs)")
                for entry in certs {
                    #expect((entry["issuer"] as? String)?.contains("Pebble") == true, "\(entry)")
                    #expect(entry["status"] as? String == "expiring" || entry["status"] as? String == "ok", "\(entry)")
                }
                let stored = s.stateDir.appendingPathComponent("\(E2E.platformName)/proxy/data/caddy/certificates")
                let issuers = (try? FileManager.default.contentsOfDirectory(atPath: stored.path)) ?? []
                #expect(issuers.contains("127.0.0.1-14000-dir"), "Caddy's certificates are in the state directory: \(issuers)")
                let names = (try? FileManager.default.contentsOfDirectory(atPath: stored.appendingPathComponent("127.0.0.1-14000-dir").path)) ?? []
                #expect(Set(names) == Set(hosts), "a certificate for each TLS host and none for the tls: false route: \(names)")
                let logs = await E2ECommand.docker(["logs", E2E.proxyContainer])
                #expect(logs.output.contains("\"challenge_type\":\"\(used)\""), "the \(used) challenge was used: \(logs.output.suffix(2000))")
                #expect(!logs.output.contains("\"challenge_type\":\"\(disabled)\""), "\(disabled) is disabled")
            }
        }
    }
}

extension ApplyE2ETests {
    /// Traefik, DNS-01 through lego's `rfc2136` provider against a real knot server (Pebble resolves
    /// names and checks the TXT records there), for a wildcard host and its base name. The TSIG
    /// secret is a credential: it comes from berth's environment and reaches only the proxy's.
    @Test func traefikObtainsAWildcardCertificateOverDNS01() async throws {
        try await E2EKnot.run { knot in
            try await E2EPebble.run(dnsServer: E2EKnot.address) { pebble in
                try await E2EScenario.run("e2eacmed-") { s in
                    let hosts = ["*.\(E2EKnot.zone)", E2EKnot.zone]
                    try Self.acmePlatform(s, pebble: pebble, proxy: E2E.traefikProxyBlock, challenge: "dns", extra: """
                          dns_provider: rfc2136
                          dns_credentials: [RFC2136_NAMESERVER, RFC2136_TSIG_KEY, RFC2136_TSIG_SECRET, RFC2136_TSIG_ALGORITHM, RFC2136_SEQUENCE_INTERVAL]
                          resolvers: ["\(E2EKnot.address)"]
                          dns_check_authoritative: false
                        """)
                    try s.project("e2eacmed-web", compose: E2E.appCompose(replicas: 1), project: Self.acmeProject(hosts: hosts, plain: "plain.other.test"))
                    let credentials = ["RFC2136_NAMESERVER": E2EKnot.address, "RFC2136_TSIG_KEY": "\(E2EKnot.keyName).",
                                       "RFC2136_TSIG_SECRET": knot.secret, "RFC2136_TSIG_ALGORITHM": "hmac-sha256.",
                                       // The wildcard and its base share one TXT name: lego sets them one after the
                                       // other, 60 s apart unless told otherwise.
                                       "RFC2136_SEQUENCE_INTERVAL": "1"]
                    // Without the credentials nothing starts: validation names the first missing variable.
                    let refused = try await s.apply()
                    #expect(refused.status == 1 && refused.stderr.contains("'RFC2136_NAMESERVER' is not set"), "\(refused)")
                    #expect(await !E2E.exists(container: E2E.proxyContainer))

                    let apply = try await BerthBinary.start(["apply", "--yes", "-c", s.repo.path, "--state-dir", s.stateDir.path],
                                                            environment: credentials).wait(timeout: 180)
                    try #require(apply.status == 0, "\(apply)")
                    for host in ["one.\(E2EKnot.zone)", "two.\(E2EKnot.zone)", E2EKnot.zone] {
                        let https = await pebble.waitForTrustedHTTPS(host, "/cgi-bin/version")
                        #expect(https.stdout.hasPrefix("200"), "https://\(host): \(https)")
                    }
                    let certs = try await Self.certs(s, environment: credentials)
                    #expect(certs.map { $0["host"] as? String } == hosts, "\(certs)")
                    for entry in certs {
                        #expect(Set(entry["sans"] as? [String] ?? []) == Set(hosts), "one certificate for the wildcard and its base: \(entry)")
                        #expect((entry["issuer"] as? String)?.contains("Pebble") == true, "\(entry)")
                    }
                    // The secret is in no file Berth wrote (rendered config, state) — only in the proxy's environment.
                    let grep = await E2ECommand.run(["grep", "-rlF", knot.secret, s.stateDir.path, s.repo.path])
                    #expect(grep.status == 1 && grep.stdout.isEmpty, "the TSIG secret was written to: \(grep.stdout)")
                    // The clean-up's `berth down` loads the repository too.
                    _ = try await BerthBinary.start(["down", "e2eacmed-web", "-c", s.repo.path, "--state-dir", s.stateDir.path],
                                                    environment: credentials).wait(timeout: 60)
                }
            }
        }
    }
}
