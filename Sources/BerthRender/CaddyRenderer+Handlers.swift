import BerthConfig
import BerthPlan
import Foundation

/// One Caddy route per http route: host (and path) matcher, the middleware chain, then reverse_proxy.
extension CaddyRenderer {
    static func route(_ route: ProxyRoute, platform: PlatformConfig) -> Document {
        var match: [(String, Document)] = [("host", .strings(route.hosts))]
        let base = pathBase(route.path)
        if !base.isEmpty { match.append(("path", .strings([base, "\(base)/*"]))) }
        var handle = route.middlewares.compactMap { platform.middlewares[$0].flatMap { handler($0.kind) } }
        handle.append(reverseProxy(route))
        return .object([
            ("match", .array([.object(match)])),
            ("handle", .array(handle)),
            ("terminal", .bool(true)),
        ])
    }

    static func reverseProxy(_ route: ProxyRoute) -> Document {
        var fields: [(String, Document)] = [
            ("handler", .string("reverse_proxy")),
            ("upstreams", .array(route.upstreams.map { .object([("dial", .string($0.address))]) })),
        ]
        if let health = route.health {
            var active: [(String, Document)] = [
                ("uri", .string(health.path)),
                ("interval", .string(health.interval.description)),
                ("timeout", .string(health.timeout.description)),
            ]
            if let status = health.expectStatus { active.append(("expect_status", .int(status))) }
            fields.append(("health_checks", .object([("active", .object(active))])))
        }
        return .object(fields)
    }

    /// The Caddy handler for a middleware; nil for the kinds stock Caddy lacks (rate_limit).
    static func handler(_ kind: Middleware.Kind) -> Document? {
        switch kind {
        case .headers(let h):
            return headers(h)
        case .rateLimit:
            return nil
        case .compress:
            return .object([
                ("handler", .string("encode")),
                ("encodings", .object([("gzip", .object([])), ("zstd", .object([]))])),
                ("prefer", .strings(["zstd", "gzip"])),
            ])
        case .basicAuth(let auth):
            return basicAuth(auth)
        case .ipAllowList(let ranges):
            // Requests from outside the ranges get 403; the others fall through to the rest of the chain.
            return subroute([.object([
                ("match", .array([.object([("not", .array([.object([("remote_ip", .object([("ranges", .strings(ranges))]))])]))])])),
                ("handle", .array([.object([("handler", .string("static_response")), ("status_code", .int(403))])])),
            ])])
        case .redirectScheme(let scheme, let permanent):
            // Like Traefik's, only requests on the other scheme are redirected.
            return subroute([.object([
                ("match", .array([.object([("protocol", .string(scheme == "https" ? "http" : "https"))])])),
                ("handle", .array([.object([
                    ("handler", .string("static_response")),
                    ("status_code", .int(permanent ? 301 : 302)),
                    ("headers", .object([("Location", .strings(["\(scheme)://{http.request.host}{http.request.uri}"]))])),
                ])])),
            ])])
        case .stripPrefix(let prefixes):
            // Like Traefik's, the first prefix that matches is stripped (routes of one group are exclusive).
            if prefixes.count == 1 { return .object([("handler", .string("rewrite")), ("strip_path_prefix", .string(prefixes[0]))]) }
            return subroute(prefixes.map { prefix in
                .object([
                    ("group", .string("strip_prefix")),
                    ("match", .array([.object([("path", .strings(["\(prefix)*"]))])])),
                    ("handle", .array([.object([("handler", .string("rewrite")), ("strip_path_prefix", .string(prefix))])])),
                ])
            })
        case .maxRequestBody(let bytes):
            return .object([("handler", .string("request_body")), ("max_size", .int(bytes))])
        }
    }

    static func subroute(_ routes: [Document]) -> Document {
        .object([("handler", .string("subroute")), ("routes", .array(routes))])
    }

    /// The same headers Traefik's headers middleware writes. Response headers are deferred so they apply
    /// to the upstream's response instead of being replaced by it; an empty custom value deletes the header.
    static func headers(_ h: Middleware.Headers) -> Document {
        var response: [String: String] = [:]
        if let seconds = h.stsSeconds, seconds > 0 {
            var sts = "max-age=\(seconds)"
            if h.stsIncludeSubdomains { sts += "; includeSubDomains" }
            if h.stsPreload { sts += "; preload" }
            response["Strict-Transport-Security"] = sts
        }
        if h.frameDeny { response["X-Frame-Options"] = "DENY" }
        if h.contentTypeNosniff { response["X-Content-Type-Options"] = "nosniff" }
        if h.browserXSSFilter { response["X-XSS-Protection"] = "1; mode=block" }
        if let policy = h.referrerPolicy { response["Referrer-Policy"] = policy }
        if let csp = h.contentSecurityPolicy { response["Content-Security-Policy"] = csp }
        response.merge(h.customResponseHeaders) { _, custom in custom }
        var fields: [(String, Document)] = [("handler", .string("headers"))]
        if let ops = headerOps(h.customRequestHeaders) { fields.append(("request", ops)) }
        if case .object(var ops)? = headerOps(response) {
            ops.append(("deferred", .bool(true)))
            fields.append(("response", .object(ops)))
        }
        return .object(fields)
    }

    /// `{set, delete}` with sorted names; nil when there is nothing to do.
    static func headerOps(_ headers: [String: String]) -> Document? {
        let names = headers.keys.sorted()
        let set = names.filter { headers[$0]?.isEmpty == false }
        let delete = names.filter { headers[$0]?.isEmpty != false }
        var ops: [(String, Document)] = []
        if !set.isEmpty { ops.append(("set", .object(set.map { ($0, .strings([headers[$0] ?? ""])) }))) }
        if !delete.isEmpty { ops.append(("delete", .strings(delete))) }
        return ops.isEmpty ? nil : .object(ops)
    }

    /// Caddy 2.6 base64-decodes each account's password to get the bcrypt hash (2.8 also takes the hash
    /// as is; base64 works for both). Go's bcrypt accepts htpasswd's `$2y$` hashes.
    static func basicAuth(_ auth: Middleware.BasicAuth) -> Document {
        let accounts: [Document] = auth.users.map { line in
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            let hash = parts.count == 2 ? parts[1] : ""
            return .object([
                ("username", .string(parts.first ?? "")),
                ("password", .string(Data(hash.utf8).base64EncodedString())),
            ])
        }
        var basic: [(String, Document)] = [
            ("hash", .object([("algorithm", .string("bcrypt"))])),
            ("accounts", .array(accounts)),
        ]
        if let realm = auth.realm { basic.append(("realm", .string(realm))) }
        return .object([
            ("handler", .string("authentication")),
            ("providers", .object([("http_basic", .object(basic))])),
        ])
    }
}
