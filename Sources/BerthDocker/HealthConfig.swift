/// A container's health check. Durations are in nanoseconds, as Docker stores them.
public struct HealthConfig: Sendable, Hashable, Codable {
    /// `["CMD", "wget", "-q", "-O-", "http://127.0.0.1/"]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    public var test: [String]?
    public var interval: Int64?
    public var timeout: Int64?
    public var retries: Int?
    public var startPeriod: Int64?
    /// API 1.44 (Docker 25) and later; older engines ignore it.
    public var startInterval: Int64?

    public init(test: [String]?, interval: Int64? = nil, timeout: Int64? = nil, retries: Int? = nil, startPeriod: Int64? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
    }

    /// The same with `Duration`s.
    public init(test: [String], interval: Duration?, timeout: Duration? = nil, retries: Int? = nil, startPeriod: Duration? = nil) {
        self.init(
            test: test, interval: interval.map(Self.nanoseconds), timeout: timeout.map(Self.nanoseconds), retries: retries,
            startPeriod: startPeriod.map(Self.nanoseconds))
    }

    /// Whole nanoseconds of `duration`.
    public static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    enum CodingKeys: String, CodingKey {
        case test = "Test", interval = "Interval", timeout = "Timeout", retries = "Retries", startPeriod = "StartPeriod"
        case startInterval = "StartInterval"
    }
}
