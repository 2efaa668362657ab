import BerthConfig
import Foundation

/// Turns a validated repository into the desired state.
public struct DesiredStateBuilder: Sendable {
    public var repository: Repository
    /// Subnets existing networks already have, so they are kept.
    public var existingSubnets: [String: IPv4Network]
    /// The platform's key for the digests of secrets in config hashes (`hash.key` in its state directory).
    public var hashKey: Data?

    public init(repository: Repository, existingSubnets: [String: IPv4Network] = [:], hashKey: Data? = nil) {
        self.repository = repository
        self.existingSubnets = existingSubnets
        self.hashKey = hashKey
    }

    public func build() throws -> DesiredState {
        let platform = repository.platform
        let projects = DependencyOrder.projects(repository.enabledProjects)
        let consumers = NetworkPlan.consumerIndex(repository)
        let networkModels = Dictionary(uniqueKeysWithValues: projects.map {
            ($0.name, NetworkPlan.networks(for: $0, consumers: consumers[$0.name] ?? [], legacyProxyNetworks: platform.network.legacyProxyNetworks))
        })
        // User networks with a fixed subnet keep it; the pool's slots avoid them.
        let fixed = Self.fixedSubnets(networkModels.values.flatMap { $0 })
        let allNames = networkModels.values.flatMap { $0.map(\.name) }.filter { fixed[$0] == nil }
        var subnets = try SubnetAllocator(pools: platform.network.pools, prefix: platform.network.subnetPrefix)
            .allocate(allNames, existing: existingSubnets.merging(fixed) { _, mine in mine })
        subnets.merge(fixed) { _, mine in mine }
        // provider project → consumer project → provider services it may reach
        var exposedTo: [String: [String: Set<String>]] = [:]
        for consumer in projects {
            for edge in consumer.config.egress.edges {
                exposedTo[edge.project, default: [:]][consumer.name, default: []].insert(edge.service)
            }
        }
        let states = try projects.map { project in
            try projectState(project, networks: networkModels[project.name] ?? [], subnets: subnets,
                         exposedTo: exposedTo[project.name] ?? [:])
        }
        return DesiredState(platform: platform, projects: states)
    }

    private func projectState(
        _ project: Project, networks models: [NetworkPlan.Network], subnets: [String: IPv4Network],
        exposedTo: [String: Set<String>]
    ) throws -> ProjectState {
        let p = project.name
        let networks = models.map { model in
            let subnet = subnets[model.name]!
            var spec = NetworkSpec(
                name: model.name, project: p, role: model.role, subnet: subnet.description, gateway: subnet.gateway,
                isInternal: model.isInternal,
                labels: Labels.managed(project: p, platform: repository.platform.name).merging([
                    "berth.network.role": model.role.rawValue,
                    "com.docker.compose.network": model.name.dropFirst(p.count + 1).description,
                ]) { a, _ in a })
            if model.role == .published { spec.options = ["com.docker.network.bridge.enable_ip_masquerade": "false"] }
            if let compose = model.compose { Self.applyUserSettings(compose, key: model.key ?? "", to: &spec) }
            return spec
        }
        let volumes = project.compose.volumes.keys.sorted().map { key in
            let v = project.compose.volumes[key]!
            return VolumeSpec(
                name: v.name ?? (v.external ? key : "\(p)_\(key)"), project: p, key: key, driver: v.driver, driverOpts: v.driverOpts,
                labels: v.labels.merging(Labels.managed(project: p, platform: repository.platform.name).merging(["com.docker.compose.volume": key]) { a, _ in a }) { a, _ in a },
                external: v.external)
        }
        let volumeNames = Dictionary(uniqueKeysWithValues: volumes.map { ($0.key, $0.name) })
        let ingress = project.ingressServices
        let internet = Set(project.config.egress.internet)
        var services: [ServiceSpec] = []
        let attachmentsByService = Self.attachments(project, platform: repository.platform, ingress: ingress, internet: internet, exposedTo: exposedTo)
        var hashes: [String: String] = [:]
        for name in DependencyOrder.services(project.compose.services) {
            var spec = project.compose.services[name]!
            // network_mode service:x joins x's one replica, whose name carries x's hash: x's new
            // version gives this service a new hash too, so it is recreated after x.
            if case .service(let target) = spec.parsedNetworkMode, let targetHash = hashes[target] {
                let fixed = project.compose.services[target]?.settings?.containerName
                spec.networkMode = "container:\(fixed ?? "\(p)-\(target)-\(targetHash.prefix(8))-1")"
            }
            // Volume keys become engine names so that the hash and the container see the same thing.
            spec.volumes = spec.volumes.map { mount in
                var m = mount
                if m.type == .volume, let key = m.source { m.source = volumeNames[key] ?? key }
                return m
            }
            if let build = spec.build {
                // The built image is tagged with the context's digest: a changed source is a new image
                // (and a new config hash), an unchanged one is found locally and not built again.
                let digest = try BuildContext.scan(build, projectDirectory: project.directory, service: "\(p)/\(name)").digest(build)
                spec.build?.contextDigest = digest
                spec.image = Self.buildTag(project: p, service: name, digest: digest)
            }
            spec.files = Self.digested(spec.files, hashKey: hashKey)
            spec.secretEnvironment = Self.digested(spec.secretEnvironment, hashKey: hashKey)
            let attachments = attachmentsByService[name] ?? []
            // depends_on with `restart: true`: a new version of the dependency restarts this service too,
            // so the dependency's hash is part of this one's (dependencies come first in this loop).
            let restartWith = Dictionary(uniqueKeysWithValues: spec.dependsOn.filter(\.value.restart).keys.sorted().compactMap { dep in
                services.first { $0.name == dep }.map { ("restart-with:\(dep)", $0.configHash) }
            })
            let hash = ConfigHash.compute(image: spec.image, spec: spec, networks: attachments, extra: restartWith)
            hashes[name] = hash
            let (strategy, reason) = Self.strategy(for: name, spec: spec, settings: project.config.rollout)
            let replicas = (0..<spec.replicas).map { i in
                ContainerSpec(
                    name: spec.settings?.containerName ?? "\(p)-\(name)-\(hash.prefix(8))-\(i + 1)", project: p, service: name, index: i + 1,
                    labels: Labels.container(project: project, platform: repository.platform.name, service: name, index: i + 1, hash: hash, spec: spec),
                    networks: attachments)
            }
            services.append(ServiceSpec(
                project: p, name: name, spec: spec, configHash: hash, strategy: strategy, strategyReason: reason,
                replicas: replicas,
                ingressPorts: Array(Set(project.config.ingress.filter { $0.service == name }.map(\.port))).sorted(),
                dependsOn: Set(spec.dependsOn.keys).union(project.compose.services[name]!.implicitDependencies).sorted()))
        }
        let routes = Self.routes(project, services: services, platform: repository.platform)
        return ProjectState(
            name: p, directory: project.directory.path, networks: networks, volumes: volumes, services: services,
            routes: routes, rollout: project.config.rollout,
            dependencies: Array(Set(project.config.egress.edges.map(\.project))).sorted(),
            notes: Self.networkNotes(project, networks: networks, platform: repository.platform),
            externalNetworks: NetworkPlan.externalNetworks(project, repository.platform.network.legacyProxyNetworks).map(\.name),
            leftOut: project.compose.leftOut)
    }

    /// `<project>-<service>:<digest>`: the tag Berth builds a service's image as.
    public static func buildTag(project: String, service: String, digest: String) -> String {
        "\(project)-\(service):\(digest)"
    }

    static func strategy(for name: String, spec: ComposeService, settings: RolloutSettings) -> (RolloutStrategy, String) {
        if let containerName = spec.settings?.containerName {
            return (.recreate, "has container_name '\(containerName)', which old and new replicas cannot both hold")
        }
        let chosen = settings.services[name] ?? (settings.strategy == .auto ? spec.updateOrder : nil) ?? settings.strategy
        switch chosen {
        case .startFirst: return (.startFirst, "configured")
        case .recreate: return (.recreate, "configured")
        case .auto:
            if let port = spec.ports?.first(where: { $0.hostPort != nil }) {
                return (.recreate, "publishes host port \(port.description), which old and new replicas cannot bind at once")
            }
            if let reason = networkRecreateReason(spec) { return (.recreate, reason) }
            let exclusive = spec.volumes.filter { $0.type == .volume && $0.source != nil }
                .compactMap(\.source)
                .filter { source in !settings.sharedVolumes.contains { source.hasSuffix("_\($0)") || source == $0 } }
            if let volume = exclusive.first {
                return (.recreate, "mounts volume '\(volume)', which old and new replicas cannot share")
            }
            return (.startFirst, "stateless")
        }
    }

    static func routes(_ project: Project, services: [ServiceSpec], platform: PlatformConfig) -> [ProxyRoute] {
        var counters: [String: Int] = [:]
        return project.config.ingress.compactMap { route in
            guard let service = services.first(where: { $0.name == route.service }) else { return nil }
            counters[route.service, default: 0] += 1
            var chain = route.proto == .http && route.defaultMiddlewares ? platform.defaultMiddlewares : []
            for m in route.middlewares where !chain.contains(m) { chain.append(m) }
            return ProxyRoute(
                name: "\(project.name)-\(route.service)-\(counters[route.service]!)", project: project.name,
                service: route.service, proto: route.proto, hosts: route.hosts, path: route.path, tls: route.tls,
                entrypoint: route.entrypoint, listenPort: route.entrypoint.flatMap { platform.entrypoints[$0]?.port },
                middlewares: chain,
                upstreams: service.replicas.map { ProxyRoute.Upstream(host: $0.name, port: route.port) },
                health: route.health, port: route.port)
        }
    }
}

/// Labels on everything Berth creates. Berth never touches a resource without `berth.managed=true`.
public enum Labels {
    public static let managed = "berth.managed"
    public static let project = "berth.project"
    public static let service = "berth.service"
    public static let configHash = "berth.config-hash"
    public static let replica = "berth.replica"
    public static let deployment = "berth.deployment"
    /// The platform (platform.yml `name`) a resource belongs to: platforms sharing a Docker host never
    /// see each other's resources.
    public static let platform = "berth.platform"

    public static func managed(project p: String, platform name: String) -> [String: String] {
        [managed: "true", project: p, platform: name, "com.docker.compose.project": p]
    }

    static func container(project: Project, platform: String, service: String, index: Int, hash: String,
                          spec: ComposeService) -> [String: String] {
        var labels = spec.labels
        labels.merge(managed(project: project.name, platform: platform)) { _, berth in berth }
        labels[Self.service] = service
        labels[configHash] = hash
        labels[replica] = String(index)
        labels["com.docker.compose.service"] = service
        labels["com.docker.compose.container-number"] = String(index)
        labels["com.docker.compose.oneoff"] = "False"
        labels["com.docker.compose.config-hash"] = hash
        labels["com.docker.compose.project.working_dir"] = project.directory.path
        labels["com.docker.compose.project.config_files"] = project.directory.appendingPathComponent("compose.yml").path
        return labels
    }
}

/// Deployment order: providers before consumers; depends_on before dependents. Ties by name.
enum DependencyOrder {
    static func projects(_ projects: [Project]) -> [Project] {
        let byName = Dictionary(uniqueKeysWithValues: projects.map { ($0.name, $0) })
        let order = topological(projects.map(\.name).sorted()) { name in
            byName[name]?.config.egress.edges.map(\.project).filter { byName[$0] != nil } ?? []
        }
        return order.compactMap { byName[$0] }
    }

    static func services(_ services: [String: ComposeService]) -> [String] {
        topological(services.keys.sorted()) { name in
            guard let s = services[name] else { return [] }
            return Set(s.dependsOn.keys).union(s.implicitDependencies).filter { services[$0] != nil }.sorted()
        }
    }

    /// Depth-first topological sort; cycles (already reported by validation) are broken arbitrarily.
    static func topological(_ names: [String], dependencies: (String) -> [String]) -> [String] {
        var done = Set<String>()
        var visiting = Set<String>()
        var order: [String] = []
        func visit(_ name: String) {
            if done.contains(name) || visiting.contains(name) { return }
            visiting.insert(name)
            for dep in dependencies(name).sorted() { visit(dep) }
            visiting.remove(name)
            done.insert(name)
            order.append(name)
        }
        for name in names { visit(name) }
        return order
    }
}
