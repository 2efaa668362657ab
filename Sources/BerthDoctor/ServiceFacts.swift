import BerthConfig

/// One service of the repository as the doctor sees it: its Compose definition, whether the proxy routes
/// to it, and what the engine's copy of its image says (when the image is there).
public struct ServiceFacts: Sendable, Hashable {
    public var project: String
    public var name: String
    public var service: ComposeService
    /// Ingress routes to the service (none: not routed).
    public var routes: [IngressRoute]
    public var image: ImageFacts?
    /// Whether the daemon remaps container root to an unprivileged host user (`userns-remap`).
    public var usernsRemap: Bool
    /// Where the service is defined in compose.yml.
    public var location: Location?

    public init(
        project: String, name: String, service: ComposeService, routes: [IngressRoute] = [], image: ImageFacts? = nil, usernsRemap: Bool = false,
        location: Location? = nil
    ) {
        self.location = location
        self.project = project
        self.name = name
        self.service = service
        self.routes = routes
        self.image = image
        self.usernsRemap = usernsRemap
    }

    public var subject: String { "\(project)/\(name)" }
}

/// The parts of an image's configuration the service checks use.
public struct ImageFacts: Sendable, Hashable {
    /// The image's `USER` (empty: root).
    public var user: String
    /// The image's `HEALTHCHECK` test (nil: none).
    public var healthcheck: [String]?

    public init(user: String = "", healthcheck: [String]? = nil) {
        self.user = user
        self.healthcheck = healthcheck
    }
}
