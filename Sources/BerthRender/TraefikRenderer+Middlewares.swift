import BerthConfig
import BerthPlan
import Foundation

/// `_middlewares.yml`: each platform middleware once, by name.
extension TraefikRenderer {
    /// nil when there is nothing to define.
    static func middlewaresDocument(_ platform: PlatformConfig) -> Document? {
        var entries: [(String, Document)] = []
        for name in platform.middlewares.keys.sorted() {
            guard let middleware = platform.middlewares[name] else { continue }
            entries.append((name, self.middleware(middleware.kind)))
        }
        guard !entries.isEmpty else { return nil }
        return .object([("http", .object([("middlewares", .object(entries))]))])
    }

    static func middleware(_ kind: Middleware.Kind) -> Document {
        switch kind {
        case .headers(let h):
            return .object([("headers", headers(h))])
        case .rateLimit(let r):
            return .object([("rateLimit", .object([
                ("average", .int(r.average)), ("burst", .int(r.burst)), ("period", .string(r.period.description)),
            ]))])
        case .compress:
            return .object([("compress", .object([]))])
        case .basicAuth(let auth):
            var fields: [(String, Document)] = [("users", .strings(auth.users))]
            if let realm = auth.realm { fields.append(("realm", .string(realm))) }
            return .object([("basicAuth", .object(fields))])
        case .ipAllowList(let ranges):
            return .object([("ipAllowList", .object([("sourceRange", .strings(ranges))]))])
        case .redirectScheme(let scheme, let permanent):
            return .object([("redirectScheme", .object([("scheme", .string(scheme)), ("permanent", .bool(permanent))]))])
        case .stripPrefix(let prefixes):
            return .object([("stripPrefix", .object([("prefixes", .strings(prefixes))]))])
        case .maxRequestBody(let bytes):
            // Traefik answers 413 to a larger body (announced by Content-Length or streamed).
            return .object([("buffering", .object([("maxRequestBodyBytes", .int(bytes))]))])
        }
    }

    /// Only the fields that are set; false flags are Traefik's defaults and left out.
    static func headers(_ h: Middleware.Headers) -> Document {
        var fields: [(String, Document)] = []
        if !h.customRequestHeaders.isEmpty { fields.append(("customRequestHeaders", .sorted(h.customRequestHeaders))) }
        if !h.customResponseHeaders.isEmpty { fields.append(("customResponseHeaders", .sorted(h.customResponseHeaders))) }
        if let seconds = h.stsSeconds { fields.append(("stsSeconds", .int(seconds))) }
        if h.stsIncludeSubdomains { fields.append(("stsIncludeSubdomains", .bool(true))) }
        if h.stsPreload { fields.append(("stsPreload", .bool(true))) }
        if h.frameDeny { fields.append(("frameDeny", .bool(true))) }
        if h.contentTypeNosniff { fields.append(("contentTypeNosniff", .bool(true))) }
        if h.browserXSSFilter { fields.append(("browserXssFilter", .bool(true))) }
        if let csp = h.contentSecurityPolicy { fields.append(("contentSecurityPolicy", .string(csp))) }
        if let policy = h.referrerPolicy { fields.append(("referrerPolicy", .string(policy))) }
        return .object(fields)
    }
}
