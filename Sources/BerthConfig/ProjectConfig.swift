/// `projects/<name>/project.yml`: how a project is exposed and what it may reach.
public struct ProjectConfig: Sendable, Hashable {
    public var enabled: Bool = true
    public var ingress: [IngressRoute] = []
    public var egress: Egress = Egress()
    public var rollout: RolloutSettings = RolloutSettings()
    /// Compose profiles enabled for this project: services that list one of them run too.
    public var profiles: [String] = []
    /// `backups`: the volumes and databases `berth backup` copies (nil: none).
    public var backups: BackupProjectConfig?

    public init() {}
}

public struct IngressRoute: Sendable, Hashable {
    public var service: String
    public var hosts: [String]
    /// Path prefix; `/` matches everything.
    public var path: String = "/"
    /// The container port the service listens on.
    public var port: Int
    public var proto: RouteProtocol = .http
    /// TLS termination at the proxy (default on for http, off for tcp; never for udp).
    public var tls: Bool
    /// Named middlewares from platform.yml, applied after the platform's default chain.
    public var middlewares: [String] = []
    /// Whether the platform's `default_middlewares` apply to this route.
    public var defaultMiddlewares: Bool = true
    /// For tcp/udp: the platform entrypoint (listening port) this route is served on.
    public var entrypoint: String?
    public var health: HealthProbe?
    public var location: Location

    public init(service: String, hosts: [String], port: Int, proto: RouteProtocol = .http, tls: Bool? = nil, location: Location) {
        self.service = service
        self.hosts = hosts
        self.port = port
        self.proto = proto
        self.tls = tls ?? (proto == .http)
        self.location = location
    }
}

/// Berth's own readiness probe and the proxy's active health check for a route.
public struct HealthProbe: Sendable, Hashable {
    public var path: String = "/"
    public var interval: TimeSpan = .seconds(10)
    public var timeout: TimeSpan = .seconds(3)
    /// Status codes counted as healthy: 200–399 unless set.
    public var expectStatus: Int?

    public init() {}
}

public struct Egress: Sendable, Hashable {
    /// Services that may open connections to the internet (joined to `<project>_egress`).
    public var internet: [String] = []
    /// Services of other projects this project's services may reach.
    public var edges: [EgressEdge] = []

    public init() {}
}

/// `from` (a service of this project) may reach `project/service`, by the name `<service>.<project>`.
public struct EgressEdge: Sendable, Hashable {
    public var from: [String]
    public var project: String
    public var service: String
    public var location: Location

    public init(from: [String], project: String, service: String, location: Location) {
        self.from = from
        self.project = project
        self.service = service
        self.location = location
    }

    /// The DNS name consumers use to reach the provider.
    public var alias: String { "\(service).\(project)" }
}

public enum RolloutStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Start-first unless the service mounts a named volume that cannot be shared, then recreate.
    case auto
    case startFirst = "start-first"
    case recreate
}

public struct RolloutSettings: Sendable, Hashable {
    public var strategy: RolloutStrategy = .auto
    /// Per-service strategy overrides.
    public var services: [String: RolloutStrategy] = [:]
    /// How long new replicas have to become ready before the rollout is rolled back.
    public var readyTimeout: TimeSpan = .seconds(60)
    /// How long to wait for in-flight requests to old replicas to finish.
    public var drainTimeout: TimeSpan = .seconds(30)
    /// Volumes that may be mounted by old and new replicas at once (start-first stays allowed).
    public var sharedVolumes: [String] = []

    public init() {}
}
