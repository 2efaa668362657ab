import BerthConfig
import BerthPlan
@testable import BerthRender
import Testing

@Suite struct TraefikMiddlewareTests {
    func middlewares(_ state: DesiredState) throws -> Document {
        try #require(TraefikRenderer.middlewaresDocument(state.platform)?["http", "middlewares"])
    }

    @Test func everyKindMapsToItsTraefikMiddleware() throws {
        let m = try middlewares(try TraefikFixtures.shop())
        #expect(m.keys == ["auth", "hdrs", "lan", "limit", "strip", "strip2", "tohttps", "zip"])
        #expect(m["hdrs"] == .object([("headers", .object([
            ("customRequestHeaders", .object([("X-Forwarded-Proto", .string("https"))])),
            ("customResponseHeaders", .object([("Server", .string("")), ("X-Served-By", .string("berth"))])),
            ("stsSeconds", .int(63_072_000)),
            ("stsIncludeSubdomains", .bool(true)),
            ("stsPreload", .bool(true)),
            ("frameDeny", .bool(true)),
            ("contentTypeNosniff", .bool(true)),
            ("browserXssFilter", .bool(true)),
            ("contentSecurityPolicy", .string("default-src 'self'")),
            ("referrerPolicy", .string("no-referrer")),
        ]))]))
        #expect(m["limit"] == .object([("rateLimit", .object([("average", .int(10)), ("burst", .int(20)), ("period", .string("1m"))]))]))
        #expect(m["zip"] == .object([("compress", .object([]))]))
        #expect(m["auth"] == .object([("basicAuth", .object([("users", .strings([TraefikFixtures.user])), ("realm", .string("Staff"))]))]))
        #expect(m["lan"] == .object([("ipAllowList", .object([("sourceRange", .strings(["10.0.0.0/8", "192.168.1.10"]))]))]))
        #expect(m["tohttps"] == .object([("redirectScheme", .object([("scheme", .string("https")), ("permanent", .bool(false))]))]))
        #expect(m["strip"] == .object([("stripPrefix", .object([("prefixes", .strings(["/api"]))]))]))
    }

    @Test func routersReferenceTheChainByNameDefaultsFirst() throws {
        let doc = TraefikRenderer.routesDocument(try TraefikFixtures.shop().routes, platform: try TraefikFixtures.shop().platform)
        #expect(doc["http", "routers", "shop-web-1", "middlewares"] == .strings(["hdrs", "zip"]))
        #expect(doc["http", "routers", "shop-web-2", "middlewares"] == .strings(["hdrs", "strip", "limit", "auth", "lan"]))
        // default_middlewares: false
        #expect(doc["http", "routers", "shop-web-3", "middlewares"] == .strings(["tohttps", "strip2"]))
        // Definitions live in the shared file only, so no two files define the same name.
        #expect(doc["http", "middlewares"] == nil)
    }

    @Test func noMiddlewareFileWhenNothingIsDefined() throws {
        let state = try RenderFixture.state(
            platform: "domain: example.test\n",
            projects: ["web": (RenderFixture.compose("app"), "ingress:\n  - service: app\n    hosts: [web.example.test]\n    port: 80\n")])
        #expect(TraefikRenderer.dynamicConfigs(state).map(\.path) == ["traefik/dynamic/web.yml"])
        let doc = TraefikRenderer.routesDocument(state.routes, platform: state.platform)
        #expect(doc["http", "routers", "web-app-1", "middlewares"] == nil)
    }

    /// CrowdSec bans are enforced in the host firewall: Traefik only writes its access log to the file
    /// CrowdSec reads; no plugin, no middleware, route chains unchanged.
    @Test func crowdsecWritesTheAccessLogToAFileAndAddsNoMiddleware() throws {
        let state = try TraefikFixtures.shop(platform: TraefikFixtures.platform(extra: "crowdsec: {enabled: true}\n"))
        let doc = TraefikRenderer.staticDocument(state.platform)
        #expect(doc["accessLog"] == .object([("filePath", .string("/var/log/berth/access.log"))]))
        #expect(doc["experimental"] == nil)
        #expect(try middlewares(state)["crowdsec"] == nil)
        let routes = TraefikRenderer.routesDocument(state.routes, platform: state.platform)
        #expect(routes["http", "routers", "shop-web-1", "middlewares"] == .strings(["hdrs", "zip"]))
    }

    @Test func crowdsecDisabledLeavesNoTrace() throws {
        let state = try TraefikFixtures.shop()
        #expect(TraefikRenderer.staticDocument(state.platform)["experimental"] == nil)
        #expect(try middlewares(state)["crowdsec"] == nil)
        let all = ([TraefikRenderer.staticConfig(state)] + TraefikRenderer.dynamicConfigs(state)).map(\.contents).joined()
        #expect(!all.contains("crowdsec"))
    }
}
