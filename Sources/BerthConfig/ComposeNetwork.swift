/// A top-level Compose network (`networks.<key>`): a project-scoped bridge segment beside Berth's own
/// networks, named `<project>_<key>` (or its `name`). Berth creates every such network `internal`:
/// internet access comes only from `egress.internet` in project.yml.
public struct ComposeNetwork: Sendable, Hashable, Codable {
    /// `bridge` (the only driver Berth runs; nil means bridge).
    public var driver: String?
    public var driverOpts: [String: String] = [:]
    /// The fixed IPv4 subnet (`ipam.config[0].subnet`); nil: carved from the platform's pool.
    public var subnet: String?
    public var ipRange: String?
    public var gateway: String?
    public var auxAddresses: [String: String] = [:]
    /// Only `internal: true` (or nothing) is accepted: every user network is internal.
    public var isInternal: Bool?
    public var attachable: Bool?
    public var labels: [String: String] = [:]
    /// The engine-level name; defaults to `<project>_<key>` like Compose (the key for external ones).
    public var name: String?
    /// Created outside Berth: never created nor removed by Berth; must exist at apply.
    public var external: Bool = false

    public init() {}

    /// The name Docker knows the network by.
    public func engineName(project: String, key: String) -> String { name ?? (external ? key : "\(project)_\(key)") }
}

/// How a service joins one network (the mapping form of a service's `networks`).
public struct ServiceNetwork: Sendable, Hashable, Codable {
    public var aliases: [String] = []
    /// A fixed address: only one container can hold it, so the service runs one replica with `recreate`.
    public var ipv4Address: String?
    /// Compose `priority`: networks are connected highest first.
    public var priority: Int?

    public init(aliases: [String] = [], ipv4Address: String? = nil, priority: Int? = nil) {
        self.aliases = aliases
        self.ipv4Address = ipv4Address
        self.priority = priority
    }
}

/// Compose `network_mode`.
public enum NetworkMode: Sendable, Hashable {
    /// `none`: no network at all (loopback only).
    case noNetwork
    /// The host's network stack; allowed by `policy.host_network` in platform.yml.
    case host
    /// The network namespace of a service of the same project (its one replica).
    case service(String)
    /// The network namespace of a container Berth does not manage, which must exist at apply.
    case container(String)

    public init?(_ text: String) {
        if text == "none" { self = .noNetwork } else if text == "host" { self = .host } else if text.hasPrefix("service:"), text.count > 8 {
            self = .service(String(text.dropFirst(8)))
        } else if text.hasPrefix("container:"), text.count > 10 {
            self = .container(String(text.dropFirst(10)))
        } else {
            return nil
        }
    }

    public var text: String {
        switch self {
        case .noNetwork: "none"
        case .host: "host"
        case .service(let s): "service:\(s)"
        case .container(let c): "container:\(c)"
        }
    }
}

extension ComposeService {
    /// `network_mode`, parsed (validated by the loader).
    public var parsedNetworkMode: NetworkMode? { networkMode.flatMap(NetworkMode.init) }

    /// Compose `links` as (service, alias); `db` alone is an alias `db` of service `db`.
    public var linkTargets: [(service: String, alias: String)] {
        (links ?? []).map { link in
            let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : parts[0])
        }
    }

    /// Services of the project this one needs started first besides `depends_on`: link targets and the
    /// service whose network namespace it shares.
    public var implicitDependencies: [String] {
        var result = linkTargets.map(\.service)
        if case .service(let s) = parsedNetworkMode { result.append(s) }
        return result
    }

    /// Whether the service is on the project's `default` network (Berth's `<p>_internal`): when it
    /// lists no networks, or lists `default`.
    public var joinsDefaultNetwork: Bool {
        networkMode == nil && (networks.map { $0.isEmpty || $0["default"] != nil } ?? true)
    }
}
