/// A network as listed or inspected. `containers` is only filled by inspect.
public struct Network: Sendable, Hashable, Decodable {
    public var id: String
    public var name: String
    public var driver: String
    public var scope: String?
    /// RFC 3339 time of creation.
    public var created: String?
    public var `internal`: Bool
    public var labels: [String: String]
    public var ipam: IPAM?
    /// Attached containers by id (inspect only).
    public var containers: [String: NetworkContainer]
    /// Driver options, e.g. `com.docker.network.bridge.enable_icc` on the default bridge.
    public var options: [String: String]

    /// Subnets of the IPAM configuration.
    public var subnets: [String] { ipam?.config.compactMap(\.subnet) ?? [] }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", driver = "Driver", scope = "Scope", created = "Created", `internal` = "Internal", labels = "Labels"
        case ipam = "IPAM", containers = "Containers", options = "Options"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        driver = try c.decodeIfPresent(String.self, forKey: .driver) ?? ""
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        created = try c.decodeIfPresent(String.self, forKey: .created)
        `internal` = try c.decodeIfPresent(Bool.self, forKey: .internal) ?? false
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        ipam = try c.decodeIfPresent(IPAM.self, forKey: .ipam)
        containers = try c.decodeIfPresent([String: NetworkContainer].self, forKey: .containers) ?? [:]
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
    }
}

/// A container attached to a network, as the network's inspect reports it.
public struct NetworkContainer: Sendable, Hashable, Decodable {
    public var name: String
    /// `10.250.0.2/24`.
    public var ipv4Address: String?

    enum CodingKeys: String, CodingKey {
        case name = "Name", ipv4Address = "IPv4Address"
    }
}

/// IP address management of a network.
public struct IPAM: Sendable, Hashable, Codable {
    public var driver: String?
    public var config: [IPAMConfig]

    public init(driver: String? = nil, config: [IPAMConfig]) {
        self.driver = driver
        self.config = config
    }

    enum CodingKeys: String, CodingKey {
        case driver = "Driver", config = "Config"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        driver = try c.decodeIfPresent(String.self, forKey: .driver)
        config = try c.decodeIfPresent([IPAMConfig].self, forKey: .config) ?? []
    }
}

public struct IPAMConfig: Sendable, Hashable, Codable {
    /// `10.250.3.0/24`.
    public var subnet: String?
    public var gateway: String?
    /// The part of the subnet Docker assigns container addresses from.
    public var ipRange: String?
    /// Addresses Docker must not assign, by name.
    public var auxAddresses: [String: String]?

    public init(subnet: String? = nil, gateway: String? = nil, ipRange: String? = nil, auxAddresses: [String: String]? = nil) {
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.auxAddresses = auxAddresses
    }

    enum CodingKeys: String, CodingKey {
        case subnet = "Subnet", gateway = "Gateway", ipRange = "IPRange", auxAddresses = "AuxiliaryAddresses"
    }
}
