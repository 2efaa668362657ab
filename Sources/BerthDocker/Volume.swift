/// A named volume as listed, inspected or created.
public struct Volume: Sendable, Hashable, Decodable {
    public var name: String
    public var driver: String
    public var mountpoint: String?
    public var labels: [String: String]
    public var options: [String: String]
    public var scope: String?
    public var createdAt: String?

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", mountpoint = "Mountpoint", labels = "Labels", options = "Options"
        case scope = "Scope", createdAt = "CreatedAt"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        driver = try c.decodeIfPresent(String.self, forKey: .driver) ?? "local"
        mountpoint = try c.decodeIfPresent(String.self, forKey: .mountpoint)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
    }
}

/// A volume to create (`POST /volumes/create`).
public struct VolumeCreate: Sendable, Hashable, Encodable {
    public var name: String
    public var driver: String
    public var driverOpts: [String: String]
    public var labels: [String: String]

    public init(name: String, driver: String = "local", driverOpts: [String: String] = [:], labels: [String: String] = [:]) {
        self.name = name
        self.driver = driver
        self.driverOpts = driverOpts
        self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", driverOpts = "DriverOpts", labels = "Labels"
    }
}
