/// `State` of an inspected container.
public struct ContainerState: Sendable, Hashable, Decodable {
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`.
    public var status: String
    public var running: Bool
    public var exitCode: Int
    public var oomKilled: Bool?
    public var error: String?
    public var startedAt: String?
    public var finishedAt: String?
    /// Present when the container has a health check.
    public var health: ContainerHealth?
    /// The main process's id in the host's PID namespace (0 when not running).
    public var pid: Int32?

    enum CodingKeys: String, CodingKey {
        case status = "Status", running = "Running", exitCode = "ExitCode", oomKilled = "OOMKilled", error = "Error"
        case startedAt = "StartedAt", finishedAt = "FinishedAt", health = "Health", pid = "Pid"
    }
}

/// `State.Health`: the health status and the last check results (Docker keeps five).
public struct ContainerHealth: Sendable, Hashable, Decodable {
    /// `starting`, `healthy` or `unhealthy`.
    public var status: String
    public var failingStreak: Int?
    public var log: [HealthCheckResult]

    /// Outputs of the last checks, oldest first.
    public var outputs: [String] { log.map(\.output) }

    enum CodingKeys: String, CodingKey {
        case status = "Status", failingStreak = "FailingStreak", log = "Log"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(String.self, forKey: .status)
        failingStreak = try c.decodeIfPresent(Int.self, forKey: .failingStreak)
        log = try c.decodeIfPresent([HealthCheckResult].self, forKey: .log) ?? []
    }
}

public struct HealthCheckResult: Sendable, Hashable, Decodable {
    public var exitCode: Int
    public var output: String
    public var start: String?
    public var end: String?

    enum CodingKeys: String, CodingKey {
        case exitCode = "ExitCode", output = "Output", start = "Start", end = "End"
    }
}
