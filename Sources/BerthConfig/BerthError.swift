/// An error a user — or a program driving Berth (the daemon, CI) — can act on: a stable machine
/// `code`, the `domain` it comes from, what went wrong and where (`cause`; `file:line:col` for
/// configuration), and what to do next (`hint`). `description` is the text the CLI prints.
///
/// One error type per domain conforms (ConfigError, DockerError, ProxyFailure, the engine's lock,
/// rollout and apply errors); `ErrorReport` is its Codable form (`--json`, the API).
public protocol BerthError: Error, CustomStringConvertible {
    var domain: ErrorDomain { get }
    var code: ErrorCode { get }
    /// What failed, and where.
    var cause: String { get }
    /// What to do about it (nil when there is nothing obvious to do).
    var hint: String? { get }
}

/// Where an error comes from.
public enum ErrorDomain: String, Sendable, Codable, CaseIterable {
    /// The configuration repository (platform.yml, projects/, secrets) or the command line.
    case config
    /// The Docker engine (or whichever container runtime executes the plan).
    case docker
    /// The reverse proxy (Traefik, Caddy) and its container.
    case proxy
    /// The deploy lock (one apply at a time).
    case lock
    /// A service's rollout (start, readiness, switch, drain, stop).
    case rollout
    /// Berth's own state: deployment history, route record.
    case state
    /// The apply as a whole (planning against the engine, cancellation).
    case apply
    /// Backups and restores (restic, database dumps; berth backup).
    case backup
}

/// A stable machine code for an error (`lock_held`, `docker_unreachable`, `readiness_timeout`…):
/// programs branch on it, never on the message. The set is open: new codes may be added.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    // config
    public static let configInvalid: ErrorCode = "config_invalid"
    public static let invalidArgument: ErrorCode = "invalid_argument"
    // docker
    public static let dockerUnreachable: ErrorCode = "docker_unreachable"
    public static let dockerNotFound: ErrorCode = "docker_not_found"
    public static let dockerConflict: ErrorCode = "docker_conflict"
    public static let dockerBadRequest: ErrorCode = "docker_bad_request"
    public static let dockerTimeout: ErrorCode = "docker_timeout"
    public static let dockerFailed: ErrorCode = "docker_failed"
    // proxy
    public static let proxyFailed: ErrorCode = "proxy_failed"
    public static let proxyRoutesUnreadable: ErrorCode = "proxy_routes_unreadable"
    // lock
    public static let lockHeld: ErrorCode = "lock_held"
    // rollout
    public static let readinessTimeout: ErrorCode = "readiness_timeout"
    public static let notReady: ErrorCode = "not_ready"
    public static let rolloutFailed: ErrorCode = "rollout_failed"
    public static let buildFailed: ErrorCode = "build_failed"
    // state
    public static let historyUnreadable: ErrorCode = "history_unreadable"
    public static let historyUnwritable: ErrorCode = "history_unwritable"
    public static let routeRecordUnreadable: ErrorCode = "route_record_unreadable"
    // apply
    public static let cancelled: ErrorCode = "cancelled"
    public static let platformConflict: ErrorCode = "platform_conflict"
    public static let platformChanged: ErrorCode = "platform_changed"
    public static let rollbackImpossible: ErrorCode = "rollback_impossible"
    public static let failed: ErrorCode = "failed"
    /// An error of no known domain (a bug, or a failure nobody mapped yet).
    public static let internalError: ErrorCode = "internal"
}

extension ConfigError: BerthError {
    public var domain: ErrorDomain { .config }
    public var code: ErrorCode { .configInvalid }
    public var cause: String { diagnostics.map(\.description).joined(separator: "\n") }
    public var hint: String? { "fix the problems listed (file:line:col), then run berth validate" }
}
