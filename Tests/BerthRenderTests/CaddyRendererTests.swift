import BerthConfig
import BerthPlan
@testable import BerthRender
import Foundation
import Testing

@Suite struct CaddyRendererTests {
    func servers(_ state: DesiredState) -> Document? {
        CaddyRenderer.document(state, adminListen: "localhost:2019")["apps", "http", "servers"]
    }

    /// The handler list of the route of `server` whose first host and path are these.
    func handlers(_ state: DesiredState, server: String, host: String, path: String? = nil) throws -> [Document] {
        guard case .array(let routes)? = servers(state)?[server, "routes"] else { throw Failure("no routes in \(server)") }
        let route = routes.first { $0["match", "0", "host", "0"] == .string(host) && $0["match", "0", "path", "0"] == path.map(Document.string) }
        guard case .array(let handle)? = route?["handle"] else { throw Failure("no route for \(host) \(path ?? "")") }
        return handle
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    @Test func tlsRoutesGoToTheHTTPSServerOthersToTheHTTPServer() throws {
        let s = try #require(servers(try CaddyFixtures.shop()))
        #expect(s.keys == ["berth_https", "berth_http"])
        #expect(s["berth_https", "listen"] == .strings([":443"]))
        #expect(s["berth_http", "listen"] == .strings([":80"]))
        #expect(s["berth_https", "routes", "0", "match"] == .array([.object([
            ("host", .strings(["shop.example.test"])), ("path", .strings(["/api", "/api/*"])),
        ])]))
        #expect(s["berth_https", "routes", "1", "match", "0", "host"] == .strings(["shop.example.test", "www.shop.example.test"]))
        #expect(s["berth_https", "routes", "1", "match", "0", "path"] == nil)
        #expect(s["berth_https", "routes", "2"] == nil)
        #expect(s["berth_http", "routes", "0", "match", "0", "host"] == .strings(["plain.example.test"]))
        #expect(s["berth_http", "routes", "0", "terminal"] == .bool(true))
        #expect(s["berth_https", "automatic_https"] == nil)
        #expect(s["berth_https", "logs"] == .object([]))
    }

    @Test func longerPathsComeFirstAndTiesKeepModelOrder() throws {
        var base = try #require(try CaddyFixtures.shop().routes.first)
        let routes = [("a", "/"), ("b", "/x"), ("c", "/long/"), ("d", "/"), ("e", "/yy")].map { name, path in
            base.name = name
            base.path = path
            return base
        }
        #expect(CaddyRenderer.orderedHTTPRoutes(routes).map(\.name) == ["c", "e", "b", "a", "d"])
    }

    @Test func upstreamsAndHealthChecksGoToReverseProxy() throws {
        let state = try CaddyFixtures.shop()
        let proxy = try #require(try handlers(state, server: "berth_https", host: "shop.example.test").last)
        #expect(proxy["handler"] == .string("reverse_proxy"))
        let dial = try #require(proxy["upstreams", "0", "dial"]?.stringValue)
        #expect(dial == state.routes[0].upstreams[0].address && dial.hasSuffix(":8080"))
        #expect(proxy["health_checks", "active"] == .object([
            ("uri", .string("/healthz")), ("interval", .string("15s")), ("timeout", .string("5s")), ("expect_status", .int(204)),
        ]))
        let api = try #require(try handlers(state, server: "berth_https", host: "shop.example.test", path: "/api").last)
        #expect(api["health_checks"] == nil)
    }

    @Test func headersAndCompressionRunBeforeTheProxy() throws {
        let h = try handlers(try CaddyFixtures.shop(), server: "berth_https", host: "shop.example.test")
        #expect(h.map { $0["handler"] } == [.string("headers"), .string("encode"), .string("reverse_proxy")])
        #expect(h[0]["request"] == .object([("set", .object([("X-Forwarded-Proto", .strings(["https"]))]))]))
        #expect(h[0]["response", "set"] == .object([
            ("Content-Security-Policy", .strings(["default-src 'self'"])),
            ("Referrer-Policy", .strings(["no-referrer"])),
            ("Strict-Transport-Security", .strings(["max-age=63072000; includeSubDomains; preload"])),
            ("X-Content-Type-Options", .strings(["nosniff"])),
            ("X-Frame-Options", .strings(["DENY"])),
            ("X-Served-By", .strings(["berth"])),
            ("X-XSS-Protection", .strings(["1; mode=block"])),
        ]))
        // An empty custom value removes the header, as in Traefik; deferred so the upstream's headers are overridden.
        #expect(h[0]["response", "delete"] == .strings(["Server"]))
        #expect(h[0]["response", "deferred"] == .bool(true))
        #expect(h[1]["encodings"] == .object([("gzip", .object([])), ("zstd", .object([]))]))
    }

    @Test func basicAuthAllowListAndStripPrefixMapToCaddyHandlers() throws {
        let h = try handlers(try CaddyFixtures.shop(), server: "berth_https", host: "shop.example.test", path: "/api")
        #expect(h.map { $0["handler"] } == [
            .string("headers"), .string("rewrite"), .string("authentication"), .string("subroute"), .string("reverse_proxy"),
        ])
        #expect(h[1]["strip_path_prefix"] == .string("/api"))
        let basic = h[2]["providers", "http_basic"]
        #expect(basic?["hash"] == .object([("algorithm", .string("bcrypt"))]))
        #expect(basic?["accounts", "0", "username"] == .string("admin"))
        let password = try #require(basic?["accounts", "0", "password"]?.stringValue)
        let hash = String(TraefikFixtures.user.dropFirst("admin:".count))
        #expect(Data(base64Encoded: password).map { String(decoding: $0, as: UTF8.self) } == hash)
        #expect(basic?["realm"] == .string("Staff"))
        let deny = h[3]["routes", "0"]
        #expect(deny?["match", "0", "not", "0", "remote_ip", "ranges"] == .strings(["10.0.0.0/8", "192.168.1.10"]))
        #expect(deny?["handle", "0"] == .object([("handler", .string("static_response")), ("status_code", .int(403))]))
        #expect(deny?["terminal"] == nil)
    }

    @Test func redirectSchemeAndSeveralPrefixesUseExclusiveSubroutes() throws {
        let h = try handlers(try CaddyFixtures.shop(), server: "berth_http", host: "plain.example.test")
        #expect(h.count == 3)
        let redirect = h[0]["routes", "0"]
        #expect(redirect?["match"] == .array([.object([("protocol", .string("http"))])]))
        #expect(redirect?["handle", "0", "status_code"] == .int(302))
        #expect(redirect?["handle", "0", "headers", "Location"] == .strings(["https://{http.request.host}{http.request.uri}"]))
        guard case .array(let strips)? = h[1]["routes"] else { Issue.record("strip2 is not a subroute"); return }
        #expect(strips.map { $0["group"] } == [.string("strip_prefix"), .string("strip_prefix")])
        #expect(strips.map { $0["match", "0", "path"] } == [.strings(["/v1*"]), .strings(["/v2*"])])
        #expect(strips.map { $0["handle", "0", "strip_path_prefix"] } == [.string("/v1"), .string("/v2")])
    }

    @Test func rateLimitsAndTCPAndUDPRoutesAreSkippedWithWarnings() throws {
        let state = try TraefikFixtures.shop()
        #expect(CaddyRenderer.warnings(state) == [
            "route 'shop-web-2': middleware 'limit' (rate_limit) is not applied: Caddy has no built-in rate limiter",
            "route 'shop-db-1' (tcp) is not served: Caddy serves http routes only; use proxy.kind traefik",
            "route 'shop-db-2' (tcp) is not served: Caddy serves http routes only; use proxy.kind traefik",
            "route 'shop-dns-1' (udp) is not served: Caddy serves http routes only; use proxy.kind traefik",
        ])
        let json = CaddyRenderer.config(state).contents
        #expect(!json.contains("shop-db-") && !json.contains("shop-dns-"))
        let h = try handlers(state, server: "berth_https", host: "shop.example.test", path: "/api")
        #expect(h.map { $0["handler"] } == [
            .string("headers"), .string("rewrite"), .string("authentication"), .string("subroute"), .string("reverse_proxy"),
        ])
        #expect(CaddyRenderer.warnings(try CaddyFixtures.shop()).isEmpty)
    }

    @Test func crowdsecIsNotReportedAsNotApplied() throws {
        let platform = TraefikFixtures.platform(extra: "crowdsec: {enabled: true}\n")
        let warnings = CaddyRenderer.warnings(try TraefikFixtures.shop(platform: platform))
        #expect(!warnings.contains { $0.contains("crowdsec") })
    }

    @Test func acmeConfiguresACatchAllACMEIssuer() throws {
        let doc = CaddyRenderer.document(try CaddyFixtures.shop(), adminListen: "localhost:2019")
        #expect(doc["apps", "tls", "automation", "policies"] == .array([.object([
            ("issuers", .array([.object([
                ("module", .string("acme")), ("ca", .string(ACMEConfig.letsEncryptProduction)), ("email", .string("ops@example.test")),
                ("challenges", .object([("tls-alpn", .object([("disabled", .bool(true))]))])),
            ])])),
        ])]))
        #expect(doc["apps", "pki", "certificate_authorities", "local", "install_trust"] == .bool(false))
    }

    /// One challenge as configured (Caddy would try TLS-ALPN-01, then HTTP-01), and the CA's own root.
    @Test func tlsALPNAndACARootShapeTheIssuer() throws {
        var acme = ACMEConfig()
        acme.email = "ops@example.test"
        acme.ca = "https://127.0.0.1:14000/dir"
        acme.challenge = .tlsALPN
        acme.caRoot = "/repo/pebble.pem"
        let policy = try #require(CaddyRenderer.automationPolicy(acme, hosts: ["a.test"]))
        #expect(policy["issuers"] == .array([.object([
            ("module", .string("acme")), ("ca", .string("https://127.0.0.1:14000/dir")), ("email", .string("ops@example.test")),
            ("challenges", .object([("http", .object([("disabled", .bool(true))]))])),
            ("trusted_roots_pem_files", .strings([CaddyRenderer.caRootPath])),
        ])]))
    }

    @Test func withoutACMETheInternalIssuerSignsTheTLSHosts() throws {
        let state = try CaddyFixtures.shop(acme: "", proxy: "  redirect_to_https: false\n  access_log: false\n  https_port: 8443\n")
        let doc = CaddyRenderer.document(state, adminListen: "localhost:2019")
        #expect(doc["apps", "tls", "automation", "policies"] == .array([.object([
            ("subjects", .strings(["shop.example.test", "www.shop.example.test"])),
            ("issuers", .array([.object([("module", .string("internal"))])])),
        ])]))
        let s = try #require(servers(state))
        #expect(s["berth_https", "listen"] == .strings([":8443"]))
        #expect(doc["apps", "http", "https_port"] == .int(8443))
        #expect(s["berth_https", "automatic_https"] == .object([("disable_redirects", .bool(true))]))
        #expect(s["berth_https", "logs"] == nil && s["berth_http", "logs"] == nil)
    }
}
