import BerthPlan

/// Small repositories with `proxy.kind: caddy`: http routes only, what validation accepts for Caddy.
enum CaddyFixtures {
    /// Two hosts at `/`, one host at `/api/` behind auth and an allow-list, and a plain-http route.
    static let shopProject = """
        ingress:
          - service: web
            hosts: [shop.example.test, www.shop.example.test]
            port: 8080
            middlewares: [zip]
            health: {path: /healthz, interval: 15s, timeout: 5s, status: 204}
          - service: web
            host: shop.example.test
            path: /api/
            port: 9090
            middlewares: [strip, auth, lan]
          - service: web
            host: plain.example.test
            port: 8080
            tls: false
            default_middlewares: false
            middlewares: [tohttps, strip2]
        """

    /// `proxy` lines go under `proxy:` (indented by two spaces).
    static func shop(acme: String = "acme:\n  email: ops@example.test\n", proxy: String = "") throws -> DesiredState {
        let platform = TraefikFixtures.platform(acme: acme, extra: "proxy:\n  kind: caddy\n" + proxy)
        return try RenderFixture.state(platform: platform, projects: ["shop": (RenderFixture.compose("web"), shopProject)])
    }
}
