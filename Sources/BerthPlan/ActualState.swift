import BerthConfig

/// What exists on the engine, as far as Berth manages it (only resources labelled `berth.managed=true`).
public struct ActualState: Sendable, Hashable {
    public var containers: [ActualContainer]
    public var networks: [ActualNetwork]
    public var volumes: [ActualVolume]
    /// The routes the proxy was last given (without upstreams); nil when unknown (no proxy yet, or
    /// planning offline), in which case routes are not diffed.
    public var routes: [ProxyRoute]?

    public init(containers: [ActualContainer] = [], networks: [ActualNetwork] = [], volumes: [ActualVolume] = [],
                routes: [ProxyRoute]? = nil) {
        self.containers = containers
        self.networks = networks
        self.volumes = volumes
        self.routes = routes
    }

    public static let empty = ActualState()

    public var projects: Set<String> {
        Set(containers.map(\.project) + networks.map(\.project) + volumes.map(\.project))
    }

    /// Subnets of existing managed networks, so that the desired state keeps them.
    public var subnets: [String: IPv4Network] {
        Dictionary(networks.compactMap { n in n.subnet.flatMap(IPv4Network.init(parsing:)).map { (n.name, $0) } }) { a, _ in a }
    }

    public func containers(project: String, service: String) -> [ActualContainer] {
        containers.filter { $0.project == project && $0.service == service }
    }
}

public struct ActualContainer: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var project: String
    public var service: String
    public var configHash: String
    public var replica: Int
    public var deployment: String?
    public var image: String
    public var running: Bool
    /// nil when the container has no health check.
    public var healthy: Bool?

    public init(id: String, name: String, project: String, service: String, configHash: String, replica: Int,
                deployment: String? = nil, image: String, running: Bool = true, healthy: Bool? = nil) {
        self.id = id
        self.name = name
        self.project = project
        self.service = service
        self.configHash = configHash
        self.replica = replica
        self.deployment = deployment
        self.image = image
        self.running = running
        self.healthy = healthy
    }
}

public struct ActualNetwork: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var project: String
    public var subnet: String?
    public var isInternal: Bool
    /// The platform it belongs to (`berth.platform`).
    public var platform: String?
    /// A user network's recorded settings (`berth.network.settings`), nil for Berth's own networks.
    public var settings: String?

    public init(id: String, name: String, project: String, subnet: String?, isInternal: Bool, platform: String? = nil) {
        self.id = id
        self.platform = platform
        self.name = name
        self.project = project
        self.subnet = subnet
        self.isInternal = isInternal
    }
}

public struct ActualVolume: Sendable, Hashable, Codable {
    public var name: String
    public var project: String
    public var platform: String?

    public init(name: String, project: String, platform: String? = nil) {
        self.name = name
        self.project = project
        self.platform = platform
    }
}
