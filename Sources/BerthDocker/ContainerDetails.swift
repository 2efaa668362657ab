/// An inspected container (`GET /containers/{id}/json`), the fields Berth needs.
public struct ContainerDetails: Sendable, Hashable, Decodable {
    public var id: String
    /// As Docker reports it, with a leading `/`.
    public var rawName: String
    /// The image id (`sha256:…`); the reference it was created from is `config.image`.
    public var image: String
    public var state: ContainerState
    public var restartCount: Int
    public var config: ContainerConfig
    public var hostConfig: HostConfig?
    public var networks: [String: EndpointSettings]

    /// The name without Docker's leading `/`.
    public var name: String { rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName }
    public var labels: [String: String] { config.labels ?? [:] }

    enum CodingKeys: String, CodingKey {
        case id = "Id", rawName = "Name", image = "Image", state = "State", restartCount = "RestartCount"
        case config = "Config", hostConfig = "HostConfig", networkSettings = "NetworkSettings"
    }

    private struct NetworkSettings: Decodable {
        var networks: [String: EndpointSettings]?
        enum CodingKeys: String, CodingKey { case networks = "Networks" }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        rawName = try c.decodeIfPresent(String.self, forKey: .rawName) ?? ""
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        state = try c.decode(ContainerState.self, forKey: .state)
        restartCount = try c.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        config = try c.decode(ContainerConfig.self, forKey: .config)
        hostConfig = try c.decodeIfPresent(HostConfig.self, forKey: .hostConfig)
        networks = try c.decodeIfPresent(NetworkSettings.self, forKey: .networkSettings)?.networks ?? [:]
    }
}
