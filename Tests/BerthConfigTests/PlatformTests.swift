import BerthConfig
import Testing
import TestSupport

/// platform.yml: defaults, address pools, entrypoints, ACME, CrowdSec and middlewares.
@Suite struct PlatformTests {
    static func platform(_ body: String) -> [String: String] { ["platform.yml": "domain: example.test\n" + body] }

    @Test func defaults() throws {
        let p = try Repo.load([:]).platform
        #expect(p.domain == "example.test")
        #expect(p.proxy.kind == .traefik && p.proxy.image == nil && p.proxy.resolvedImage == "traefik:v3.7")
        #expect(p.proxy.httpPort == 80 && p.proxy.httpsPort == 443 && p.proxy.bindAddress == "0.0.0.0")
        #expect(p.proxy.redirectToHTTPS && p.proxy.accessLog)
        #expect(p.acme.email == nil && !p.acme.enabled && p.acme.ca == ACMEConfig.letsEncryptProduction)
        #expect(p.acme.challenge == .http && p.acme.resolverName == "letsencrypt" && p.acme.storage == "/letsencrypt/acme.json")
        #expect(p.entrypoints.isEmpty && p.middlewares.isEmpty && p.defaultMiddlewares.isEmpty)
        #expect(!p.crowdsec.enabled && p.crowdsec.lapiURL == "http://127.0.0.1:8080")
        #expect(p.network.pools.map(\.description) == ["10.213.0.0/16"] && p.network.subnetPrefix == 26)
        #expect(p.api.listen == "127.0.0.1:7420" && p.api.tokensEnv == "BERTH_API_TOKENS")
        #expect(p.state.backend == .sqlite && p.state.path == "/var/lib/berth/state.sqlite" && p.state.keepDeployments == 5)
    }

    @Test func everyKeyLoads() throws {
        let p = try Repo.load(Self.platform("""
            proxy: {kind: caddy, image: "caddy:2.9", http_port: 8080, https_port: 8443, bind_address: 127.0.0.1,
                    redirect_to_https: false, access_log: false}
            acme: {email: ops@example.test, ca: staging, challenge: tls-alpn, resolvers: [1.1.1.1:53],
                   resolver_name: le, storage: /letsencrypt/le.json}
            entrypoints: {pg: {port: 5432}, dns: {port: 53, protocol: udp}}
            crowdsec: {enabled: false, lapi_url: "http://cs:8080"}
            network: {pools: [10.50.0.0/20, 10.60.0.0/24], subnet_prefix: 28}
            api: {listen: "0.0.0.0:9000", tokens_env: TOKENS}
            state: {backend: postgres, url_env: DB_URL, keep_deployments: 10}
            """)).platform
        #expect(p.proxy.kind == .caddy && p.proxy.resolvedImage == "caddy:2.9" && p.proxy.httpPort == 8080 && p.proxy.httpsPort == 8443)
        #expect(p.proxy.bindAddress == "127.0.0.1" && !p.proxy.redirectToHTTPS && !p.proxy.accessLog)
        #expect(p.acme.enabled && p.acme.ca == ACMEConfig.letsEncryptStaging && p.acme.challenge == .tlsALPN)
        #expect(p.acme.resolvers == ["1.1.1.1:53"] && p.acme.resolverName == "le")
        #expect(p.acme.storage == "/letsencrypt/le.json")
        #expect(p.entrypoints["pg"]?.port == 5432 && p.entrypoints["pg"]?.proto == .tcp && p.entrypoints["dns"]?.proto == .udp)
        #expect(p.crowdsec.lapiURL == "http://cs:8080")
        #expect(p.network.pools.map(\.description) == ["10.50.0.0/20", "10.60.0.0/24"] && p.network.subnetPrefix == 28)
        #expect(p.api.listen == "0.0.0.0:9000" && p.api.tokensEnv == "TOKENS")
        #expect(p.state.backend == .postgres && p.state.urlEnv == "DB_URL" && p.state.keepDeployments == 10)
    }

    struct Case: Sendable, CustomStringConvertible {
        var body: String
        var line: Int
        var column: Int
        var fragment: String
        var description: String { fragment }
    }

    static let poolCases: [Case] = [
        Case(body: "network:\n  pools: [10.213.0.0/28]\n", line: 3, column: 11, fragment: "address pool 10.213.0.0/28 is smaller than one /26 subnet"),
        Case(body: "network:\n  pools: [10.0.0.0/16, 10.0.128.0/17]\n", line: 3, column: 24, fragment: "address pool 10.0.128.0/17 overlaps pool 10.0.0.0/16"),
        Case(body: "network:\n  pools: [172.16.0.0/12]\n", line: 3, column: 11, fragment: "overlaps 172.17.0.0/16, which Docker uses for its default bridge"),
        Case(body: "network:\n  pools:\n    - 10.213.0.1/16\n", line: 4, column: 7, fragment: "no host bits set"),
        Case(body: "network:\n  pools: [10.300.0.0/16]\n", line: 3, column: 11, fragment: "'10.300.0.0/16' in 'network.pools' is not an IPv4 CIDR block"),
        Case(body: "network:\n  pools: []\n", line: 3, column: 10, fragment: "'network.pools' is empty"),
        Case(body: "network:\n  subnet_prefix: 30\n", line: 3, column: 18, fragment: "must be between 16 and 29, found 30"),
    ]

    @Test(arguments: poolCases)
    func addressPoolProblems(_ c: Case) {
        expectSingle(Repo.problems(Self.platform(c.body)), "platform.yml", c.line, c.column, c.fragment)
    }

    @Test func poolTooSmallForTheNetworksProjectsNeed() {
        var files = Self.platform("network:\n  pools: [10.213.0.0/26]\n  subnet_prefix: 26\n")
        files["projects/app/compose.yml"] = Repo.webCompose
        files["projects/app/project.yml"] = "ingress:\n  - service: web\n    hosts: [a.example.test]\n    port: 80\n"
        // app needs app_ingress and app_internal; a /26 pool holds one /26.
        expectSingle(Repo.problems(files), "platform.yml", 3, 3,
                     "the address pool is too small: 2 networks need /26 subnets but the pools hold 1", "add a pool")
    }

    static let otherCases: [Case] = [
        Case(body: "entrypoints:\n  pg: {protocol: tcp}\n", line: 3, column: 7, fragment: "entrypoint 'pg' needs 'port'"),
        Case(body: "entrypoints:\n  pg: {port: 70000}\n", line: 3, column: 14, fragment: "must be between 1 and 65535, found 70000"),
        Case(body: "entrypoints:\n  web: {port: 8000}\n", line: 3, column: 3, fragment: "entrypoint name 'web' is reserved"),
        Case(body: "entrypoints:\n  a: {port: 5432}\n  b: {port: 5432}\n", line: 4, column: 13, fragment: "entrypoint 'b' uses tcp port 5432, already used by entrypoint 'a'"),
        Case(body: "entrypoints:\n  dns: {port: 53, protocol: http}\n", line: 3, column: 29, fragment: "must be tcp or udp, found 'http'"),
        Case(body: "proxy:\n  http_port: 443\n", line: 3, column: 3, fragment: "'http_port' and 'https_port' are both 443"),
        Case(body: "proxy:\n  kind: traefk\n", line: 3, column: 9, fragment: "must be traefik or caddy, found 'traefk' (did you mean 'traefik'?)"),
        Case(body: "proxy:\n  bind_address: localhost\n", line: 3, column: 17, fragment: "'bind_address' must be an IPv4 address"),
        Case(body: "acme:\n  ca: staging\n", line: 3, column: 3, fragment: "'acme' needs 'email'"),
        Case(body: "acme:\n  email: ops@example.test\n  challenge: dns\n", line: 3, column: 3, fragment: "names no 'dns_provider'"),
        Case(body: "acme:\n  email: ops\n", line: 3, column: 10, fragment: "'email' in 'acme' is not an email address: 'ops'"),
        Case(body: "acme:\n  email: ops@example.test\n  ca: letsencrypt\n", line: 4, column: 7, fragment: "must be production, staging or an ACME directory URL"),
        Case(body: "crowdsec:\n  enabled: true\n  plugin_version: v1.3.5\n", line: 4, column: 3, fragment: "is not supported by berth: the Traefik bouncer plugin is gone"),
        Case(body: "crowdsec:\n  lapi_key_env: KEY\n", line: 3, column: 3, fragment: "firewall-bouncer.yaml.local"),
        Case(body: "crowdsec:\n  lapi_url: 127.0.0.1:8080\n", line: 3, column: 13, fragment: "must be an http(s) URL such as http://127.0.0.1:8080"),
        Case(body: "middlewares:\n  big:\n    max_request_body: lots\n", line: 4, column: 23, fragment: "is not a size: write a size such as 1MB"),
        Case(body: "middlewares:\n  big:\n    max_request_body: 0\n", line: 4, column: 23, fragment: "must be at least 1 byte"),
        Case(body: "api:\n  listen: 7420\n", line: 3, column: 11, fragment: "'listen' in 'api' must be HOST:PORT"),
        Case(body: "state:\n  backend: mysql\n", line: 3, column: 12, fragment: "must be sqlite or postgres, found 'mysql'"),
    ]

    @Test(arguments: otherCases)
    func platformProblems(_ c: Case) {
        expectSingle(Repo.problems(Self.platform(c.body)), "platform.yml", c.line, c.column, c.fragment)
    }

    @Test func invalidDomainAndMissingDomain() {
        expectSingle(Repo.problems(["platform.yml": "domain: exa mple.test\n"]), "platform.yml", 1, 9, "'domain' is not a valid DNS name")
        expectSingle(Repo.problems(["platform.yml": "proxy: {kind: traefik}\n"]), "platform.yml", 1, 1, "platform.yml needs 'domain'")
    }

    static let middlewareCases: [Case] = [
        Case(body: "middlewares:\n  both:\n    compress: {}\n    headers: {}\n", line: 4, column: 5, fragment: "middleware 'both' must have exactly one kind"),
        Case(body: "middlewares:\n  limit:\n    rate_limit: {burst: 10}\n", line: 4, column: 17, fragment: "'rate_limit' of middleware 'limit' needs 'average'"),
        Case(body: "middlewares:\n  auth:\n    basic_auth: {users: [\"admin:secret\"]}\n", line: 4, column: 26, fragment: "is not 'name:bcrypt-hash'"),
        Case(body: "middlewares:\n  lan:\n    ip_allow_list: {source_range: [10.0.0.0/8, lan]}\n", line: 4, column: 48, fragment: "'lan' in 'ip_allow_list' of middleware 'lan' is not an IP address or CIDR block"),
        Case(body: "middlewares:\n  strip:\n    strip_prefix: {prefixes: [api]}\n", line: 4, column: 31, fragment: "prefix 'api' of 'strip_prefix' of middleware 'strip' must start with '/'"),
        Case(body: "middlewares:\n  Bad:\n    compress: {}\n", line: 3, column: 3, fragment: "middleware name 'Bad' is invalid"),
        Case(body: "middlewares:\n  h:\n    headers: {frame_deny: yes}\n", line: 4, column: 27, fragment: "'frame_deny' in 'headers' of middleware 'h' must be true or false"),
        Case(body: "middlewares:\n  x:\n    rate_limt: {average: 1}\n", line: 4, column: 5, fragment: "(did you mean 'rate_limit'?)"),
    ]

    @Test(arguments: middlewareCases)
    func middlewareProblems(_ c: Case) {
        expectSingle(Repo.problems(Self.platform(c.body)), "platform.yml", c.line, c.column, c.fragment)
    }

    @Test func middlewaresLoad() throws {
        let p = try Repo.load(Self.platform("""
            middlewares:
              limit: {rate_limit: {average: 50, period: 1m}}
              auth: {basic_auth: {users: ["admin:$2y$05$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"], realm: Ops}}
              https: {redirect_scheme: {}}
            """)).platform
        #expect(p.middlewares["limit"]?.kind == .rateLimit(.init(average: 50, burst: 50, period: .seconds(60))))
        #expect(p.middlewares["auth"]?.kindKey == "basic_auth")
        #expect(p.middlewares["https"]?.kind == .redirectScheme(scheme: "https", permanent: true))
        #expect(p.middlewares["limit"]?.location == Location(file: "platform.yml", line: 3, column: 3))
    }
}
