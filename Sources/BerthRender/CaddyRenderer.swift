import BerthConfig
import BerthPlan

/// Caddy's JSON configuration (what `caddy run --config` reads and the admin API's `/load` takes).
///
/// Two servers: `berth_https` on `proxy.https_port` with the TLS routes, and `berth_http` on
/// `proxy.http_port` with the routes that set `tls: false`. Caddy's automatic HTTPS obtains the
/// certificates for the hosts of `berth_https` and appends the http→https redirects after
/// `berth_http`'s own routes, so plain-http routes keep working. Routes are ordered longest path first.
///
/// Stock Caddy cannot express everything Traefik can: tcp/udp routes and `rate_limit` middlewares are
/// left out, and `warnings(_:)` says what was left out. Validation already rejects them when `proxy.kind`
/// is caddy, and the ACME dns challenge (stock Caddy has no DNS provider modules).
public enum CaddyRenderer {
    public static let httpsServer = "berth_https"
    public static let httpServer = "berth_http"
    /// Where the proxy finds `acme.ca_root` inside its container (the state directory is mounted at /run/berth).
    public static let caRootPath = "/run/berth/acme-ca-root.pem"
    /// Caddy's data directory inside its container (`XDG_DATA_HOME`): certificates live in `caddy/certificates/`.
    public static let dataDirectory = "/data"

    /// `caddy/caddy.json`. What it leaves out is listed by `warnings(_:)`.
    public static func config(_ state: DesiredState, adminListen: String = "localhost:2019") -> RenderedFile {
        RenderedFile(path: "caddy/caddy.json", contents: document(state, adminListen: adminListen).json())
    }

    /// The JSON tree of `config`, for the admin API.
    public static func document(_ state: DesiredState, adminListen: String) -> Document {
        let platform = state.platform
        let routes = orderedHTTPRoutes(state.routes)
        var https: [(String, Document)] = [
            ("listen", .strings([platform.proxy.listenAddress(platform.proxy.httpsPort)])),
            ("routes", .array(routes.filter(\.tls).map { route($0, platform: platform) })),
        ]
        if !platform.proxy.redirectToHTTPS {
            https.append(("automatic_https", .object([("disable_redirects", .bool(true))])))
        }
        var http: [(String, Document)] = [
            ("listen", .strings([platform.proxy.listenAddress(platform.proxy.httpPort)])),
            ("routes", .array(routes.filter { !$0.tls }.map { route($0, platform: platform) })),
        ]
        if platform.proxy.accessLog || platform.crowdsec.enabled {
            https.append(("logs", .object([])))
            http.append(("logs", .object([])))
        }
        var apps: [(String, Document)] = [
            ("http", .object([
                ("http_port", .int(platform.proxy.httpPort)),
                ("https_port", .int(platform.proxy.httpsPort)),
                ("servers", .object([(httpsServer, .object(https)), (httpServer, .object(http))])),
            ])),
        ]
        if let policy = automationPolicy(platform.acme, hosts: routes.filter(\.tls).flatMap(\.hosts)) {
            apps.append(("tls", .object([("automation", .object([("policies", .array([policy]))]))])))
        }
        // Caddy's local CA signs certificates for names no public CA will (localhost, or every name
        // without ACME); it must not try to install its root into the container's trust store.
        apps.append(("pki", .object([
            ("certificate_authorities", .object([("local", .object([("install_trust", .bool(false))]))])),
        ])))
        var top: [(String, Document)] = [("admin", .object([("listen", .string(adminListen))]))]
        if platform.crowdsec.enabled {
            // The access log (JSON, as crowdsecurity/caddy-logs parses it) into the file CrowdSec reads.
            top.append(("logging", .object([("logs", .object([("berth_access", .object([
                ("writer", .object([("output", .string("file")), ("filename", .string(CrowdSecRenderer.proxyLogFile))])),
                ("encoder", .object([("format", .string("json"))])),
                ("include", .strings(["http.log.access"])),
            ]))]))])))
        }
        top.append(("apps", .object(apps)))
        return .object(top)
    }

    /// What `config` leaves out because stock Caddy cannot express it, one sentence each, in route order.
    public static func warnings(_ state: DesiredState) -> [String] {
        let platform = state.platform
        var warnings: [String] = []
        for route in state.routes {
            guard route.proto == .http else {
                warnings.append("route '\(route.name)' (\(route.proto.rawValue)) is not served: Caddy serves http routes only; use proxy.kind traefik")
                continue
            }
            for name in route.middlewares {
                switch platform.middlewares[name]?.kind {
                case .rateLimit:
                    warnings.append("route '\(route.name)': middleware '\(name)' (rate_limit) is not applied: Caddy has no built-in rate limiter")
                case nil:
                    warnings.append("route '\(route.name)': middleware '\(name)' is not defined in platform.yml and is not applied")
                default:
                    break
                }
            }
        }
        return warnings
    }

    /// The http routes, longest path prefix first (stable, so ties keep the model's order).
    static func orderedHTTPRoutes(_ routes: [ProxyRoute]) -> [ProxyRoute] {
        routes.filter { $0.proto == .http }.enumerated()
            .sorted { a, b in
                let (la, lb) = (pathBase(a.element.path).utf8.count, pathBase(b.element.path).utf8.count)
                return la != lb ? la > lb : a.offset < b.offset
            }
            .map(\.element)
    }

    /// The prefix without a trailing slash; empty for `/`.
    static func pathBase(_ path: String) -> String {
        var base = Substring(path)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base)
    }

    /// With ACME: a catch-all policy with the ACME issuer; Caddy's automatic HTTPS derives one policy for
    /// publicly trusted names from it and gives names no public CA signs (e.g. `*.localhost`) its internal
    /// issuer. Without ACME: Caddy's internal issuer for every TLS host, like Traefik's default certificate.
    static func automationPolicy(_ acme: ACMEConfig, hosts: [String]) -> Document? {
        if let email = acme.email {
            var issuer: [(String, Document)] = [("module", .string("acme")), ("ca", .string(acme.ca)), ("email", .string(email))]
            // One challenge, as configured: Caddy would otherwise try TLS-ALPN-01 first, then HTTP-01.
            switch acme.challenge {
            case .http: issuer.append(("challenges", .object([("tls-alpn", .object([("disabled", .bool(true))]))])))
            case .tlsALPN: issuer.append(("challenges", .object([("http", .object([("disabled", .bool(true))]))])))
            case .dns: break  // refused by validation for caddy
            }
            if acme.caRoot != nil { issuer.append(("trusted_roots_pem_files", .strings([caRootPath]))) }
            return .object([("issuers", .array([.object(issuer)]))])
        }
        let subjects = Array(Set(hosts.map { $0.lowercased() })).sorted()
        guard !subjects.isEmpty else { return nil }
        return .object([
            ("subjects", .strings(subjects)),
            ("issuers", .array([.object([("module", .string("internal"))])])),
        ])
    }
}
