/// An inspected image (`GET /images/{name}/json`).
public struct ImageDetails: Sendable, Hashable, Decodable {
    /// `sha256:…`.
    public var id: String
    public var repoTags: [String]
    public var repoDigests: [String]
    public var created: String?
    public var size: Int64?
    /// The image's defaults for containers (cmd, env, labels, exposed ports, health check…).
    public var config: ContainerConfig?
    /// When the image was last tagged (pulled, built or tagged), RFC 3339; nil when the engine does not say.
    public var lastTagTime: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", created = "Created", size = "Size"
        case config = "Config", metadata = "Metadata"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        repoTags = try c.decodeIfPresent([String].self, forKey: .repoTags) ?? []
        repoDigests = try c.decodeIfPresent([String].self, forKey: .repoDigests) ?? []
        created = try c.decodeIfPresent(String.self, forKey: .created)
        size = try c.decodeIfPresent(Int64.self, forKey: .size)
        config = try c.decodeIfPresent(ContainerConfig.self, forKey: .config)
        struct Metadata: Decodable { var LastTagTime: String? }  // swiftlint:disable:this identifier_name
        lastTagTime = try c.decodeIfPresent(Metadata.self, forKey: .metadata)?.LastTagTime
    }
}
