/// `GET /info`: the engine-wide settings the daemon reports about itself (the fields Berth needs).
public struct SystemInfo: Sendable, Hashable, Decodable {
    public var name: String?
    public var serverVersion: String?
    /// Whether containers keep running while the daemon is down (`live-restore`).
    public var liveRestoreEnabled: Bool?
    /// The default log driver of new containers (`json-file`, `local`, `journald`, …).
    public var loggingDriver: String?
    /// `name=seccomp,profile=default`, `name=apparmor`, `name=userns`, `name=rootless`, …
    public var securityOptions: [String]
    public var dockerRootDir: String?

    enum CodingKeys: String, CodingKey {
        case name = "Name", serverVersion = "ServerVersion", liveRestoreEnabled = "LiveRestoreEnabled"
        case loggingDriver = "LoggingDriver", securityOptions = "SecurityOptions", dockerRootDir = "DockerRootDir"
    }

    public init(
        name: String? = nil, serverVersion: String? = nil, liveRestoreEnabled: Bool? = nil, loggingDriver: String? = nil,
        securityOptions: [String] = [], dockerRootDir: String? = nil
    ) {
        self.name = name
        self.serverVersion = serverVersion
        self.liveRestoreEnabled = liveRestoreEnabled
        self.loggingDriver = loggingDriver
        self.securityOptions = securityOptions
        self.dockerRootDir = dockerRootDir
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        serverVersion = try c.decodeIfPresent(String.self, forKey: .serverVersion)
        liveRestoreEnabled = try c.decodeIfPresent(Bool.self, forKey: .liveRestoreEnabled)
        loggingDriver = try c.decodeIfPresent(String.self, forKey: .loggingDriver)
        securityOptions = try c.decodeIfPresent([String].self, forKey: .securityOptions) ?? []
        dockerRootDir = try c.decodeIfPresent(String.self, forKey: .dockerRootDir)
    }
}

extension DockerClient {
    /// The engine's system-wide information (`GET /info`).
    public nonisolated func info() async throws -> SystemInfo {
        try await get(SystemInfo.self, "/info", context: "asking the Docker engine for its settings")
    }
}
