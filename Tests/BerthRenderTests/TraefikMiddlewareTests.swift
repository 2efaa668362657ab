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

    @Test func crowdsecAddsThePluginAndRunsFirstOnEveryHTTPRoute() throws {
        let extra = """
            crowdsec:
              enabled: true
              lapi_url: http://crowdsec.internal:8081
              lapi_key_env: BOUNCER_KEY
              plugin_version: v1.4.2
            """
        let state = try TraefikFixtures.shop(platform: TraefikFixtures.platform(extra: extra))
        let plugin = TraefikRenderer.staticDocument(state.platform)["experimental", "plugins", "crowdsec-bouncer"]
        #expect(plugin == .object([
            ("moduleName", .string("github.com/maxlerebourg/crowdsec-bouncer-traefik-plugin")), ("version", .string("v1.4.2")),
        ]))
        let bouncer = try middlewares(state)["crowdsec", "plugin", "crowdsec-bouncer"]
        #expect(bouncer?["crowdsecLapiScheme"] == .string("http"))
        #expect(bouncer?["crowdsecLapiHost"] == .string("crowdsec.internal:8081"))
        #expect(bouncer?["crowdsecLapiKey"] == .string("{{ env `BOUNCER_KEY` }}"))
        let doc = TraefikRenderer.routesDocument(state.routes, platform: state.platform)
        for route in state.routes where route.proto == .http {
            guard case .array(let chain)? = doc["http", "routers", route.name, "middlewares"] else {
                Issue.record("\(route.name) has no middlewares")
                continue
            }
            #expect(chain.first == .string("crowdsec"), "\(route.name)")
            #expect(chain.filter { $0 == .string("crowdsec") }.count == 1)
        }
        #expect(doc["tcp", "routers", "shop-db-1", "middlewares"] == nil)
    }

    /// The key is read by Traefik's file-provider template from its environment, never written out.
    @Test func crowdsecKeyIsATemplateTheFileQuotesSafely() throws {
        let state = try TraefikFixtures.shop(platform: TraefikFixtures.platform(extra: "crowdsec: {enabled: true}\n"))
        let file = try #require(TraefikRenderer.dynamicConfigs(state).first { $0.path.hasSuffix("_middlewares.yml") })
        #expect(file.contents.contains("crowdsecLapiKey: \"{{ env `CROWDSEC_BOUNCER_KEY` }}\""))
    }

    @Test func crowdsecDisabledLeavesNoTrace() throws {
        let state = try TraefikFixtures.shop()
        #expect(TraefikRenderer.staticDocument(state.platform)["experimental"] == nil)
        #expect(try middlewares(state)["crowdsec"] == nil)
        let all = ([TraefikRenderer.staticConfig(state)] + TraefikRenderer.dynamicConfigs(state)).map(\.contents).joined()
        #expect(!all.contains("crowdsec"))
    }
}
