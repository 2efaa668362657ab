/// A container to create (`POST /containers/create`), and the `Config` part of an inspected container
/// or image. Only the fields Berth needs; `nil` fields are left to Docker's defaults.
public struct ContainerConfig: Sendable, Hashable, Codable {
    public var image: String
    public var cmd: [String]?
    public var entrypoint: [String]?
    /// `KEY=value` entries.
    public var env: [String]?
    public var labels: [String: String]?
    public var user: String?
    public var workingDir: String?
    public var hostname: String?
    public var tty: Bool?
    public var openStdin: Bool?
    public var domainname: String?
    /// API 1.41 takes the MAC address here (later versions per endpoint).
    public var macAddress: String?
    public var healthcheck: HealthConfig?
    /// Signal sent by `stop` (e.g. `SIGTERM`, `SIGQUIT`). On API 1.41 this is the only way to choose it.
    public var stopSignal: String?
    /// Seconds `stop` waits before SIGKILL when no timeout is given.
    public var stopTimeout: Int?
    /// Ports such as `80/tcp`.
    public var exposedPorts: [String]?
    /// Only sent on create; `nil` in an inspected `Config` (see `ContainerDetails.hostConfig`).
    public var hostConfig: HostConfig?
    /// Only sent on create. Several networks are allowed: the first is attached on create, the
    /// others are connected before `createContainer` returns (API 1.41 accepts one network on create).
    public var networkingConfig: NetworkingConfig?

    public init(
        image: String, cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil,
        labels: [String: String]? = nil, user: String? = nil, workingDir: String? = nil, hostname: String? = nil,
        tty: Bool? = nil, healthcheck: HealthConfig? = nil, stopSignal: String? = nil, stopTimeout: Int? = nil,
        exposedPorts: [String]? = nil, hostConfig: HostConfig? = nil, networkingConfig: NetworkingConfig? = nil
    ) {
        self.image = image
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.env = env
        self.labels = labels
        self.user = user
        self.workingDir = workingDir
        self.hostname = hostname
        self.tty = tty
        self.healthcheck = healthcheck
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        self.exposedPorts = exposedPorts
        self.hostConfig = hostConfig
        self.networkingConfig = networkingConfig
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", entrypoint = "Entrypoint", env = "Env", labels = "Labels", user = "User"
        case workingDir = "WorkingDir", hostname = "Hostname", tty = "Tty", healthcheck = "Healthcheck"
        case openStdin = "OpenStdin", domainname = "Domainname", macAddress = "MacAddress"
        case stopSignal = "StopSignal", stopTimeout = "StopTimeout", exposedPorts = "ExposedPorts"
        case hostConfig = "HostConfig", networkingConfig = "NetworkingConfig"
    }

    /// Docker writes a set of ports as an object of empty objects: `{"80/tcp": {}}`.
    private struct Empty: Codable {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        cmd = try c.decodeIfPresent([String].self, forKey: .cmd)
        entrypoint = try c.decodeIfPresent([String].self, forKey: .entrypoint)
        env = try c.decodeIfPresent([String].self, forKey: .env)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        workingDir = try c.decodeIfPresent(String.self, forKey: .workingDir)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        tty = try c.decodeIfPresent(Bool.self, forKey: .tty)
        openStdin = try c.decodeIfPresent(Bool.self, forKey: .openStdin)
        domainname = try c.decodeIfPresent(String.self, forKey: .domainname)
        macAddress = try c.decodeIfPresent(String.self, forKey: .macAddress)
        healthcheck = try c.decodeIfPresent(HealthConfig.self, forKey: .healthcheck)
        stopSignal = try c.decodeIfPresent(String.self, forKey: .stopSignal)
        stopTimeout = try c.decodeIfPresent(Int.self, forKey: .stopTimeout)
        exposedPorts = try c.decodeIfPresent([String: Empty].self, forKey: .exposedPorts).map { $0.keys.sorted() }
        hostConfig = try c.decodeIfPresent(HostConfig.self, forKey: .hostConfig)
        networkingConfig = try c.decodeIfPresent(NetworkingConfig.self, forKey: .networkingConfig)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(image, forKey: .image)
        try c.encodeIfPresent(cmd, forKey: .cmd)
        try c.encodeIfPresent(entrypoint, forKey: .entrypoint)
        try c.encodeIfPresent(env, forKey: .env)
        try c.encodeIfPresent(labels, forKey: .labels)
        try c.encodeIfPresent(user, forKey: .user)
        try c.encodeIfPresent(workingDir, forKey: .workingDir)
        try c.encodeIfPresent(hostname, forKey: .hostname)
        try c.encodeIfPresent(tty, forKey: .tty)
        try c.encodeIfPresent(openStdin, forKey: .openStdin)
        try c.encodeIfPresent(domainname, forKey: .domainname)
        try c.encodeIfPresent(macAddress, forKey: .macAddress)
        try c.encodeIfPresent(healthcheck, forKey: .healthcheck)
        try c.encodeIfPresent(stopSignal, forKey: .stopSignal)
        try c.encodeIfPresent(stopTimeout, forKey: .stopTimeout)
        try c.encodeIfPresent(exposedPorts.map { Dictionary(uniqueKeysWithValues: Set($0).map { ($0, Empty()) }) }, forKey: .exposedPorts)
        try c.encodeIfPresent(hostConfig, forKey: .hostConfig)
        try c.encodeIfPresent(networkingConfig, forKey: .networkingConfig)
    }
}
