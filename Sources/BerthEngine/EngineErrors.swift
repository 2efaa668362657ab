import BerthConfig
import BerthDocker
import BerthRuntime

/// The lock domain: another apply holds the platform's deploy lock.
public struct LockError: BerthError, Sendable {
    /// Who holds it: `pid P on HOST since TIME`.
    public var holder: String
    public init(holder: String) { self.holder = holder }

    public var domain: ErrorDomain { .lock }
    public var code: ErrorCode { .lockHeld }
    public var cause: String { "another berth apply holds the deploy lock (\(holder))" }
    public var hint: String? { "wait for it, or pass --wait-lock 5m" }
    public var description: String { "\(cause); \(hint!)" }
}

/// The rollout domain: a service's new replicas did not start, become ready or take traffic.
public struct RolloutError: BerthError, Sendable {
    public var service: String
    public var reason: String
    /// true when the old replicas kept (or got back) the traffic and the new ones were removed.
    public var rolledBack: Bool
    public var code: ErrorCode

    public init(service: String, reason: String, rolledBack: Bool, code: ErrorCode = .rolloutFailed) {
        self.service = service
        self.reason = reason
        self.rolledBack = rolledBack
        self.code = code
    }

    public var domain: ErrorDomain { .rollout }
    public var cause: String { reason }
    public var hint: String? {
        switch code {
        case .readinessTimeout: "the new replicas were not ready in time: check their logs (berth logs), or raise rollout.ready_timeout"
        case .notReady: "the new replicas exited, crashed or reported unhealthy: check their logs (berth logs)"
        case .cancelled: "the apply was cancelled; run berth apply again to converge"
        default: rolledBack ? "the old replicas keep serving; fix the cause and run berth apply again"
            : "the switch back could not be confirmed; run berth apply again to converge"
        }
    }
    public var description: String { reason }
}

/// The apply domain: planning against the engine, a platform that changed under a prompt, cancellation.
public struct ApplyError: BerthError, Sendable {
    public var code: ErrorCode
    public var cause: String
    public var hint: String?

    public init(_ code: ErrorCode, cause: String, hint: String? = nil) {
        self.code = code
        self.cause = cause
        self.hint = hint
    }

    public var domain: ErrorDomain { .apply }
    public var description: String { hint.map { "\(cause); \($0)" } ?? cause }

    /// The apply was cancelled (SIGINT/SIGTERM, a cancelled task) before it changed anything, or it
    /// stopped at a safe point and cleaned up.
    public static func cancelled(_ what: String = "the apply was cancelled") -> ApplyError {
        ApplyError(.cancelled, cause: what, hint: "nothing was left half done; run berth apply again to converge")
    }
}

public struct PrepareError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var code: ErrorCode = .platformConflict
    public var description: String { message }

    public init(message: String, code: ErrorCode = .platformConflict) {
        self.message = message
        self.code = code
    }
}

extension PrepareError: BerthError {
    public var domain: ErrorDomain { .apply }
    public var cause: String { message }
    public var hint: String? { nil }  // the message says what to do
}

extension ApplyEngine.RollbackError: BerthError {
    public var domain: ErrorDomain { .apply }
    public var code: ErrorCode { .rollbackImpossible }
    public var cause: String { message }
    public var hint: String? { "berth status shows what runs; berth apply deploys the repository's version" }
}

extension DeploymentStore.Unreadable: BerthError {
    public var domain: ErrorDomain { .state }
    public var code: ErrorCode { .historyUnreadable }
    public var cause: String { "the deployment history \(file) cannot be read (\(reason))" }
    public var hint: String? { "it is left as it is: move it aside to start a new history" }
}

extension RouteRecord.Unreadable: BerthError {
    public var domain: ErrorDomain { .state }
    public var code: ErrorCode { .routeRecordUnreadable }
    public var cause: String { "the route record \(file) cannot be read (\(reason))" }
    public var hint: String? { "move it aside and run berth apply again (the routes are then pushed anew)" }
}

extension Readiness.NotReady: BerthError {
    var domain: ErrorDomain { .rollout }
    var code: ErrorCode { timedOut ? .readinessTimeout : .notReady }
    var cause: String { description }
    var hint: String? { nil }
}

/// Any error in Berth's terms: a BerthError as it is, Docker's errors in the docker domain, a
/// cancellation as `cancelled`, anything else `internal` (its text kept as the cause).
public func berthError(_ error: any Error) -> any BerthError {
    switch error {
    case let error as any BerthError: error
    case let error as DockerError: RuntimeError(error)
    case is CancellationError: ApplyError.cancelled()
    default: ApplyError(.internalError, cause: "\(error)")
    }
}

/// The Codable form of an error (`--json` output, the API's error bodies).
public struct ErrorReport: Codable, Sendable, Equatable, Error {
    public var domain: ErrorDomain
    public var code: ErrorCode
    /// The whole text the CLI prints (what, where, what to do).
    public var message: String
    public var cause: String
    public var hint: String?

    public init(_ error: any Error) {
        let e = berthError(error)
        domain = e.domain
        code = e.code
        message = e.description
        cause = e.cause
        hint = e.hint
    }

    enum CodingKeys: String, CodingKey { case domain, code, message, cause, hint }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(domain, forKey: .domain)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(cause, forKey: .cause)
        try c.encode(hint, forKey: .hint)
    }
}
