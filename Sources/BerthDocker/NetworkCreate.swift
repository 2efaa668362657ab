/// A network to create (`POST /networks/create`).
public struct NetworkCreate: Sendable, Hashable, Encodable {
    public var name: String
    public var driver: String
    /// No route out of the network: containers on it reach only each other.
    public var `internal`: Bool
    public var attachable: Bool?
    public var labels: [String: String]
    public var ipam: IPAM?
    /// Refuse a second network of the same name (ignored, and always done, from API 1.44).
    public var checkDuplicate: Bool
    /// Driver options, e.g. `com.docker.network.bridge.enable_ip_masquerade`.
    public var options: [String: String]?

    public init(
        name: String, driver: String = "bridge", internal: Bool = false, attachable: Bool? = nil,
        labels: [String: String] = [:], ipam: IPAM? = nil, checkDuplicate: Bool = true
    ) {
        self.name = name
        self.driver = driver
        self.internal = `internal`
        self.attachable = attachable
        self.labels = labels
        self.ipam = ipam
        self.checkDuplicate = checkDuplicate
    }

    /// A network with one subnet (and optionally its gateway).
    public static func bridge(
        _ name: String, subnet: String?, gateway: String? = nil, internal: Bool = false, labels: [String: String] = [:]
    ) -> NetworkCreate {
        NetworkCreate(
            name: name, internal: `internal`, labels: labels,
            ipam: subnet.map { IPAM(config: [IPAMConfig(subnet: $0, gateway: gateway)]) })
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", `internal` = "Internal", attachable = "Attachable", labels = "Labels"
        case ipam = "IPAM", checkDuplicate = "CheckDuplicate", options = "Options"
    }
}
