/// The outcome of one check.
public enum CheckStatus: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case pass, warn, fail

    private var rank: Int {
        switch self {
        case .pass: 0
        case .warn: 1
        case .fail: 2
        }
    }

    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }
}

/// Where a check looks: the Docker host (firewall, published ports), the daemon's settings, or a service of the repository.
public enum CheckGroup: String, Sendable, Hashable, Codable, CaseIterable {
    case host, daemon, services
}

/// One result of `berth doctor`: a check applied to one subject (the host, the daemon, a service, a container).
public struct Finding: Sendable, Hashable {
    public var check: CheckID
    public var status: CheckStatus
    /// What was checked when the check applies to many things: `project/service`, a container name; nil for the host and the daemon.
    public var subject: String?
    /// One line: what was found and why it matters.
    public var why: String
    /// A concrete command or configuration line that fixes it (empty for a pass).
    public var fix: String
    /// Where the subject is defined, `projects/p/compose.yml:3:3` (service checks).
    public var location: String?
    /// The platform policy key that allows what was found (`policy.privileged`), which turns a fail into a warn.
    public var allowedBy: String?

    public init(
        _ check: CheckID, _ status: CheckStatus, subject: String? = nil, why: String, fix: String = "", allowedBy: String? = nil,
        location: String? = nil
    ) {
        self.location = location
        self.check = check
        self.status = status
        self.subject = subject
        self.why = why
        self.fix = status == .pass ? "" : fix
        self.allowedBy = allowedBy
    }

    public var group: CheckGroup { check.group }
}
