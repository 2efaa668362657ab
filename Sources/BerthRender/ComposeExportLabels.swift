import BerthConfig
import BerthPlan

/// Traefik Docker-provider labels for the compose export: one router and one service per route,
/// named like the route, with the same rules, priorities and middleware chains as the routes Berth
/// writes for Traefik's file provider (`TraefikRenderer`). Platform middlewares live in that file
/// provider, hence `@file`.
enum ComposeExportLabels {
    /// Labels Berth or Compose set themselves; never written into the export.
    static func isReserved(_ key: String) -> Bool {
        key.hasPrefix("berth.") || key.hasPrefix("com.docker.compose.")
    }

    /// All labels for a service with these routes; empty when it has none.
    static func traefik(routes: [ProxyRoute], network: String, platform: PlatformConfig) -> [String: String] {
        guard !routes.isEmpty else { return [:] }
        var labels = ["traefik.enable": "true", "traefik.docker.network": network]
        for route in routes {
            switch route.proto {
            case .http: labels.merge(http(route, platform: platform)) { _, new in new }
            case .tcp: labels.merge(tcp(route, platform: platform)) { _, new in new }
            case .udp: labels.merge(udp(route)) { _, new in new }
            }
        }
        return labels
    }

    static func http(_ route: ProxyRoute, platform: PlatformConfig) -> [String: String] {
        let router = "traefik.http.routers.\(route.name)"
        let service = "traefik.http.services.\(route.name).loadbalancer"
        var labels = [
            "\(router).rule": TraefikRenderer.httpRule(route),
            // Without it Traefik ranks routers by rule length, and `Host(a) || Host(b)` would take
            // `/admin` away from `Host(a) && PathPrefix(/admin)` and its middlewares.
            "\(router).priority": String(TraefikRenderer.priority(route)),
            "\(router).entrypoints": route.tls ? TraefikRenderer.websecureEntrypoint : TraefikRenderer.webEntrypoint,
            "\(router).service": route.name,
            "\(service).server.port": String(route.port),
        ]
        if route.tls {
            labels["\(router).tls"] = "true"
            if platform.acme.enabled { labels["\(router).tls.certresolver"] = platform.acme.resolverName }
        }
        let chain = TraefikRenderer.middlewareChain(route, platform: platform)
        if !chain.isEmpty {
            labels["\(router).middlewares"] = chain.map { "\($0)@file" }.joined(separator: ",")
        }
        if let health = route.health {
            labels["\(service).healthcheck.path"] = health.path
            labels["\(service).healthcheck.interval"] = health.interval.description
            labels["\(service).healthcheck.timeout"] = health.timeout.description
            if let status = health.expectStatus { labels["\(service).healthcheck.status"] = String(status) }
        }
        return labels
    }

    static func tcp(_ route: ProxyRoute, platform: PlatformConfig) -> [String: String] {
        let router = "traefik.tcp.routers.\(route.name)"
        var labels = [
            "\(router).rule": TraefikRenderer.tcpRule(route),
            "\(router).service": route.name,
            "traefik.tcp.services.\(route.name).loadbalancer.server.port": String(route.port),
        ]
        if let entrypoint = route.entrypoint { labels["\(router).entrypoints"] = entrypoint }
        if route.tls {
            labels["\(router).tls"] = "true"
            if platform.acme.enabled { labels["\(router).tls.certresolver"] = platform.acme.resolverName }
        }
        return labels
    }

    static func udp(_ route: ProxyRoute) -> [String: String] {
        let router = "traefik.udp.routers.\(route.name)"
        var labels = [
            "\(router).service": route.name,
            "traefik.udp.services.\(route.name).loadbalancer.server.port": String(route.port),
        ]
        if let entrypoint = route.entrypoint { labels["\(router).entrypoints"] = entrypoint }
        return labels
    }
}
