import BerthConfig
import BerthPlan
@testable import BerthRender
import Testing

@Suite struct TraefikRendererTests {
    func dynamic(_ state: DesiredState) -> Document {
        TraefikRenderer.routesDocument(state.routes, platform: state.platform)
    }

    @Test func fullFixtureValidatesAgainstSchemas() throws {
        let state = try TraefikFixtures.shop(platform: TraefikFixtures.platform(extra: "crowdsec: {enabled: true}\n"))
        let staticErrors = try SchemaCheck.errors(TraefikRenderer.staticConfig(state).contents, schema: SchemaCheck.traefikStatic)
        #expect(staticErrors.isEmpty, "\(staticErrors.joined(separator: "\n"))")
        let files = TraefikRenderer.dynamicConfigs(state)
        #expect(files.map(\.path) == ["traefik/dynamic/_middlewares.yml", "traefik/dynamic/shop.yml"])
        for file in files {
            let errors = try SchemaCheck.errors(file.contents, schema: SchemaCheck.traefikDynamic)
            #expect(errors.isEmpty, "\(file.path):\n\(errors.joined(separator: "\n"))")
        }
    }

    @Test func httpRulesJoinHostsAndAddThePathPrefix() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        #expect(doc["http", "routers", "shop-web-1", "rule"] == .string("Host(`shop.example.test`) || Host(`www.shop.example.test`)"))
        #expect(doc["http", "routers", "shop-web-2", "rule"] == .string("Host(`shop.example.test`) && PathPrefix(`/api`)"))
        var route = try #require(try TraefikFixtures.shop().routes.first)
        route.path = "/docs"
        #expect(TraefikRenderer.httpRule(route) == "(Host(`shop.example.test`) || Host(`www.shop.example.test`)) && PathPrefix(`/docs`)")
    }

    /// Traefik's default priority is the rule's length; the two-host root rule is longer than the /api
    /// rule and would take /api requests past the api route's auth.
    @Test func longerPathsOutrankShorterRulesWithMoreHosts() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        guard case .int(let root)? = doc["http", "routers", "shop-web-1", "priority"],
              case .int(let api)? = doc["http", "routers", "shop-web-2", "priority"],
              case .int(let plain)? = doc["http", "routers", "shop-web-3", "priority"]
        else { Issue.record("routers have no priority"); return }
        #expect(api > root)
        // Above the web entrypoint's redirect (priority 1), so plain-http routes are served, not redirected.
        #expect(plain > 1)
        let web = TraefikRenderer.staticDocument(try TraefikFixtures.shop().platform)["entryPoints", "web"]
        #expect(web?["http", "redirections", "entryPoint", "priority"] == .int(1))
        #expect(web?["http", "redirections", "entryPoint", "to"] == .string("websecure"))
        #expect(web?["http", "redirections", "entryPoint", "scheme"] == .string("https"))
    }

    @Test func tlsRoutesUseWebsecureAndTheResolverPlainRoutesUseWeb() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        #expect(doc["http", "routers", "shop-web-1", "entryPoints"] == .strings(["websecure"]))
        #expect(doc["http", "routers", "shop-web-1", "tls", "certResolver"] == .string("letsencrypt"))
        #expect(doc["http", "routers", "shop-web-3", "entryPoints"] == .strings(["web"]))
        #expect(doc["http", "routers", "shop-web-3", "tls"] == nil)
    }

    @Test func withoutACMETLSRoutersGetAnEmptyTLSBlockAndNoResolverExists() throws {
        let state = try TraefikFixtures.shop(platform: TraefikFixtures.platform(acme: ""))
        let doc = dynamic(state)
        #expect(doc["http", "routers", "shop-web-1", "tls"] == .object([]))
        #expect(doc["tcp", "routers", "shop-db-2", "tls"] == .object([]))
        let staticDoc = TraefikRenderer.staticDocument(state.platform)
        #expect(staticDoc["certificatesResolvers"] == nil)
        #expect(staticDoc["entryPoints", "websecure", "http"] == nil)
    }

    @Test func tcpRoutersMatchEverySNIWithoutTLSAndTheirHostsWithTLS() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        #expect(doc["tcp", "routers", "shop-db-1", "rule"] == .string("HostSNI(`*`)"))
        #expect(doc["tcp", "routers", "shop-db-1", "entryPoints"] == .strings(["db"]))
        #expect(doc["tcp", "routers", "shop-db-1", "tls"] == nil)
        #expect(doc["tcp", "routers", "shop-db-2", "rule"] == .string("HostSNI(`db.example.test`)"))
        #expect(doc["tcp", "routers", "shop-db-2", "entryPoints"] == .strings(["dbtls"]))
        #expect(doc["tcp", "routers", "shop-db-2", "tls", "certResolver"] == .string("letsencrypt"))
        let address = try #require(doc["tcp", "services", "shop-db-1", "loadBalancer", "servers", "0", "address"]?.stringValue)
        #expect(address.hasPrefix("shop-db-") && address.hasSuffix("-1:5432"))
        #expect(doc["tcp", "routers", "shop-db-1", "middlewares"] == nil)
    }

    @Test func udpRoutesGetARouterAndAnAddressService() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        #expect(doc["udp", "routers", "shop-dns-1"] == .object([
            ("entryPoints", .strings(["dns"])), ("service", .string("shop-dns-1")),
        ]))
        let address = try #require(doc["udp", "services", "shop-dns-1", "loadBalancer", "servers", "0", "address"]?.stringValue)
        #expect(address.hasSuffix("-1:53"))
    }

    @Test func staticConfigDeclaresEntrypointsPerProtocol() throws {
        let doc = TraefikRenderer.staticDocument(try TraefikFixtures.shop().platform)
        #expect(doc["entryPoints"]?.keys == ["web", "websecure", "traefik", "db", "dbtls", "dns"])
        #expect(doc["entryPoints", "web", "address"] == .string(":80"))
        #expect(doc["entryPoints", "websecure", "address"] == .string(":443"))
        #expect(doc["entryPoints", "websecure", "http", "tls", "certResolver"] == .string("letsencrypt"))
        #expect(doc["entryPoints", "db", "address"] == .string(":5432"))
        #expect(doc["entryPoints", "dns", "address"] == .string(":5353/udp"))
        #expect(doc["providers", "file"] == .object([("directory", .string("/etc/traefik/dynamic")), ("watch", .bool(true))]))
        #expect(doc["ping"] == .object([]))
        #expect(doc["accessLog"] == .object([]))
        #expect(doc["experimental"] == nil)
    }

    @Test func staticConfigFollowsProxyAndACMESettings() throws {
        let platform = TraefikFixtures.platform(
            acme: "acme:\n  email: ops@example.test\n  challenge: dns\n  dns_provider: cloudflare\n  resolvers: [1.1.1.1:53]\n  ca: production\n",
            extra: "proxy:\n  http_port: 8080\n  https_port: 8443\n  redirect_to_https: false\n  access_log: false\n")
        let doc = TraefikRenderer.staticDocument(try TraefikFixtures.shop(platform: platform).platform)
        #expect(doc["entryPoints", "web"] == .object([("address", .string(":8080"))]))
        #expect(doc["entryPoints", "websecure", "address"] == .string(":8443"))
        #expect(doc["accessLog"] == nil)
        let acme = doc["certificatesResolvers", "letsencrypt", "acme"]
        #expect(acme?["email"] == .string("ops@example.test"))
        #expect(acme?["caServer"] == .string(ACMEConfig.letsEncryptProduction))
        #expect(acme?["storage"] == .string("/letsencrypt/acme.json"))
        #expect(acme?["dnsChallenge"] == .object([("provider", .string("cloudflare")), ("resolvers", .strings(["1.1.1.1:53"]))]))
        #expect(acme?["httpChallenge"] == nil)
    }

    @Test func healthChecksBecomeLoadBalancerHealthChecks() throws {
        let doc = dynamic(try TraefikFixtures.shop())
        #expect(doc["http", "services", "shop-web-1", "loadBalancer", "healthCheck"] == .object([
            ("path", .string("/healthz")), ("interval", .string("15s")), ("timeout", .string("5s")), ("status", .int(204)),
        ]))
        #expect(doc["http", "services", "shop-web-2", "loadBalancer", "healthCheck"] == nil)
        let url = try #require(doc["http", "services", "shop-web-2", "loadBalancer", "servers", "0", "url"]?.stringValue)
        #expect(url.hasPrefix("http://shop-web-") && url.hasSuffix("-1:9090"))
    }
}
