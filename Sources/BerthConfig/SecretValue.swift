/// A decrypted secret, held in memory only. Printing, dumping or reflecting it never shows the value
/// (`description` is `(secret)`), and it is not `Codable`: whatever encodes a spec (the config hash,
/// the deployment history, `--json` output) cannot write it by accident. `reveal()` is the one way to
/// the value, for the few places that hand it to Docker or to a mounted file.
public struct SecretValue: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The value itself: only for a container's environment or a secret file's content.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "(secret)" }
    public var debugDescription: String { "SecretValue(secret)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// The decrypted `secrets.enc.env` of a project or of the platform: its keys, where each is defined in
/// the encrypted file (for messages), and the values.
public struct SecretSet: Sendable, Hashable {
    /// The file, relative to the repository root (`projects/<p>/secrets.enc.env` or `secrets.enc.env`).
    public var file: String
    public var values: [String: SecretValue]
    /// Where each key is written in the encrypted file.
    public var locations: [String: Location]
    /// False when the file could not be decrypted: the keys are known, the values are not (all empty).
    public var decrypted: Bool

    public init(file: String, values: [String: SecretValue] = [:], locations: [String: Location] = [:], decrypted: Bool = true) {
        self.file = file
        self.values = values
        self.locations = locations
        self.decrypted = decrypted
    }

    public var keys: [String] { values.keys.sorted() }
}
