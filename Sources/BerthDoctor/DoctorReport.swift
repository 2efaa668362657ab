import BerthRender

/// Everything `berth doctor` found, in the order host, daemon, services.
public struct DoctorReport: Sendable {
    /// The JSON output's `version`: raised when a field changes meaning or goes away (new fields and check ids do not).
    public static let schemaVersion = 1

    public var endpoint: String
    public var findings: [Finding]
    /// False when no repository was given: the services group is empty.
    public var repositoryChecked: Bool

    public init(endpoint: String, findings: [Finding], repositoryChecked: Bool) {
        self.endpoint = endpoint
        self.findings = findings
        self.repositoryChecked = repositoryChecked
    }

    public func count(_ status: CheckStatus) -> Int { findings.filter { $0.status == status }.count }

    /// Any fail makes `berth doctor` exit 1; warnings alone exit 0.
    public var failed: Bool { findings.contains { $0.status == .fail } }

    /// The `--json` document (schema in docs/doctor.md).
    public func document() -> Document {
        .object([
            "version": .int(Self.schemaVersion),
            "docker_host": .string(endpoint),
            "repository_checked": .bool(repositoryChecked),
            "summary": .object([("pass", .int(count(.pass))), ("warn", .int(count(.warn))), ("fail", .int(count(.fail)))]),
            "checks": .array(findings.map { f in
                .object([
                    "id": .string(f.check.rawValue),
                    "group": .string(f.group.rawValue),
                    "title": .string(f.check.title),
                    "status": .string(f.status.rawValue),
                    "subject": f.subject.map(Document.string) ?? .null,
                    "location": f.location.map(Document.string) ?? .null,
                    "why": .string(f.why),
                    "fix": f.fix.isEmpty ? .null : .string(f.fix),
                    "allowed_by": f.allowedBy.map(Document.string) ?? .null,
                ])
            }),
        ])
    }
}
