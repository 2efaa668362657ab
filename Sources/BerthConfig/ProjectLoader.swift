/// Reads `projects/<name>/project.yml` strictly. Cross-file checks live in `RepositoryValidator`.
struct ProjectLoader {
    let project: String
    let file: String
    let sink: DiagnosticSink

    func load(_ root: YAMLValue) -> (config: ProjectConfig, locations: ProjectLocations)? {
        guard let top = Fields(root, what: file, known: ["enabled", "ingress", "egress", "rollout", "profiles", "backups"], sink: sink) else { return nil }
        var p = ProjectConfig()
        var locations = ProjectLocations()
        p.enabled = top.bool("enabled") ?? true
        if let f = top.fields("backups", known: ["schedule", "volumes", "databases"]) { p.backups = BackupLoader(sink: sink).project(f) }
        let profiles = top.stringItems("profiles") ?? []
        p.profiles = profiles.map(\.text)
        locations.profiles = profiles.map(\.location)
        if let value = top["ingress"] {
            if case .sequence(let items, _) = value {
                p.ingress = items.compactMap { route($0, &locations) }
            } else {
                sink.error(value.location, "'ingress' in \(file) must be a list of routes, found \(value.kindName)")
            }
        }
        if let f = top.fields("egress", known: ["internet", "services"]) {
            let internet = f.stringItems("internet") ?? []
            p.egress.internet = internet.map(\.text)
            locations.internet = internet.map(\.location)
            if let value = f["services"] {
                if case .sequence(let items, _) = value {
                    p.egress.edges = items.compactMap { edge($0, &locations) }
                } else {
                    sink.error(value.location, "'services' in 'egress' must be a list of edges (from: SERVICE, to: PROJECT/SERVICE), found \(value.kindName)")
                }
            }
        }
        if let f = top.fields("rollout", known: ["strategy", "services", "ready_timeout", "drain_timeout", "shared_volumes"]) {
            if let s = f.string("strategy") { p.rollout.strategy = strategy(s, f["strategy"]?.location ?? f.location) ?? .auto }
            if let value = f["services"] {
                if case .mapping(let entries, _) = value {
                    for entry in entries {
                        let name = entry.key.text
                        locations.rolloutServices[name] = entry.key.location
                        guard let text = Scalar.string(entry.value, "the rollout strategy of service '\(name)'", sink) else { continue }
                        if let s = strategy(text, entry.value.location) { p.rollout.services[name] = s }
                    }
                } else {
                    sink.error(value.location, "'services' in 'rollout' must be a mapping of service names to strategies, found \(value.kindName)")
                }
            }
            p.rollout.readyTimeout = f.duration("ready_timeout") ?? p.rollout.readyTimeout
            p.rollout.drainTimeout = f.duration("drain_timeout") ?? p.rollout.drainTimeout
            let shared = f.stringItems("shared_volumes") ?? []
            p.rollout.sharedVolumes = shared.map(\.text)
            locations.sharedVolumes = shared.map(\.location)
            if p.rollout.readyTimeout.milliseconds <= 0 { f.error("ready_timeout", "'ready_timeout' must be positive") }
        }
        return (p, locations)
    }

    private func strategy(_ text: String, _ location: Location) -> RolloutStrategy? {
        if let s = RolloutStrategy(rawValue: text) { return s }
        sink.error(location, "rollout strategy must be auto, start-first or recreate, found '\(text)'\(Suggestion.hint(for: text, in: RolloutStrategy.allCases.map(\.rawValue)))")
        return nil
    }

    private func route(_ value: YAMLValue, _ locations: inout ProjectLocations) -> IngressRoute? {
        guard let f = Fields(value, what: "an ingress route of project '\(project)'", known: [
            "service", "hosts", "host", "path", "port", "protocol", "tls", "middlewares", "default_middlewares", "entrypoint", "health",
        ], sink: sink) else { return nil }
        let service = f.requiredString("service")
        var proto = RouteProtocol.http
        if let text = f.string("protocol") {
            if let p = RouteProtocol(rawValue: text) { proto = p } else {
                f.error("protocol", "'protocol' must be http, tcp or udp, found '\(text)'\(Suggestion.hint(for: text, in: RouteProtocol.allCases.map(\.rawValue)))")
            }
        }
        var hostItems = f.stringItems("hosts", single: true) ?? []
        if let host = f.string("host") { hostItems.insert((host, f["host"]?.location ?? f.location), at: 0) }
        if f.has("host") && f.has("hosts") { f.error("host", "use either 'host' or 'hosts', not both") }
        var seen = Set<String>()
        hostItems = hostItems.filter { host, location in
            if !Names.isHostName(host) && !Names.isWildcardHost(host) {
                sink.error(location, "'\(host)' is not a valid host name (letters, digits and '-' in dot-separated labels, or *.name for a wildcard)")
            }
            guard seen.insert(host.lowercased()).inserted else {
                sink.error(location, "host '\(host)' is listed twice in this route")
                return false
            }
            return true
        }
        let hosts = hostItems.map(\.text)
        if proto == .http && hosts.isEmpty { sink.error(f.location, "an http route of service '\(service ?? "?")' needs 'hosts'") }
        if proto == .udp && !hosts.isEmpty { f.error(f.has("hosts") ? "hosts" : "host", "udp routes have no host names; remove 'hosts'") }
        guard let port = f.port("port") else {
            if !f.has("port") { sink.error(f.location, "an ingress route of service '\(service ?? "?")' needs 'port' (the port the container listens on)") }
            return nil
        }
        guard let service else { return nil }
        if proto == .udp && f.bool("tls") == true { f.error("tls", "udp routes cannot use TLS") }
        var route = IngressRoute(service: service, hosts: hosts, port: port, proto: proto, tls: f.bool("tls"), location: value.location)
        if proto == .tcp && !hosts.isEmpty && !route.tls {
            f.error(f.has("hosts") ? "hosts" : "host", "tcp routes match host names only with TLS (SNI); set 'tls: true' or remove 'hosts'")
        }
        if let path = f.string("path") {
            if !path.hasPrefix("/") || path.contains(" ") || path.contains("`") {
                f.error("path", "'path' must be a URL path prefix starting with '/', found '\(path)'")
            }
            if proto != .http { f.error("path", "'path' applies to http routes only") }
            route.path = path
        }
        let middlewares = f.stringItems("middlewares") ?? []
        route.middlewares = middlewares.map(\.text)
        route.defaultMiddlewares = f.bool("default_middlewares") ?? true
        route.entrypoint = f.string("entrypoint")
        if proto == .http && route.entrypoint != nil {
            f.error("entrypoint", "http routes are served on the web/websecure entrypoints; 'entrypoint' is for tcp and udp routes")
        }
        if proto != .http && route.entrypoint == nil {
            sink.error(f.location, "a \(proto.rawValue) route needs 'entrypoint' (a \(proto.rawValue) entrypoint from platform.yml)")
        }
        if proto != .http && !route.middlewares.isEmpty { f.error("middlewares", "middlewares apply to http routes only") }
        if let h = f.fields("health", known: ["path", "interval", "timeout", "status"]) {
            var probe = HealthProbe()
            if let path = h.string("path") {
                if !path.hasPrefix("/") { h.error("path", "'path' of 'health' must start with '/'") }
                probe.path = path
            }
            probe.interval = h.duration("interval") ?? probe.interval
            probe.timeout = h.duration("timeout") ?? probe.timeout
            probe.expectStatus = h.int("status", in: 100...599)
            if probe.timeout > probe.interval { h.error("timeout", "'timeout' of 'health' (\(probe.timeout)) is longer than its 'interval' (\(probe.interval))") }
            if probe.interval.milliseconds <= 0 { h.error("interval", "'interval' of 'health' must be positive") }
            if proto == .udp { sink.error(h.location, "udp routes have no health check; remove 'health'") }
            route.health = probe
        }
        locations.routes[route.location] = ProjectLocations.Route(
            service: f["service"]?.location ?? f.location, hosts: hostItems.map(\.location),
            middlewares: middlewares.map(\.location), entrypoint: f["entrypoint"]?.location)
        return route
    }

    private func edge(_ value: YAMLValue, _ locations: inout ProjectLocations) -> EgressEdge? {
        guard let f = Fields(value, what: "an egress edge of project '\(project)'", known: ["from", "to"], sink: sink),
              let to = f.requiredString("to") else { return nil }
        let parts = to.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            f.error("to", "'to' must be PROJECT/SERVICE, found '\(to)'")
            return nil
        }
        let from = f.stringItems("from", single: true) ?? []
        if from.isEmpty && f["from"] == nil { sink.error(f.location, "an egress edge needs 'from' (the services of '\(project)' that may connect)") }
        if from.isEmpty && f["from"] != nil { f.error("from", "'from' of an egress edge is empty") }
        let edge = EgressEdge(from: from.map(\.text), project: parts[0], service: parts[1], location: f["to"]?.location ?? f.location)
        locations.edgeFrom[edge.location] = from.map(\.location)
        return edge
    }
}
