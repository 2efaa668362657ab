/// Checks that span files: names that must exist, routes that must not collide, edges that must not loop,
/// and an address pool big enough for every network.
struct RepositoryValidator {
    let repository: Repository
    let sink: DiagnosticSink
    /// Positions of names in each project's project.yml, by project name.
    var locations: [String: ProjectLocations] = [:]

    var platform: PlatformConfig { repository.platform }

    func validate() {
        var routes: [String: (String, Location)] = [:]
        for project in repository.projects {
            validate(project)
            guard project.config.enabled else { continue }
            for route in project.config.ingress {
                let hostLocations = locations[project.name]?.routes[route.location]?.hosts ?? []
                for (index, key) in routeKeys(route).enumerated() {
                    let location = route.proto == .http || route.tls ? hostLocations[safe: index] ?? route.location : route.location
                    let owner = "project '\(project.name)' service '\(route.service)'"
                    if let (other, otherLocation) = routes[key.id] {
                        sink.error(location, "\(key.text) is already routed to \(other) (\(otherLocation))")
                    } else {
                        routes[key.id] = (owner, location)
                    }
                }
            }
        }
        validateEdgeGraph()
        validatePool()
        validatePorts()
        validateNetworks()
        validateContainerNames()
        validateACME()
        validateBackups()
        validateDNS()
    }

    /// Compose `container_name`: one container per name on the engine, so no two services may ask for one,
    /// nor for a name Berth gives its own containers; such a service cannot roll out start-first.
    private func validateContainerNames() {
        var taken: [String: String] = [:]
        for project in repository.enabledProjects {
            for name in project.compose.services.keys.sorted() {
                guard let containerName = project.compose.services[name]?.settings?.containerName else { continue }
                let location = project.compose.containerNameLocations[name] ?? Location(file: "projects/\(project.name)/compose.yml")
                let owner = "project '\(project.name)' service '\(name)'"
                if let other = taken[containerName] {
                    sink.error(location, "container_name '\(containerName)' of service '\(name)' is already used by \(other); container names are unique on the engine, so rename one")
                } else if containerName.hasPrefix("berth-") {
                    sink.error(location, "container_name '\(containerName)' of service '\(name)' starts with 'berth-', which Berth reserves for its proxy and lock; choose another name")
                } else {
                    taken[containerName] = owner
                }
                let rollout = project.config.rollout
                if (rollout.services[name] ?? rollout.strategy) == .startFirst {
                    sink.error(location, "service '\(name)' has container_name '\(containerName)' and rolls out start-first (project.yml 'rollout'), but old and new replicas cannot both hold one name; remove container_name or use strategy recreate")
                }
            }
        }
    }

    /// Compose `ports`: allowed by `policy.published_ports`, and no host port taken twice — by two
    /// services (of any project) or by a service and the proxy.
    private func validatePorts() {
        var taken: [(port: ComposePort, owner: String)] = []
        let proxy = platform.proxy
        var proxyPorts: [(ComposePort.Proto, String, Int, String)] = [
            (.tcp, proxy.bindAddress, proxy.httpPort, "proxy.http_port"), (.tcp, proxy.bindAddress, proxy.httpsPort, "proxy.https_port"),
        ]
        if proxy.kind == .traefik { proxyPorts.append((.tcp, "127.0.0.1", proxy.apiPort, "proxy.api_port")) }
        for ep in platform.entrypoints.values {
            proxyPorts.append((ep.proto == .udp ? .udp : .tcp, proxy.bindAddress, ep.port, "entrypoint '\(ep.name)'"))
        }
        for (proto, ip, port, name) in proxyPorts {
            taken.append((ComposePort(hostIP: ip == "0.0.0.0" ? nil : ip, hostPort: port, containerPort: port, proto: proto), "the proxy's \(name)"))
        }
        func overlaps(_ a: ComposePort, _ b: ComposePort) -> Bool {
            a.proto == b.proto && a.hostPort == b.hostPort && (a.hostIP == nil || b.hostIP == nil || a.hostIP == b.hostIP)
        }
        for project in repository.enabledProjects {
            for name in project.compose.services.keys.sorted() {
                guard let ports = project.compose.services[name]?.ports else { continue }
                let location = project.compose.portLocations[name] ?? Location(file: "projects/\(project.name)/compose.yml")
                switch platform.policy.publishedPorts {
                case .any:
                    break
                case .none:
                    sink.error(location, "service '\(name)' publishes ports (\(ports.map(\.description).joined(separator: ", "))), which policy.published_ports: none in platform.yml forbids; route it through the proxy with an ingress row in project.yml, or set policy.published_ports to loopback or any")
                    continue
                case .loopback:
                    if let open = ports.first(where: { !$0.isLoopback }) {
                        sink.error(location, "service '\(name)' publishes \(open.description) on \(open.hostIP ?? "every address"), which policy.published_ports: loopback in platform.yml forbids; bind it to 127.0.0.1 (\"127.0.0.1:\(open.hostPort.map(String.init) ?? "")\(open.hostPort == nil ? "" : ":")\(open.containerPort)\"), or set policy.published_ports to any")
                        continue
                    }
                }
                for port in ports where port.hostPort != nil {
                    let owner = "project '\(project.name)' service '\(name)'"
                    if let other = taken.first(where: { overlaps($0.port, port) }) {
                        sink.error(location, "host port \(port.description) of service '\(name)' is already taken by \(other.owner)")
                    } else {
                        taken.append((port, owner))
                    }
                }
            }
        }
    }

    private struct RouteKey {
        var id: String
        var text: String
    }

    private func routeKeys(_ route: IngressRoute) -> [RouteKey] {
        switch route.proto {
        case .http:
            var path = route.path
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            return route.hosts.map { host in
                RouteKey(id: "http \(host.lowercased()) \(path)", text: "host \(host) path \(route.path)")
            }
        case .tcp where route.tls:
            return route.hosts.map {
                RouteKey(id: "tcp \(route.entrypoint ?? "") \($0.lowercased())", text: "tcp host \($0) on entrypoint '\(route.entrypoint ?? "")'")
            }
        case .tcp, .udp:
            return [RouteKey(id: "\(route.proto) \(route.entrypoint ?? "") *", text: "entrypoint '\(route.entrypoint ?? "")' (without TLS a \(route.proto.rawValue) entrypoint serves one route)")]
        }
    }

    private func validate(_ project: Project) {
        let services = project.compose.services
        let file = "projects/\(project.name)/project.yml"
        let places = locations[project.name] ?? ProjectLocations()
        func checkService(_ name: String, _ location: Location, _ role: String) {
            if let profiles = project.compose.leftOut[name] {
                sink.error(location, "\(role) names service '\(name)', which runs only with profile \(profiles.joined(separator: " or ")) and that is not enabled; add it to 'profiles' in \(file), or remove this")
            } else if services[name] == nil {
                sink.error(location, "\(role) names service '\(name)', which is not in projects/\(project.name)/compose.yml\(Suggestion.hint(for: name, in: services.keys))")
            }
        }
        for route in project.config.ingress {
            let place = places.routes[route.location]
            checkService(route.service, place?.service ?? route.location, "an ingress route")
            if let service = services[route.service], service.replicas == 0 {
                sink.error(route.location, "an ingress route names service '\(route.service)', which has 0 replicas")
            }
            var chain = route.middlewares
            if route.proto == .http && route.defaultMiddlewares { chain += platform.defaultMiddlewares }
            for (index, name) in route.middlewares.enumerated() where platform.middlewares[name] == nil {
                sink.error(place?.middlewares[safe: index] ?? route.location,
                           "middleware '\(name)' is not defined under 'middlewares' in platform.yml\(Suggestion.hint(for: name, in: platform.middlewares.keys))")
            }
            if platform.proxy.kind == .caddy {
                if route.proto != .http {
                    sink.error(route.location, "the caddy proxy serves http routes only; use proxy.kind traefik for \(route.proto.rawValue) routes")
                }
                for name in chain {
                    if case .rateLimit = platform.middlewares[name]?.kind {
                        let from = route.middlewares.contains(name) ? "its 'middlewares'" : "'default_middlewares' in platform.yml (or set 'default_middlewares: false' on the route)"
                        sink.error(route.location, "the route of service '\(route.service)' uses middleware '\(name)' (rate_limit), which the caddy proxy cannot apply: "
                            + "Caddy has no built-in rate limiter, and Berth does not deploy the route unprotected; remove '\(name)' from \(from), or set proxy.kind: traefik")
                    }
                }
            }
            if let name = route.entrypoint {
                let location = place?.entrypoint ?? route.location
                if let ep = platform.entrypoints[name] {
                    if ep.proto != route.proto {
                        sink.error(location, "entrypoint '\(name)' is \(ep.proto.rawValue) but the route is \(route.proto.rawValue)")
                    }
                } else {
                    sink.error(location, "entrypoint '\(name)' is not defined in platform.yml\(Suggestion.hint(for: name, in: platform.entrypoints.keys))")
                }
            }
        }
        let location = Location(file: file)
        for (index, name) in project.config.egress.internet.enumerated() {
            checkService(name, places.internet[safe: index] ?? location, "'egress.internet'")
        }
        for name in project.config.rollout.services.keys.sorted() {
            checkService(name, places.rolloutServices[name] ?? location, "'rollout.services'")
        }
        for (index, volume) in project.config.rollout.sharedVolumes.enumerated() where project.compose.volumes[volume] == nil {
            sink.error(places.sharedVolumes[safe: index] ?? location, "'rollout.shared_volumes' names volume '\(volume)', which is not declared under the top-level 'volumes' of compose.yml\(Suggestion.hint(for: volume, in: project.compose.volumes.keys))")
        }
        for edge in project.config.egress.edges {
            let fromLocations = places.edgeFrom[edge.location] ?? []
            for (index, name) in edge.from.enumerated() {
                checkService(name, fromLocations[safe: index] ?? edge.location, "an egress edge's 'from'")
            }
            if edge.project == project.name {
                sink.error(edge.location, "an egress edge points at its own project '\(project.name)'; services of one project reach each other by name")
                continue
            }
            guard let target = repository.project(edge.project) else {
                sink.error(edge.location, "egress edge to unknown project '\(edge.project)'\(Suggestion.hint(for: edge.project, in: repository.projects.map(\.name)))")
                continue
            }
            if target.compose.services[edge.service] == nil {
                sink.error(edge.location, "egress edge to unknown service '\(edge.service)' of project '\(edge.project)'\(Suggestion.hint(for: edge.service, in: target.compose.services.keys))")
            }
            if project.config.enabled && !target.config.enabled {
                sink.error(edge.location, "egress edge to project '\(edge.project)', which is disabled")
            }
        }
    }

    private func validateEdgeGraph() {
        var graph: [String: [EgressEdge]] = [:]
        for project in repository.projects where project.config.enabled {
            graph[project.name] = project.config.egress.edges.filter { $0.project != project.name }
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported = Set<String>()
        func visit(_ name: String, _ path: [String]) {
            state[name] = 1
            for edge in graph[name] ?? [] {
                switch state[edge.project] {
                case 1:
                    let start = path.firstIndex(of: edge.project) ?? 0
                    let cycle = Array(path[start...]) + [name, edge.project]
                    let key = Set(cycle).sorted().joined(separator: ",")
                    if reported.insert(key).inserted {
                        sink.error(edge.location, "egress edges form a cycle: \(cycle.joined(separator: " → ")); projects must be deployable in order")
                    }
                case nil:
                    visit(edge.project, path + [name])
                default:
                    break
                }
            }
            state[name] = 2
        }
        for name in graph.keys.sorted() where state[name] == nil { visit(name, []) }
    }

    private func validatePool() {
        let needed = NetworkPlan.networkNames(for: repository).count
        let capacity = platform.network.pools.reduce(0) { $0 + $1.subnetCount(prefix: platform.network.subnetPrefix) }
        if needed > capacity {
            sink.error(platform.network.location, "the address pool is too small: \(needed) networks need /\(platform.network.subnetPrefix) subnets but the pools hold \(capacity); add a pool or raise 'subnet_prefix'")
        }
    }
}

/// Which networks a repository needs; shared by validation (pool size) and the planner.
public enum NetworkPlan {
    public enum Role: String, Sendable, Hashable, Codable { case ingress, `internal`, egress, link, published, user }

    public struct Network: Sendable, Hashable {
        public var name: String
        public var project: String
        public var role: Role
        /// For link networks: the consumer project.
        public var peer: String?
        /// For user networks: the key in compose.yml and its settings.
        public var key: String?
        public var compose: ComposeNetwork?
        /// Every network but `<p>_egress` and `<p>_published` is `internal: true`: no route to the internet
        /// unless declared. (The proxy reaches routed services on `<p>_ingress`.) `<p>_published` carries the
        /// services that publish host ports (Docker publishes no port of a container on internal networks
        /// only); it has no masquerading, so it gives no internet access either.
        public var isInternal: Bool { role != .egress && role != .published }
    }

    /// A project's networks: ingress (when routed), internal, egress (when any service needs the internet),
    /// and one link network per consumer project with an egress edge to it (owned by the provider, so it
    /// exists before consumers deploy).
    public static func networks(for project: Project, in repository: Repository) -> [Network] {
        networks(for: project, consumers: consumers(of: project.name, in: repository), legacyProxyNetworks: repository.platform.network.legacyProxyNetworks)
    }

    public static func networks(for project: Project, consumers: [String], legacyProxyNetworks: [String]) -> [Network] {
        var result: [Network] = []
        if !project.config.ingress.isEmpty || !mappedToIngress(project, legacyProxyNetworks).isEmpty { result.append(Network(name: "\(project.name)_ingress", project: project.name, role: .ingress)) }
        result.append(Network(name: "\(project.name)_internal", project: project.name, role: .internal))
        if !project.config.egress.internet.isEmpty { result.append(Network(name: "\(project.name)_egress", project: project.name, role: .egress)) }
        if project.compose.services.values.contains(where: { $0.ports != nil }) {
            result.append(Network(name: "\(project.name)_published", project: project.name, role: .published))
        }
        result += userNetworks(of: project)
        for consumer in consumers {
            result.append(Network(name: linkName(provider: project.name, consumer: consumer), project: project.name, role: .link, peer: consumer))
        }
        return result
    }

    /// Enabled projects with an egress edge to `provider`, sorted.
    public static func consumers(of provider: String, in repository: Repository) -> [String] {
        repository.enabledProjects
            .filter { $0.name != provider && $0.config.egress.edges.contains { $0.project == provider } }
            .map(\.name)
    }

    public static func linkName(provider: String, consumer: String) -> String { "\(provider)_link_\(consumer)" }

    /// The networks whose subnets are carved from the pool (user networks with a fixed subnet are not).
    public static func networkNames(for repository: Repository) -> [String] {
        let consumersByProvider = consumerIndex(repository)
        return repository.enabledProjects.flatMap {
            networks(for: $0, consumers: consumersByProvider[$0.name] ?? [], legacyProxyNetworks: repository.platform.network.legacyProxyNetworks)
                .filter { $0.compose?.subnet == nil }.map(\.name)
        }
    }

    /// Provider project → its consumers (enabled projects with an egress edge to it), sorted; built once.
    public static func consumerIndex(_ repository: Repository) -> [String: [String]] {
        var index: [String: Set<String>] = [:]
        for project in repository.enabledProjects {
            for edge in project.config.egress.edges where edge.project != project.name {
                index[edge.project, default: []].insert(project.name)
            }
        }
        return index.mapValues { $0.sorted() }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
