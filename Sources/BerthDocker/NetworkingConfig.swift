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

    public init(aliases: [String]? = nil) {
        self.aliases = aliases
    }

    enum CodingKeys: String, CodingKey {
        case aliases = "Aliases"
    }
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
