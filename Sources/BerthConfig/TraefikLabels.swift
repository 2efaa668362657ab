import Foundation

/// Reads a service's `traefik.*` labels (Traefik's Docker provider) as ingress routes: the same routes as
/// if they were written in project.yml. Berth writes the routing itself, so the containers do not carry
/// these labels. Anything that has no equivalent in Berth's routes is an error naming the label.
struct TraefikLabels {
    let service: String
    /// Every `traefik.*` label of the service with its position in compose.yml.
    let labels: [(key: String, value: String, location: Location)]
    /// Container ports the service declares (`expose`, `ports`): the port when no label names one.
    let declaredPorts: [Int]
    let sink: DiagnosticSink

    struct Result {
        var routes: [IngressRoute] = []
        var locations: [Location: ProjectLocations.Route] = [:]
    }

    private struct Router {
        var proto: RouteProtocol
        var name: String
        var properties: [String: (value: String, location: Location)] = [:]
        var location: Location
    }

    static func isTraefikLabel(_ key: String) -> Bool { key == "traefik" || key.hasPrefix("traefik.") }

    /// A label as compose.yml writes it, before interpolation.
    struct Written {
        var key: String
        var value: String
        /// The value's position (mapping form) or the item's (list form).
        var location: Location
        /// The line of the `labels` key it stands under.
        var keyLine: Int
    }

    /// Every label under `labels` and `deploy.labels` of a service's raw mapping.
    static func written(in service: [YAMLEntry]) -> [Written] {
        var result: [Written] = []
        func collect(_ entry: YAMLEntry?) {
            guard let entry else { return }
            switch entry.value {
            case .mapping(let entries, _):
                for e in entries { result.append(Written(key: e.key.text, value: e.value.scalarText ?? "", location: e.value.location, keyLine: entry.key.location.line)) }
            case .sequence(let items, _):
                for case .scalar(let s) in items {
                    guard let eq = s.text.firstIndex(of: "=") else { continue }
                    result.append(Written(key: String(s.text[..<eq]), value: String(s.text[s.text.index(after: eq)...]), location: s.location,
                                          keyLine: entry.key.location.line))
                }
            case .scalar: break
            }
        }
        collect(service.first { $0.key.text == "labels" })
        if case .mapping(let deploy, _)? = service.first(where: { $0.key.text == "deploy" })?.value {
            collect(deploy.first { $0.key.text == "labels" })
        }
        return result
    }

    func read() -> Result {
        var result = Result()
        guard !labels.isEmpty else { return result }
        var enabled: Bool?
        var routers: [String: Router] = [:]
        var routerOrder: [String] = []
        // services[proto.name][property]
        var services: [String: [String: (value: String, location: Location)]] = [:]
        var middlewareDefinitions: [String: (kind: String, location: Location)] = [:]
        for label in labels {
            let parts = label.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if label.key == "traefik.enable" {
                enabled = ["true", "1", "yes"].contains(label.value.lowercased())
                continue
            }
            if parts.count >= 2 && parts[1] == "docker" { continue }  // network/lbswarm: Berth's networks decide
            guard parts.count >= 5, let proto = RouteProtocol(rawValue: parts[1]) else {
                sink.error(label.location, "label '\(label.key)' of service '\(service)' is not a Traefik router, service or middleware label Berth can read; write the route under 'ingress' in project.yml instead")
                continue
            }
            let name = parts[3], property = parts[4...].joined(separator: ".")
            switch parts[2] {
            case "routers":
                let key = "\(proto.rawValue).\(name)"
                if routers[key] == nil {
                    routers[key] = Router(proto: proto, name: name, location: label.location)
                    routerOrder.append(key)
                }
                routers[key]!.properties[property.lowercased()] = (label.value, label.location)
            case "services":
                services["\(proto.rawValue).\(name)", default: [:]][property.lowercased()] = (label.value, label.location)
            case "middlewares" where proto == .http:
                middlewareDefinitions[name] = (parts[4], label.location)
            default:
                sink.error(label.location, "label '\(label.key)' of service '\(service)' is not a Traefik router, service or middleware label Berth can read; write the route under 'ingress' in project.yml instead")
            }
        }
        if enabled == false { return result }
        for (name, definition) in middlewareDefinitions where definition.kind.lowercased() != "redirectscheme" {
            sink.error(definition.location, "middleware '\(name)' of service '\(service)' is defined in Traefik labels ('\(definition.kind)'); Berth writes the proxy's configuration itself: define it under 'middlewares' in platform.yml and list it by name in the router's middlewares")
        }
        for key in routerOrder {
            guard let router = routers[key] else { continue }
            guard let route = route(router, services: services, middlewareDefinitions: middlewareDefinitions, into: &result.locations) else { continue }
            // The common pair of an http router (often only redirecting) and an https router for the same host
            // and path is one Berth route with TLS: Berth redirects http to https itself.
            if let twin = result.routes.firstIndex(where: { $0.proto == route.proto && $0.hosts == route.hosts && $0.path == route.path && $0.port == route.port && $0.entrypoint == route.entrypoint }) {
                result.routes[twin].tls = result.routes[twin].tls || route.tls
                result.routes[twin].middlewares = result.routes[twin].middlewares.isEmpty ? route.middlewares : result.routes[twin].middlewares
                if result.routes[twin].health == nil { result.routes[twin].health = route.health }
                continue
            }
            result.routes.append(route)
        }
        // A service label without any router: Traefik makes a default router with a Host rule from a template,
        // which Berth has no counterpart for.
        if routers.isEmpty, let first = labels.first(where: { $0.key.contains(".services.") }) {
            sink.error(first.location, "service '\(service)' has Traefik service labels but no router (no 'traefik.http.routers.<name>.rule'); add a router rule, or write the route under 'ingress' in project.yml")
        }
        return result
    }

    private func route(_ router: Router, services: [String: [String: (value: String, location: Location)]],
                       middlewareDefinitions: [String: (kind: String, location: Location)],
                       into locations: inout [Location: ProjectLocations.Route]) -> IngressRoute? {
        let what = "router '\(router.name)' of service '\(service)'"
        let props = router.properties
        let known: Set<String> = ["rule", "entrypoints", "tls", "tls.certresolver", "tls.options", "tls.domains", "middlewares", "service", "priority", "rulesyntax", "observability"]
        for (property, entry) in props where !known.contains(property) && !property.hasPrefix("tls.domains") && !property.hasPrefix("observability") && property != "tls.passthrough" {
            sink.error(entry.location, "'\(property)' of Traefik \(what) has no equivalent in Berth's routes; remove it or write the route under 'ingress' in project.yml")
        }
        for (property, entry) in props where ["priority", "tls.options", "rulesyntax"].contains(property) || property.hasPrefix("tls.domains") || property.hasPrefix("observability") {
            sink.warning(entry.location, "'\(property)' of Traefik \(what) has no effect: Berth orders routes by host and path length, gets a certificate per host, and uses its own TLS options")
        }
        if let passthrough = props["tls.passthrough"], passthrough.value == "true" {
            sink.error(passthrough.location, "TLS passthrough (\(what)) is not supported: Berth's proxy terminates TLS")
            return nil
        }
        // The backend port: the router's service, else the only service of the labels, else the one port declared.
        let serviceKeys = services.keys.filter { $0.hasPrefix("\(router.proto.rawValue).") }.sorted()
        var serviceProps: [String: (value: String, location: Location)] = [:]
        if let named = props["service"] {
            let key = "\(router.proto.rawValue).\(named.value.split(separator: "@").first.map(String.init) ?? named.value)"
            guard let found = services[key] else {
                sink.error(named.location, "\(what) names Traefik service '\(named.value)', which no label of service '\(service)' defines; add its 'loadbalancer.server.port' label")
                return nil
            }
            serviceProps = found
        } else if serviceKeys.count == 1 {
            serviceProps = services[serviceKeys[0]] ?? [:]
        } else if serviceKeys.count > 1 {
            sink.error(router.location, "\(what) does not say which of the Traefik services \(serviceKeys.map { String($0.split(separator: ".")[1]) }.joined(separator: ", ")) it uses; add 'traefik.\(router.proto.rawValue).routers.\(router.name).service'")
            return nil
        }
        for (property, entry) in serviceProps {
            let p = property.lowercased()
            if p == "loadbalancer.server.port" || p.hasPrefix("loadbalancer.healthcheck.") || p == "loadbalancer.passhostheader" { continue }
            if p == "loadbalancer.server.scheme" && entry.value == "http" { continue }
            sink.error(entry.location, "Traefik service label '\(property)' (\(what)) has no equivalent in Berth's routes; remove it")
        }
        let port: Int
        if let label = serviceProps["loadbalancer.server.port"] {
            guard let n = Int(label.value), (1...65535).contains(n) else {
                sink.error(label.location, "'loadbalancer.server.port' of \(what) must be a port number, found '\(label.value)'")
                return nil
            }
            port = n
        } else if declaredPorts.count == 1 {
            port = declaredPorts[0]
        } else {
            sink.error(router.location, "\(what) has no backend port: add 'traefik.\(router.proto.rawValue).services.\(router.name).loadbalancer.server.port' (Traefik would take the image's first exposed port, which Berth cannot know before the image is pulled)")
            return nil
        }
        var hosts: [String] = []
        var path = "/"
        if router.proto != .udp {
            guard let rule = props["rule"] else {
                sink.error(router.location, "\(what) has no 'rule'; add traefik.\(router.proto.rawValue).routers.\(router.name).rule")
                return nil
            }
            guard let parsed = TraefikRule.parse(rule.value, proto: router.proto) else {
                sink.error(rule.location, "rule '\(rule.value)' of \(what) is not one Berth can route: use Host(`a`) [|| Host(`b`)] [&& PathPrefix(`/p`)] for http, HostSNI(`*`) or HostSNI(`a`) for tcp")
                return nil
            }
            hosts = parsed.hosts
            path = parsed.path ?? "/"
        }
        let entrypoints = props["entrypoints"].map { $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let certResolver = props["tls.certresolver"] != nil
        let tlsLabel = props["tls"].map { $0.value.lowercased() == "true" }
        let secureEntrypoint = entrypoints.contains { ["websecure", "https", "web-secure", "secure", "443"].contains($0.lowercased()) }
        var route: IngressRoute
        switch router.proto {
        case .http:
            let tls = tlsLabel ?? (certResolver || secureEntrypoint || props["tls.domains[0].main"] != nil)
            route = IngressRoute(service: service, hosts: hosts, port: port, proto: .http, tls: tls, location: router.location)
            route.path = path
        case .tcp, .udp:
            guard entrypoints.count == 1 else {
                sink.error(props["entrypoints"]?.location ?? router.location, "\(what) needs exactly one entrypoint (a \(router.proto.rawValue) entrypoint of platform.yml), found \(entrypoints.isEmpty ? "none" : entrypoints.joined(separator: ", "))")
                return nil
            }
            route = IngressRoute(service: service, hosts: hosts == ["*"] ? [] : hosts, port: port, proto: router.proto,
                                 tls: router.proto == .tcp ? (tlsLabel ?? certResolver) : false, location: router.location)
            route.entrypoint = entrypoints[0]
        }
        var middlewareLocations: [Location] = []
        if let list = props["middlewares"] {
            for name in list.value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                let bare = name.split(separator: "@").first.map(String.init) ?? name
                // An http→https redirect defined in labels is what Berth does for every TLS route already.
                if middlewareDefinitions[bare]?.kind.lowercased() == "redirectscheme" { continue }
                route.middlewares.append(bare)
                middlewareLocations.append(list.location)
            }
        }
        if serviceProps.keys.contains(where: { $0.lowercased().hasPrefix("loadbalancer.healthcheck.") }) {
            var probe = HealthProbe()
            for (property, entry) in serviceProps {
                switch property.lowercased() {
                case "loadbalancer.healthcheck.path": probe.path = entry.value
                case "loadbalancer.healthcheck.interval": probe.interval = TimeSpan(parsing: entry.value) ?? probe.interval
                case "loadbalancer.healthcheck.timeout": probe.timeout = TimeSpan(parsing: entry.value) ?? probe.timeout
                case "loadbalancer.healthcheck.status": probe.expectStatus = Int(entry.value)
                default: break
                }
            }
            route.health = probe
        }
        locations[route.location] = ProjectLocations.Route(
            service: router.location, hosts: Array(repeating: props["rule"]?.location ?? router.location, count: route.hosts.count),
            middlewares: middlewareLocations, entrypoint: props["entrypoints"]?.location)
        return route
    }
}

/// The subset of Traefik's rule language that Berth's routes express.
enum TraefikRule {
    struct Parsed: Equatable {
        var hosts: [String]
        var path: String?
    }

    static func parse(_ rule: String, proto: RouteProtocol) -> Parsed? {
        var tokens: [String] = []
        var hosts: [String] = []
        var paths: [String] = []
        var rest = Substring(rule)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            if rest.isEmpty { break }
            if rest.hasPrefix("&&") || rest.hasPrefix("||") {
                tokens.append(String(rest.prefix(2)))
                rest = rest.dropFirst(2)
            } else if rest.first == "(" || rest.first == ")" {
                tokens.append(String(rest.first!))
                rest = rest.dropFirst()
            } else if let open = rest.firstIndex(of: "("), let close = rest[open...].firstIndex(of: ")") {
                let name = String(rest[..<open]).trimmingCharacters(in: .whitespaces)
                let arguments = rest[rest.index(after: open)..<close].split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`\"'"))
                }
                switch (name, proto) {
                case ("Host", .http), ("HostSNI", .tcp):
                    hosts += arguments
                    tokens.append("H")
                case ("PathPrefix", .http):
                    guard arguments.count == 1 else { return nil }
                    paths += arguments
                    tokens.append("P")
                default:
                    return nil
                }
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        // Accepted shapes: hosts joined by || (optionally in parentheses), and at most one PathPrefix joined by &&.
        var shape = tokens.joined(separator: " ")
        while shape.contains("H || H") { shape = shape.replacingOccurrences(of: "H || H", with: "H") }
        shape = shape.replacingOccurrences(of: "( H )", with: "H")
        guard ["H", "H && P", "P && H"].contains(shape), !hosts.isEmpty, paths.count <= 1 else { return nil }
        if hosts.contains(where: { $0.isEmpty || $0.contains("{") }) { return nil }
        return Parsed(hosts: hosts, path: paths.first)
    }
}
