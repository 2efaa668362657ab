import Foundation

/// Reads `platform.yml` strictly.
struct PlatformLoader {
    let sink: DiagnosticSink
    /// The repository's directory (for `acme.ca_root`).
    var root: URL? = nil
    static let file = "platform.yml"

    func load(_ root: YAMLValue) -> PlatformConfig? {
        guard let top = Fields(root, what: Self.file, known: [
            "name", "domain", "proxy", "acme", "policy", "entrypoints", "middlewares", "default_middlewares", "crowdsec", "network", "api", "state", "registries",
            "secrets", "backups",
            "dns",
        ], sink: sink) else { return nil }
        let domain = top.requiredString("domain") ?? "invalid"
        if top.has("domain"), !Names.isHostName(domain) {
            top.error("domain", "'domain' is not a valid DNS name: '\(domain)'")
        }
        var p = PlatformConfig(domain: domain)
        if let name = top.string("name") {
            if name.count > 40 || !name.allSatisfy({ ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII })
                || name.hasPrefix("-") || name.hasSuffix("-") || name.isEmpty {
                top.error("name", "'name' must be 1-40 lower-case letters, digits and dashes (not at either end), found '\(name)'")
            }
            p.name = name
        }
        if let f = top.fields("proxy", known: ["kind", "image", "http_port", "https_port", "bind_address", "redirect_to_https", "access_log", "network", "api_port"]) {
            if let kind = f.string("kind") {
                if let k = ProxyKind(rawValue: kind) { p.proxy.kind = k } else {
                    f.error("kind", "'kind' in 'proxy' must be traefik or caddy, found '\(kind)'\(Suggestion.hint(for: kind, in: ["traefik", "caddy"]))")
                }
            }
            p.proxy.image = f.string("image")
            p.proxy.httpPort = f.port("http_port") ?? 80
            p.proxy.httpsPort = f.port("https_port") ?? 443
            if let bind = f.string("bind_address") {
                if IPv4Network.parseAddress(bind) == nil { f.error("bind_address", "'bind_address' must be an IPv4 address such as 127.0.0.1, found '\(bind)'") }
                p.proxy.bindAddress = bind
            }
            p.proxy.redirectToHTTPS = f.bool("redirect_to_https") ?? true
            p.proxy.accessLog = f.bool("access_log") ?? true
            if let mode = f.string("network") {
                if let m = ProxyNetworkMode(rawValue: mode) { p.proxy.network = m } else {
                    f.error("network", "'network' in 'proxy' must be host or bridge, found '\(mode)'\(Suggestion.hint(for: mode, in: ["host", "bridge"]))")
                }
            }
            p.proxy.apiPort = f.port("api_port") ?? 8089
            if [p.proxy.httpPort, p.proxy.httpsPort].contains(p.proxy.apiPort) && p.proxy.kind == .traefik {
                f.error("api_port", "'api_port' \(p.proxy.apiPort) is also the proxy's http or https port")
            }
            if p.proxy.httpPort == p.proxy.httpsPort {
                f.error("https_port", "'http_port' and 'https_port' are both \(p.proxy.httpPort)")
            }
        }
        if let f = top.fields("policy", known: ["published_ports", "privileged", "devices", "host_namespaces", "docker_socket", "capabilities", "host_network"]) {
            p.policy.privileged = f.bool("privileged")
            p.policy.devices = f.bool("devices")
            p.policy.hostNamespaces = f.bool("host_namespaces")
            p.policy.dockerSocket = f.bool("docker_socket")
            p.policy.capabilities = f.strings("capabilities")
            p.policy.hostNetwork = f.bool("host_network")
            if let text = f.string("published_ports") {
                if let policy = PublishedPortsPolicy(rawValue: text) { p.policy.publishedPorts = policy } else {
                    f.error("published_ports", "'published_ports' in 'policy' must be any, loopback or none, found '\(text)'\(Suggestion.hint(for: text, in: PublishedPortsPolicy.allCases.map(\.rawValue)))")
                }
            }
        }
        if let f = top.fields("acme", known: ACMELoader.keys) {
            p.acme = ACMELoader(sink: sink, root: self.root, proxy: p.proxy.kind).load(f)
        }
        if let value = top["entrypoints"] {
            p.entrypoints = entrypoints(value, platform: p)
        }
        if let value = top["middlewares"] {
            p.middlewares = MiddlewareLoader(sink: sink).load(value)
        }
        if let chain = top.stringItems("default_middlewares") {
            p.defaultMiddlewares = chain.map(\.text)
            for (name, location) in chain where p.middlewares[name] == nil {
                sink.error(location, "'default_middlewares' names '\(name)', which is not defined under 'middlewares'\(Suggestion.hint(for: name, in: p.middlewares.keys))")
            }
        }
        // CrowdSec (edge defenses): the proxy's access log goes to a file that CrowdSec reads; bans are
        // enforced by crowdsec-firewall-bouncer in the host firewall (see CrowdSecConfig).
        let removed = "the Traefik bouncer plugin is gone (it must be downloaded); bans are enforced by crowdsec-firewall-bouncer, "
            + "whose key goes into firewall-bouncer.yaml.local (docs/config.md, 'crowdsec')"
        if let f = top.fields("crowdsec", known: ["enabled", "lapi_url"],
                              unsupported: ["lapi_key_env": removed, "plugin_version": removed]) {
            p.crowdsec.enabled = f.bool("enabled") ?? false
            if let url = f.string("lapi_url") {
                if let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false {
                    p.crowdsec.lapiURL = url
                } else {
                    f.error("lapi_url", "'lapi_url' of 'crowdsec' must be an http(s) URL such as http://127.0.0.1:8080, found '\(url)'")
                }
            }
        }
        if let f = top.fields("network", known: ["pools", "subnet_prefix", "legacy_proxy_networks"]) {
            p.network.location = f.location
            p.network.legacyProxyNetworks = f.strings("legacy_proxy_networks") ?? p.network.legacyProxyNetworks
            p.network.subnetPrefix = f.int("subnet_prefix", in: 16...29) ?? p.network.subnetPrefix
            if let pools = f.stringItems("pools", single: true) {
                var parsed: [IPv4Network] = []
                for (text, location) in pools {
                    guard let net = IPv4Network(parsing: text) else {
                        let hint = text.contains("/") && IPv4Network.parseAddress(String(text.prefix { $0 != "/" })) != nil
                            ? " (the address must be the first of its block, with no host bits set)" : ""
                        sink.error(location, "'\(text)' in 'network.pools' is not an IPv4 CIDR block such as 10.213.0.0/16\(hint)")
                        continue
                    }
                    if let other = parsed.first(where: { $0.overlaps(net) }) {
                        sink.error(location, "address pool \(net) overlaps pool \(other)")
                    }
                    if let reserved = NetworkConfig.reserved.first(where: { $0.overlaps(net) }) {
                        sink.error(location, "address pool \(net) overlaps \(reserved), which Docker uses for its default bridge")
                    }
                    if net.prefix > p.network.subnetPrefix {
                        sink.error(location, "address pool \(net) is smaller than one /\(p.network.subnetPrefix) subnet; use a larger pool or raise 'subnet_prefix'")
                    }
                    parsed.append(net)
                }
                if pools.isEmpty { f.error("pools", "'network.pools' is empty") }
                p.network.pools = parsed
            }
        }
        if let f = top.fields("api", known: ["listen", "tokens_env", "database"]) {
            p.api.listen = f.string("listen") ?? p.api.listen
            p.api.tokensEnv = f.string("tokens_env") ?? p.api.tokensEnv
            // api.database (berth serve's shared PostgreSQL queue); the value is never echoed: it may hold a password.
            if let url = f.string("database") {
                p.api.database = url
                p.api.databaseLocation = f.keyLocation("database")
                if !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
                    f.error("database", "'database' in 'api' must be a PostgreSQL URL, postgres://USER@HOST:5432/DATABASE")
                }
            }
            if !p.api.listen.contains(":") { f.error("listen", "'listen' in 'api' must be HOST:PORT, found '\(p.api.listen)'") }
        }
        if let f = top.fields("state", known: ["backend", "path", "url_env", "keep_deployments"]) {
            if let b = f.string("backend") {
                if let backend = StateBackend(rawValue: b) { p.state.backend = backend } else {
                    f.error("backend", "'backend' in 'state' must be sqlite or postgres, found '\(b)'")
                }
            }
            p.state.path = f.string("path") ?? p.state.path
            p.state.urlEnv = f.string("url_env") ?? p.state.urlEnv
            p.state.keepDeployments = f.int("keep_deployments", in: 1...100) ?? p.state.keepDeployments
        }
        // SOPS secrets: the recipients of new secrets.enc.env files (see SecretsStore).
        if let f = top.fields("secrets", known: ["age_recipients"]) {
            p.ageRecipients = f.strings("age_recipients") ?? []
            // The item is never echoed: it may be a private key pasted by mistake.
            for (i, recipient) in p.ageRecipients.enumerated() where !recipient.hasPrefix("age1") || recipient.count < 60 || recipient.contains(",") {
                let leaked = recipient.uppercased().hasPrefix("AGE-SECRET-KEY") ? "; it is a private key: remove it from the repository (and its git history) and make a new key" : ""
                f.error("age_recipients", "item \(i + 1) of 'secrets.age_recipients' is not an age public key (age1…, as age-keygen -y prints it)\(leaked)")
            }
        }
        if let value = top["registries"] {
            p.registries = registries(value)
        }
        // backups (berth backup): the restic repository; see BackupLoader.
        if let f = top.fields("backups", known: ["s3", "path", "password_env", "schedule", "retention", "webhook", "timeout"]) {
            p.backups = BackupLoader(sink: sink).platform(f)
        }
        // DNS for every host (zones, records, the DNS stack): DNSLoader.
        if let f = top.fields("dns", known: DNSLoader.keys) {
            p.dns = DNSLoader(sink: sink).load(f, domain: p.domain)
        }
        return p
    }

    /// `registries: {ghcr.io: {username: bot, password_env: GHCR_TOKEN}}`: credentials for image pulls.
    /// The password is never in the file: it is read from the named environment variable at apply time.
    private func registries(_ value: YAMLValue) -> [String: RegistryCredentials] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "'registries' must be a mapping of registry host names, found \(value.kindName)")
            return [:]
        }
        var result: [String: RegistryCredentials] = [:]
        for entry in entries {
            let host = entry.key.text
            let hostName = host.split(separator: ":").first.map(String.init) ?? host
            if !Names.isHostName(hostName) {
                sink.error(entry.key.location, "registry '\(host)' is not a host name such as ghcr.io or registry.example.com:5000")
            }
            guard let f = Fields(entry.value, what: "registry '\(host)'", known: ["username", "password_env"], sink: sink),
                  let username = f.requiredString("username"), let passwordEnv = f.requiredString("password_env")
            else { continue }
            result[host] = RegistryCredentials(username: username, passwordEnv: passwordEnv)
        }
        return result
    }

    private func entrypoints(_ value: YAMLValue, platform: PlatformConfig) -> [String: Entrypoint] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "'entrypoints' must be a mapping of names, found \(value.kindName)")
            return [:]
        }
        var result: [String: Entrypoint] = [:]
        var used: [String: String] = [
            "tcp/\(platform.proxy.httpPort)": "proxy.http_port", "tcp/\(platform.proxy.httpsPort)": "proxy.https_port",
        ]
        for entry in entries {
            let name = entry.key.text
            if ["web", "websecure"].contains(name) || !Names.isServiceName(name) {
                sink.error(entry.key.location, "entrypoint name '\(name)' is reserved or invalid (web and websecure are Berth's http and https entrypoints)")
            }
            guard let f = Fields(entry.value, what: "entrypoint '\(name)'", known: ["port", "protocol"], sink: sink) else { continue }
            guard let port = f.port("port") else {
                if f["port"] == nil { sink.error(f.location, "entrypoint '\(name)' needs 'port'") }
                continue
            }
            var proto = RouteProtocol.tcp
            if let text = f.string("protocol") {
                if let p = RouteProtocol(rawValue: text), p != .http { proto = p } else {
                    f.error("protocol", "'protocol' of entrypoint '\(name)' must be tcp or udp, found '\(text)'")
                }
            }
            let key = "\(proto.rawValue)/\(port)"
            if let other = used[key] {
                f.error("port", "entrypoint '\(name)' uses \(proto.rawValue) port \(port), already used by \(other)")
            }
            used[key] = "entrypoint '\(name)'"
            result[name] = Entrypoint(name: name, port: port, proto: proto, location: entry.key.location)
        }
        return result
    }
}

extension NetworkConfig {
    /// Docker's default bridge network; pools must not overlap it.
    public static let reserved = [IPv4Network(parsing: "172.17.0.0/16")!]
}
