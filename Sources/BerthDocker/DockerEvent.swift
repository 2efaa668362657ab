/// One event of `GET /events`, e.g. type `container`, action `start`.
public struct DockerEvent: Sendable, Hashable, Decodable {
    /// `container`, `network`, `volume`, `image`, …
    public var type: String
    /// `create`, `start`, `die`, `health_status: healthy`, `connect`, …
    public var action: String
    public var actor: Actor
    public var scope: String?
    /// Unix time in seconds and in nanoseconds.
    public var time: Int64
    public var timeNano: Int64?

    public struct Actor: Sendable, Hashable, Decodable {
        /// The object's id (container id, network id, volume name).
        public var id: String
        /// e.g. `name`, `image` and the labels of a container.
        public var attributes: [String: String]

        enum CodingKeys: String, CodingKey {
            case id = "ID", attributes = "Attributes"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
            attributes = try c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", actor = "Actor", scope = "scope", time, timeNano
    }
}
