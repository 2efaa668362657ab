/// Every key of the Compose Specification and what Berth does with it. The loader takes its lists of
/// known and refused keys from here, and docs/config.md's table is generated from it (a test keeps the two
/// equal), so the documentation cannot drift from what the loader does.
public struct ComposeKey: Sendable, Hashable {
    public enum Scope: String, Sendable, CaseIterable {
        case top = "top level"
        case service
        case deploy = "deploy"
        case resources = "deploy.resources"
    }

    public enum Treatment: String, Sendable {
        /// Applied exactly as Compose applies it.
        case applied
        /// Mapped onto Berth's model (the note says how).
        case mapped
        /// Applied, and the service rolls out with another strategy (the note says which and why).
        case strategy = "rollout strategy"
        /// Applied when platform.yml's policy allows it (the note names the key).
        case policy = "gated by policy"
        /// Accepted with a warning: it has no effect on a single Docker engine.
        case noted = "accepted with a warning"
        /// Refused with the reason in the note.
        case refused
    }

    public var scope: Scope
    public var name: String
    public var treatment: Treatment
    public var note: String

    public init(_ scope: Scope, _ name: String, _ treatment: Treatment, _ note: String = "") {
        self.scope = scope
        self.name = name
        self.treatment = treatment
        self.note = note
    }

    public var accepted: Bool { treatment != .refused }
}

public enum ComposeKeys {
    /// The keys a mapping of `scope` may carry.
    public static func known(_ scope: ComposeKey.Scope) -> [String] { knownByScope[scope] ?? [] }

    /// The refused keys of `scope`, each with its reason.
    public static func refused(_ scope: ComposeKey.Scope) -> [String: String] { refusedByScope[scope] ?? [:] }

    // Read for every service of every project: worked out once.
    private static let knownByScope: [ComposeKey.Scope: [String]] = Dictionary(grouping: all.filter(\.accepted), by: \.scope).mapValues { $0.map(\.name) }
    private static let refusedByScope: [ComposeKey.Scope: [String: String]] = Dictionary(grouping: all.filter { !$0.accepted }, by: \.scope)
        .mapValues { Dictionary($0.map { ($0.name, $0.note) }, uniquingKeysWith: { a, _ in a }) }

    public static func key(_ scope: ComposeKey.Scope, _ name: String) -> ComposeKey? {
        all.first { $0.scope == scope && $0.name == name }
    }

    /// The table of docs/config.md, one row per key.
    public static func markdownTable() -> String {
        var lines = ["| Where | Key | What Berth does | Notes |", "|---|---|---|---|"]
        for scope in ComposeKey.Scope.allCases {
            for key in all.filter({ $0.scope == scope }).sorted(by: { $0.name < $1.name }) {
                let note = key.note.replacingOccurrences(of: "|", with: "\\|")
                lines.append("| \(scope.rawValue) | `\(key.name)` | \(key.treatment.rawValue) | \(note) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
