import BerthPlan

/// Small repositories for the Traefik and Caddy unit tests.
enum TraefikFixtures {
    /// `admin / berth-demo`, as `htpasswd -nbB` prints it.
    static let user = "admin:$2y$06$.6q3nZMAwLruh9heC451de7/WX8.B.VB4ZyVkMppTvXfVgEplv.hW"

    /// A platform with every middleware kind, a tcp entrypoint per mode and a udp one.
    static func platform(acme: String = "acme:\n  email: ops@example.test\n", extra: String = "") -> String {
        """
        domain: example.test
        \(acme)entrypoints:
          db: {port: 5432, protocol: tcp}
          dbtls: {port: 5433, protocol: tcp}
          dns: {port: 5353, protocol: udp}
        middlewares:
          hdrs:
            headers:
              sts_seconds: 63072000
              sts_include_subdomains: true
              sts_preload: true
              frame_deny: true
              content_type_nosniff: true
              browser_xss_filter: true
              referrer_policy: no-referrer
              content_security_policy: "default-src 'self'"
              custom_response_headers: {X-Served-By: berth, Server: ""}
              custom_request_headers: {X-Forwarded-Proto: https}
          limit: {rate_limit: {average: 10, burst: 20, period: 1m}}
          zip: {compress: {}}
          auth: {basic_auth: {users: ["\(user)"], realm: Staff}}
          lan: {ip_allow_list: {source_range: [10.0.0.0/8, 192.168.1.10]}}
          tohttps: {redirect_scheme: {scheme: https, permanent: false}}
          strip: {strip_prefix: {prefixes: [/api]}}
          strip2: {strip_prefix: {prefixes: [/v1, /v2]}}
        default_middlewares: [hdrs]
        \(extra)
        """
    }

    /// Routes: two hosts at `/`, one host at `/api`, plain http, tcp with and without TLS, udp.
    static let shopProject = """
        ingress:
          - service: web
            hosts: [shop.example.test, www.shop.example.test]
            port: 8080
            middlewares: [zip]
            health: {path: /healthz, interval: 15s, timeout: 5s, status: 204}
          - service: web
            host: shop.example.test
            path: /api
            port: 9090
            middlewares: [strip, limit, auth, lan]
          - service: web
            host: plain.example.test
            port: 8080
            tls: false
            default_middlewares: false
            middlewares: [tohttps, strip2]
          - service: db
            protocol: tcp
            entrypoint: db
            port: 5432
            health: {path: /, interval: 10s, timeout: 2s}
          - service: db
            protocol: tcp
            entrypoint: dbtls
            hosts: [db.example.test]
            tls: true
            port: 5432
          - service: dns
            protocol: udp
            entrypoint: dns
            port: 53
        """

    static func shop(platform: String = platform()) throws -> DesiredState {
        try RenderFixture.state(
            platform: platform,
            projects: ["shop": (RenderFixture.compose("db", "dns", "web"), shopProject)])
    }
}
