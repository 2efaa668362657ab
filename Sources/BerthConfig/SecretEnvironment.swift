/// An environment variable of a service whose value uses the project's secrets (`PASSWORD: ${DB_PASSWORD}`).
/// Encoded (config hash, deployment history) without its value: only the secrets it uses, its Compose
/// template and the keyed digest the plan computes.
public struct SecretEnvironment: Sendable, Hashable, Codable {
    /// The value as the container gets it; nil when the spec comes from the deployment history.
    public var value: SecretValue?
    /// The secret keys it uses, in order.
    public var secrets: [String]
    /// Compose syntax with `${KEY}` for each secret (and `$$` for a literal `$`), for `berth render`.
    public var template: String
    /// HMAC-SHA256 of the value keyed with the platform's key (`<state>/<platform>/hash.key`): a new value
    /// is a new config hash, and the hash says nothing about the value.
    public var digest: String?

    public init(value: SecretValue?, secrets: [String], template: String, digest: String? = nil) {
        self.value = value
        self.secrets = secrets
        self.template = template
        self.digest = digest
    }

    private enum CodingKeys: String, CodingKey { case secrets, template, digest }
}
