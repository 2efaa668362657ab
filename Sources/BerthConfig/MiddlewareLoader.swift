/// Reads the `middlewares` mapping of platform.yml: each name holds exactly one kind.
struct MiddlewareLoader {
    let sink: DiagnosticSink

    func load(_ value: YAMLValue) -> [String: Middleware] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "'middlewares' must be a mapping of names, found \(value.kindName)")
            return [:]
        }
        var result: [String: Middleware] = [:]
        for entry in entries {
            let name = entry.key.text
            if !Names.isServiceName(name) {
                sink.error(entry.key.location, "middleware name '\(name)' is invalid: use lowercase letters, digits, '-' and '_'")
            }
            let what = "middleware '\(name)'"
            guard let f = Fields(entry.value, what: what, known: Middleware.kindKeys, sink: sink) else { continue }
            guard f.keys.count == 1, let key = f.keys.first else {
                // Keys that are all unknown were reported one by one already.
                var written = 0
                if case .mapping(let list, _) = entry.value { written = list.count }
                if !(f.keys.isEmpty && written > 0) {
                    sink.error(entry.value.location, "\(what) must have exactly one kind (\(Middleware.kindKeys.joined(separator: ", "))), found \(f.keys.count)")
                }
                continue
            }
            if let kind = kind(key, f) {
                result[name] = Middleware(name: name, kind: kind, location: entry.key.location)
            }
        }
        return result
    }

    private func kind(_ key: String, _ parent: Fields) -> Middleware.Kind? {
        let what = "'\(key)' of \(parent.what)"
        switch key {
        case "compress":
            if parent[key] != nil { _ = Fields(parent[key], what: what, known: [], sink: sink) }
            return .compress
        case "headers":
            guard let f = parent.fields(key, known: [
                "sts_seconds", "sts_include_subdomains", "sts_preload", "frame_deny", "content_type_nosniff",
                "browser_xss_filter", "referrer_policy", "content_security_policy", "custom_response_headers",
                "custom_request_headers",
            ], what: what) else { return .headers(Middleware.Headers()) }
            var h = Middleware.Headers()
            h.stsSeconds = f.int("sts_seconds", in: 0...(10 * 365 * 86400))
            h.stsIncludeSubdomains = f.bool("sts_include_subdomains") ?? false
            h.stsPreload = f.bool("sts_preload") ?? false
            h.frameDeny = f.bool("frame_deny") ?? false
            h.contentTypeNosniff = f.bool("content_type_nosniff") ?? false
            h.browserXSSFilter = f.bool("browser_xss_filter") ?? false
            h.referrerPolicy = f.string("referrer_policy")
            h.contentSecurityPolicy = f.string("content_security_policy")
            h.customResponseHeaders = (f.stringMap("custom_response_headers") ?? [:]).mapValues { $0 ?? "" }
            h.customRequestHeaders = (f.stringMap("custom_request_headers") ?? [:]).mapValues { $0 ?? "" }
            return .headers(h)
        case "rate_limit":
            guard let f = parent.fields(key, known: ["average", "burst", "period"], what: what) else {
                parent.error(key, "\(what) needs 'average'")
                return nil
            }
            guard let average = f.int("average", in: 1...1_000_000) else {
                if !f.has("average") { sink.error(f.location, "\(what) needs 'average'") }
                return nil
            }
            let period = f.duration("period") ?? .seconds(1)
            if period.milliseconds <= 0 { f.error("period", "'period' of \(what) must be positive") }
            return .rateLimit(.init(average: average, burst: f.int("burst", in: 1...1_000_000) ?? average, period: period))
        case "basic_auth":
            guard let f = parent.fields(key, known: ["users", "realm"], what: what), let users = f.stringItems("users") else {
                parent.error(key, "\(what) needs 'users' (lines of user:bcrypt-hash, as `htpasswd -nbB user password` prints)")
                return nil
            }
            for (user, location) in users {
                let parts = user.split(separator: ":", maxSplits: 1)
                let hash = parts.count == 2 ? String(parts[1]) : ""
                if parts.count != 2 || !(hash.hasPrefix("$2y$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$")) || hash.count != 60 {
                    sink.error(location, "a user of \(what) is not 'name:bcrypt-hash' (create one with `htpasswd -nbB name password`)")
                }
            }
            if users.isEmpty { f.error("users", "'users' of \(what) is empty") }
            return .basicAuth(.init(users: users.map(\.text), realm: f.string("realm")))
        case "ip_allow_list":
            guard let f = parent.fields(key, known: ["source_range"], what: what), let ranges = f.stringItems("source_range") else {
                parent.error(key, "\(what) needs 'source_range'")
                return nil
            }
            for (range, location) in ranges where IPv4Network(parsing: range) == nil && IPv4Network.parseAddress(range) == nil && !range.contains(":") {
                sink.error(location, "'\(range)' in \(what) is not an IP address or CIDR block")
            }
            if ranges.isEmpty { f.error("source_range", "'source_range' of \(what) is empty") }
            return .ipAllowList(sourceRange: ranges.map(\.text))
        case "redirect_scheme":
            let f = parent.fields(key, known: ["scheme", "permanent"], what: what)
            let scheme = f?.string("scheme") ?? "https"
            if !["http", "https"].contains(scheme) { f?.error("scheme", "'scheme' of \(what) must be http or https") }
            return .redirectScheme(scheme: scheme, permanent: f?.bool("permanent") ?? true)
        case "strip_prefix":
            guard let f = parent.fields(key, known: ["prefixes"], what: what), let prefixes = f.stringItems("prefixes") else {
                parent.error(key, "\(what) needs 'prefixes'")
                return nil
            }
            for (prefix, location) in prefixes where !prefix.hasPrefix("/") {
                sink.error(location, "prefix '\(prefix)' of \(what) must start with '/'")
            }
            if prefixes.isEmpty { f.error("prefixes", "'prefixes' of \(what) is empty") }
            return .stripPrefix(prefixes: prefixes.map(\.text))
        case "max_request_body":
            return maxRequestBody(parent, what: what)
        default:
            return nil
        }
    }

    /// `max_request_body: 1MB`: a size in bytes, or with KB, MB or GB (1 KB = 1024 bytes).
    private func maxRequestBody(_ parent: Fields, what: String) -> Middleware.Kind? {
        let hint = "write a size such as 1MB, 512KB or 1048576 (bytes; 1 KB = 1024 bytes)"
        guard let value = parent["max_request_body"] else {
            parent.error("max_request_body", "\(what) needs a size: \(hint)")
            return nil
        }
        guard case .scalar(let scalar) = value, let bytes = ByteSize.parse(scalar.text) else {
            sink.error(value.location, "\(what) is not a size: \(hint)")
            return nil
        }
        guard bytes >= 1 else {
            sink.error(value.location, "\(what) must be at least 1 byte")
            return nil
        }
        return .maxRequestBody(bytes: bytes)
    }
}
