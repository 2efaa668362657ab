/// A container as listed by `GET /containers/json`.
public struct ContainerSummary: Sendable, Hashable, Decodable {
    public var id: String
    /// Docker's names, each with a leading `/`.
    public var names: [String]
    /// The image reference the container was created from.
    public var image: String
    /// `created`, `running`, `exited`, …
    public var state: String
    /// Human text such as `Up 3 minutes (healthy)`.
    public var status: String
    public var labels: [String: String]
    /// Unix time of creation.
    public var created: Int64
    /// IPv4 address per attached network (empty strings left out).
    public var addresses: [String: String]
    /// Published ports (`Ports`): one entry per host binding, or per exposed port without one.
    public var ports: [PublishedPort]

    /// The first name without its leading `/`.
    public var name: String {
        let first = names.first ?? ""
        return first.hasPrefix("/") ? String(first.dropFirst()) : first
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", status = "Status", labels = "Labels"
        case created = "Created", networkSettings = "NetworkSettings", ports = "Ports"
    }

    private struct Settings: Decodable {
        struct Endpoint: Decodable {
            var ip: String?
            enum CodingKeys: String, CodingKey { case ip = "IPAddress" }
        }
        var networks: [String: Endpoint]?
        enum CodingKeys: String, CodingKey { case networks = "Networks" }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        names = try c.decodeIfPresent([String].self, forKey: .names) ?? []
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? ""
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? ""
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        created = try c.decodeIfPresent(Int64.self, forKey: .created) ?? 0
        let settings = try c.decodeIfPresent(Settings.self, forKey: .networkSettings)
        addresses = (settings?.networks ?? [:]).compactMapValues { $0.ip.flatMap { $0.isEmpty ? nil : $0 } }
        ports = try c.decodeIfPresent([PublishedPort].self, forKey: .ports) ?? []
    }
}

/// One entry of a listed container's `Ports`.
public struct PublishedPort: Sendable, Hashable, Decodable {
    /// The host address the port is bound to (`0.0.0.0`, `::`, `127.0.0.1`); nil when it is only exposed.
    public var ip: String?
    public var privatePort: Int
    /// The host port; nil when the port is only exposed.
    public var publicPort: Int?
    /// `tcp`, `udp` or `sctp`.
    public var type: String

    public init(ip: String?, privatePort: Int, publicPort: Int?, type: String) {
        self.ip = ip
        self.privatePort = privatePort
        self.publicPort = publicPort
        self.type = type
    }

    enum CodingKeys: String, CodingKey { case ip = "IP", privatePort = "PrivatePort", publicPort = "PublicPort", type = "Type" }
}
