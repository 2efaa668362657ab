import BerthConfig

/// What the platform should look like: the planner's input, and the renderers' and engine's model.
public struct DesiredState: Sendable {
    public var platform: PlatformConfig
    /// Enabled projects in deployment order: providers of egress edges before their consumers.
    public var projects: [ProjectState]

    public init(platform: PlatformConfig, projects: [ProjectState]) {
        self.platform = platform
        self.projects = projects
    }

    public var networks: [NetworkSpec] { projects.flatMap(\.networks) }
    public var volumes: [VolumeSpec] { projects.flatMap(\.volumes) }
    public var services: [ServiceSpec] { projects.flatMap(\.services) }
    public var routes: [ProxyRoute] { projects.flatMap(\.routes) }

    public func project(_ name: String) -> ProjectState? { projects.first { $0.name == name } }
}

public struct ProjectState: Sendable {
    public var name: String
    /// The project's directory, recorded in Compose's working_dir label.
    public var directory: String
    public var networks: [NetworkSpec]
    public var volumes: [VolumeSpec]
    /// In start order (depends_on first).
    public var services: [ServiceSpec]
    public var routes: [ProxyRoute]
    public var rollout: RolloutSettings
    /// Projects whose services this one consumes (egress edges).
    public var dependencies: [String]
    /// What the plan must tell about how compose.yml was mapped (user networks are internal, an old
    /// shared proxy network joined as `<p>_ingress`, external networks that must exist).
    public var notes: [String] = []
    /// External networks (not Berth's) services join as they are; they must exist at apply.
    public var externalNetworks: [String] = []
    /// Services of compose.yml that do not run because none of their profiles is enabled: name → profiles.
    public var leftOut: [String: [String]] = [:]

    public func service(_ name: String) -> ServiceSpec? { services.first { $0.name == name } }
}

public struct NetworkSpec: Sendable, Hashable, Codable {
    public var name: String
    public var project: String
    public var role: NetworkPlan.Role
    public var subnet: String
    public var gateway: String
    /// `internal: true`: no route to the internet.
    public var isInternal: Bool
    public var labels: [String: String]
    /// Driver options (`<p>_published`: no IP masquerading, so no internet through it).
    public var options: [String: String] = [:]
    /// User networks (Compose `ipam`): the range Docker assigns addresses from, reserved addresses.
    public var ipRange: String?
    public var auxAddresses: [String: String] = [:]
    public var attachable: Bool?

    public init(name: String, project: String, role: NetworkPlan.Role, subnet: String, gateway: String, isInternal: Bool,
                labels: [String: String]) {
        self.name = name
        self.project = project
        self.role = role
        self.subnet = subnet
        self.gateway = gateway
        self.isInternal = isInternal
        self.labels = labels
    }
}

public struct VolumeSpec: Sendable, Hashable, Codable {
    /// Engine-level name (`<project>_<key>` unless the volume sets `name`).
    public var name: String
    public var project: String
    /// The key in compose.yml.
    public var key: String
    public var driver: String?
    public var driverOpts: [String: String]
    public var labels: [String: String]
    public var external: Bool
}

/// One service: its normalized spec, its config hash, and one container per replica.
public struct ServiceSpec: Sendable, Hashable {
    public var project: String
    public var name: String
    public var spec: ComposeService
    /// sha256 (hex) of the image reference, normalized spec and networks; replicas excluded.
    public var configHash: String
    public var strategy: RolloutStrategy
    /// Why the strategy was chosen, stated in the plan.
    public var strategyReason: String
    public var replicas: [ContainerSpec]
    /// Ports the proxy reaches this service on; empty when it has no ingress.
    public var ingressPorts: [Int]
    /// Services of this project that must start first.
    public var dependsOn: [String]

    public var shortHash: String { String(configHash.prefix(12)) }
}

public struct ContainerSpec: Sendable, Hashable, Codable {
    public var name: String
    public var project: String
    public var service: String
    /// 1-based replica number (Compose's container-number).
    public var index: Int
    public var labels: [String: String]
    public var networks: [NetworkAttachment]
}

public struct NetworkAttachment: Sendable, Hashable, Codable {
    public var network: String
    public var aliases: [String]
    /// A fixed address on the network (Compose `ipv4_address`); nil (omitted from the hash) otherwise.
    public var ipv4Address: String?

    public init(network: String, aliases: [String], ipv4Address: String? = nil) {
        self.network = network
        self.aliases = aliases
        self.ipv4Address = ipv4Address
    }
}
