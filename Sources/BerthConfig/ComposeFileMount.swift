import Foundation

/// A Compose `secret` or `config` mounted into a service's containers, read-only: secrets at
/// `/run/secrets/<target or name>`, configs at `target` (default `/<name>`).
public struct ComposeFileMount: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case secret, config
    }

    public var kind: Kind
    /// The top-level name (`secrets.<name>` / `configs.<name>`).
    public var source: String
    /// Absolute path in the container.
    public var target: String
    public var uid: String?
    public var gid: String?
    /// File mode, e.g. `0o440`.
    public var mode: Int?
    /// A `file` source bind-mounted as it is (no uid, gid nor mode asked); nil when Berth writes the file
    /// (from `environment` or `content`, or to give it the owner and mode asked for).
    public var hostFile: String?
    /// Identifies the content for the config hash: SHA-256 of a config's content; for a secret the
    /// HMAC-SHA256 the plan computes with the platform's key (never a plain hash of a secret).
    public var digest: String?
    /// The content Berth writes; never encoded (so never in the config hash, a label or an export).
    public var content: Data?
    /// Where the top-level definition takes the content from, for `berth render`'s compose export.
    public var origin: Origin?

    public enum Origin: Sendable, Hashable {
        /// A host file (absolute path).
        case file(String)
        /// The value of this variable.
        case environment(String)
        /// A config's literal `content`.
        case content
    }

    public init(kind: Kind, source: String, target: String) {
        self.kind = kind
        self.source = source
        self.target = target
    }

    private enum CodingKeys: String, CodingKey {
        case kind, source, target, uid, gid, mode, hostFile, digest
    }

    /// Whether Berth writes the file under its state directory before the containers start.
    public var isWritten: Bool { hostFile == nil }
}

/// A top-level `secrets.<name>` or `configs.<name>`: where its content comes from.
public struct ComposeFileSource: Sendable, Hashable {
    public var file: String?
    public var content: Data
    public var location: Location
    public var origin: ComposeFileMount.Origin

    public init(file: String?, content: Data, location: Location, origin: ComposeFileMount.Origin) {
        self.file = file
        self.content = content
        self.location = location
        self.origin = origin
    }
}
