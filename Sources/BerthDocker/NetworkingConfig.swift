/// `NetworkingConfig` of a container create: the networks to attach, by name.
public struct NetworkingConfig: Sendable, Hashable, Codable {
    public var endpointsConfig: [String: EndpointConfig]

    public init(endpointsConfig: [String: EndpointConfig]) {
        self.endpointsConfig = endpointsConfig
    }

    enum CodingKeys: String, CodingKey {
        case endpointsConfig = "EndpointsConfig"
    }
}

/// How a container joins one network.
public struct EndpointConfig: Sendable, Hashable, Codable {
    /// Extra DNS names of the container on that network.
    public var aliases: [String]?
    /// A fixed address on that network (kept across restarts; the network needs a configured subnet).
    public var ipamConfig: EndpointIPAMConfig?

    public init(aliases: [String]? = nil, ipv4Address: String? = nil) {
        self.aliases = aliases
        self.ipamConfig = ipv4Address.map { EndpointIPAMConfig(ipv4Address: $0) }
    }

    enum CodingKeys: String, CodingKey {
        case aliases = "Aliases", ipamConfig = "IPAMConfig"
    }
}

public struct EndpointIPAMConfig: Sendable, Hashable, Codable {
    public var ipv4Address: String?

    public init(ipv4Address: String?) { self.ipv4Address = ipv4Address }

    enum CodingKeys: String, CodingKey { case ipv4Address = "IPv4Address" }
}

/// A container's attachment to one network, as inspected.
public struct EndpointSettings: Sendable, Hashable, Decodable {
    public var networkID: String?
    public var ipAddress: String?
    public var aliases: [String]?

    enum CodingKeys: String, CodingKey {
        case networkID = "NetworkID", ipAddress = "IPAddress", aliases = "Aliases"
    }
}
