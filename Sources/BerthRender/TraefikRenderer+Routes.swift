import BerthConfig
import BerthPlan

/// Routers and services of one project's dynamic file. Router and service names are the route's name.
extension TraefikRenderer {
    static func routesDocument(_ routes: [ProxyRoute], platform: PlatformConfig) -> Document {
        var doc: [(String, Document)] = []
        for proto in RouteProtocol.allCases {
            let selected = routes.filter { $0.proto == proto }
            guard !selected.isEmpty else { continue }
            let routers = selected.map { ($0.name, router($0, platform: platform)) }
            let services = selected.map { ($0.name, service($0)) }
            doc.append((proto.rawValue, .object([("routers", .object(routers)), ("services", .object(services))])))
        }
        return .object(doc)
    }

    static func router(_ route: ProxyRoute, platform: PlatformConfig) -> Document {
        switch route.proto {
        case .http:
            var fields: [(String, Document)] = [
                ("entryPoints", .strings([route.tls ? websecureEntrypoint : webEntrypoint])),
                ("rule", .string(httpRule(route))),
                ("priority", .int(priority(route))),
                ("service", .string(route.name)),
            ]
            let chain = middlewareChain(route, platform: platform)
            if !chain.isEmpty { fields.append(("middlewares", .strings(chain))) }
            if route.tls { fields.append(("tls", tls(platform, hosts: route.hosts))) }
            return .object(fields)
        case .tcp:
            var fields: [(String, Document)] = [
                ("entryPoints", .strings(route.entrypoint.map { [$0] } ?? [])),
                ("rule", .string(tcpRule(route))),
                ("service", .string(route.name)),
            ]
            if route.tls { fields.append(("tls", tls(platform, hosts: route.hosts))) }
            return .object(fields)
        case .udp:
            return .object([
                ("entryPoints", .strings(route.entrypoint.map { [$0] } ?? [])),
                ("service", .string(route.name)),
            ])
        }
    }

    /// `{certResolver}` with ACME; otherwise an empty block, which still makes the router TLS-only
    /// (served with Traefik's default certificate). A wildcard host is matched by a regular expression,
    /// from which Traefik cannot tell the certificate's names: `domains` lists them (main + sans).
    static func tls(_ platform: PlatformConfig, hosts: [String] = []) -> Document {
        guard platform.acme.enabled else { return .object([]) }
        var fields: [(String, Document)] = [("certResolver", .string(platform.acme.resolverName))]
        if let main = hosts.first, hosts.contains(where: { $0.hasPrefix("*.") }) {
            var domain: [(String, Document)] = [("main", .string(main))]
            if hosts.count > 1 { domain.append(("sans", .strings(Array(hosts.dropFirst())))) }
            fields.append(("domains", .array([.object(domain)])))
        }
        return .object(fields)
    }

    static func service(_ route: ProxyRoute) -> Document {
        switch route.proto {
        case .http:
            var lb: [(String, Document)] = [
                ("servers", .array(route.upstreams.map { .object([("url", .string("http://\($0.address)"))]) })),
            ]
            if let health = route.health {
                var check: [(String, Document)] = [
                    ("path", .string(health.path)),
                    ("interval", .string(health.interval.description)),
                    ("timeout", .string(health.timeout.description)),
                ]
                // Traefik v3's `status` (the schema predates it but allows it); without it 2xx/3xx are healthy.
                if let status = health.expectStatus { check.append(("status", .int(status))) }
                lb.append(("healthCheck", .object(check)))
            }
            return .object([("loadBalancer", .object(lb))])
        case .tcp, .udp:
            // Traefik's tcp/udp load balancers have no health check; Berth's own probe still gates rollouts.
            return .object([
                ("loadBalancer", .object([
                    ("servers", .array(route.upstreams.map { .object([("address", .string($0.address))]) })),
                ])),
            ])
        }
    }

    /// `Host(`a`) || Host(`b`)`, and `&& PathPrefix(`/x`)` below the root; several hosts are
    /// parenthesised since `&&` binds tighter than `||`.
    static func httpRule(_ route: ProxyRoute) -> String {
        let hosts = route.hosts.map { hostMatcher($0, plain: "Host", regexp: "HostRegexp") }.joined(separator: " || ")
        guard route.path != "/" else { return hosts }
        let matcher = route.hosts.count > 1 ? "(\(hosts))" : hosts
        return "\(matcher) && PathPrefix(`\(route.path)`)"
    }

    /// Without TLS a tcp router cannot see a host name, so it takes every connection on its entrypoint.
    static func tcpRule(_ route: ProxyRoute) -> String {
        guard route.tls, !route.hosts.isEmpty else { return "HostSNI(`*`)" }
        return route.hosts.map { hostMatcher($0, plain: "HostSNI", regexp: "HostSNIRegexp") }.joined(separator: " || ")
    }

    /// `Host(`a.example`)`; a wildcard `*.example` (one label, as in a certificate) as
    /// `HostRegexp(`^[^.]+\.example$`)`, since Traefik v3's `Host` takes no wildcard.
    static func hostMatcher(_ host: String, plain: String, regexp: String) -> String {
        guard host.hasPrefix("*.") else { return "\(plain)(`\(host)`)" }
        let base = host.dropFirst(2).replacingOccurrences(of: ".", with: "\\.")
        return "\(regexp)(`^[^.]+\\.\(base)$`)"
    }

    /// One more than the path prefix's length, so a longer prefix wins whatever its host list. Traefik's
    /// default (the rule's length) would let `Host(a) || Host(b)` outrank `Host(a) && PathPrefix(/admin)`
    /// and serve /admin without the admin route's middlewares. Always above the web redirect's priority 1.
    static func priority(_ route: ProxyRoute) -> Int {
        route.path.utf8.count + 1
    }

    /// The route's chain (http routes only). CrowdSec bans are enforced in the host firewall, not here.
    static func middlewareChain(_ route: ProxyRoute, platform: PlatformConfig) -> [String] {
        guard route.proto == .http else { return [] }
        return route.middlewares
    }
}
