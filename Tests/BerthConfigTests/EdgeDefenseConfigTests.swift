import BerthConfig
import Testing
import TestSupport

/// platform.yml edge defenses: `max_request_body`, rate limits on Caddy, `crowdsec`.
@Suite struct EdgeDefenseConfigTests {
    static let caddyLimit = """
        domain: example.test
        proxy: {kind: caddy}
        middlewares:
          limit: {rate_limit: {average: 5}}
          zip: {compress: {}}

        """

    @Test(arguments: [("1MB", 1 << 20), ("512KB", 512 << 10), ("1048576", 1_048_576), ("2g", 2 << 30), ("100b", 100)])
    func maxRequestBodyTakesASize(_ text: String, _ bytes: Int) throws {
        let p = try Repo.load(["platform.yml": "domain: example.test\nmiddlewares:\n  body: {max_request_body: \(text)}\n"]).platform
        #expect(p.middlewares["body"]?.kind == .maxRequestBody(bytes: bytes))
    }

    /// A route that would go out without its rate limit is refused, named, with what to do.
    @Test func rateLimitOnACaddyRouteIsAnErrorThatSaysWhatToDo() {
        let project = "ingress:\n  - service: web\n    hosts: [a.example.test]\n    port: 80\n    middlewares: [zip, limit]\n"
        let problems = Repo.problems(["platform.yml": Self.caddyLimit, "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 2, 5, "the route of service 'web' uses middleware 'limit' (rate_limit), which the caddy proxy cannot apply")
        #expect(problems.first?.message.contains("remove 'limit' from its 'middlewares', or set proxy.kind: traefik") == true)
    }

    @Test func rateLimitAmongCaddyDefaultMiddlewaresPointsAtThem() {
        let platform = Self.caddyLimit + "default_middlewares: [limit]\n"
        let project = "ingress:\n  - service: web\n    hosts: [a.example.test]\n    port: 80\n"
        let problems = Repo.problems(["platform.yml": platform, "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
        expectSingle(problems, "projects/app/project.yml", 2, 5, "'default_middlewares' in platform.yml (or set 'default_middlewares: false' on the route)")
    }

    /// Defining a rate limit on Caddy is harmless as long as no route uses it.
    @Test func anUnusedRateLimitOnCaddyIsFine() throws {
        let project = "ingress:\n  - service: web\n    hosts: [a.example.test]\n    port: 80\n    middlewares: [zip]\n"
        _ = try Repo.load(["platform.yml": Self.caddyLimit, "projects/app/compose.yml": Repo.webCompose, "projects/app/project.yml": project])
    }

    /// The firewall bouncer works for either proxy, so crowdsec is no longer tied to Traefik.
    @Test func crowdsecLoadsWithCaddyToo() throws {
        let p = try Repo.load(["platform.yml": "domain: example.test\nproxy: {kind: caddy}\ncrowdsec: {enabled: true, lapi_url: \"http://127.0.0.1:18100\"}\n"]).platform
        #expect(p.crowdsec.enabled && p.crowdsec.lapiURL == "http://127.0.0.1:18100")
    }
}
