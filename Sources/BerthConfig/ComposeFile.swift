/// A project's `compose.yml`, reduced to the keys Berth honours, after interpolation.
public struct ComposeFile: Sendable, Hashable {
    public var services: [String: ComposeService]
    public var volumes: [String: ComposeVolume]
    /// Where each service's `ports` key is (for problems found across files, such as a port taken twice).
    public var portLocations: [String: Location] = [:]
    /// Where each service's name is (for reports about a service as a whole, such as berth doctor's).
    public var serviceLocations: [String: Location] = [:]
    /// Routes read from Traefik labels (`traefik.http.routers.*`), joined to project.yml's ingress.
    public var labelRoutes: [IngressRoute] = []
    var labelRouteLocations: [Location: ProjectLocations.Route] = [:]
    /// Where each service's `container_name` is (names must be unique across the platform).
    public var containerNameLocations: [String: Location] = [:]
    /// Top-level `networks` by key (`default` included when the file declares it).
    public var networks: [String: ComposeNetwork] = [:]
    /// Where each top-level network key is, and each service's `networks`/`network_mode` key (for
    /// problems found across files, such as overlapping subnets).
    public var networkLocations: [String: Location] = [:]
    public var serviceNetworkLocations: [String: Location] = [:]
    /// Services left out because none of their `profiles` is enabled in project.yml: name → its profiles.
    public var leftOut: [String: [String]] = [:]

    public init(services: [String: ComposeService] = [:], volumes: [String: ComposeVolume] = [:]) {
        self.services = services
        self.volumes = volumes
    }
}

public struct ComposeVolume: Sendable, Hashable, Codable {
    public var driver: String?
    public var driverOpts: [String: String] = [:]
    public var labels: [String: String] = [:]
    /// The engine-level name; defaults to `<project>_<key>` like Compose.
    public var name: String?
    /// Created outside Berth: never created nor removed by Berth.
    public var external: Bool = false

    public init() {}
}

/// One service. Field names follow the Compose Specification; every field is applied exactly.
public struct ComposeService: Sendable, Hashable, Codable {
    public var image: String
    public var command: [String]?
    public var entrypoint: [String]?
    /// After env_file and environment are merged; sorted by key when used.
    public var environment: [String: String] = [:]
    public var volumes: [VolumeMount] = []
    public var healthcheck: Healthcheck?
    public var restart: String = "unless-stopped"
    public var labels: [String: String] = [:]
    public var user: String?
    public var workingDir: String?
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var readOnly: Bool = false
    public var tmpfs: [String] = []
    public var securityOpt: [String] = []
    public var ulimits: [String: Ulimit] = [:]
    public var initProcess: Bool?
    public var shmSize: Int?
    public var sysctls: [String: String] = [:]
    public var extraHosts: [String] = []
    public var stopSignal: String?
    public var stopGracePeriod: TimeSpan?
    public var dependsOn: [String: Dependency] = [:]
    public var logging: Logging?
    public var replicas: Int = 1
    public var limits: ResourceLimits?
    public var hostname: String?
    public var expose: [String] = []
    /// Published ports (nil when the file has none: the config hash of a service without ports stays
    /// what it was before ports were supported).
    public var ports: [ComposePort]?
    /// Namespaces, devices, DNS and tuning passed to the container (nil when the file uses none of them).
    public var settings: ContainerSettings?
    /// `deploy.update_config.order` mapped to a strategy (`stop-first` → recreate, `start-first`).
    public var updateOrder: RolloutStrategy?
    /// How the image is built (`build`); nil for a prebuilt image. With `build`, `image` is the built
    /// image's extra tag (empty when the file sets none) until planning sets it to `<project>-<service>:<digest>`.
    public var build: ComposeBuild?
    /// `pull_policy` (nil: the `--pull` option of `berth apply`). Not part of the config hash.
    public var pullPolicy: ComposePullPolicy?
    /// Compose `networks` of the service by top-level key (nil when the file has none: the service is on
    /// `default` only, and its config hash stays what it was before networks were supported).
    public var networks: [String: ServiceNetwork]?
    /// Compose `network_mode` as written (`none`, `host`, `service:x`, `container:x`); nil when absent.
    /// Berth rewrites `service:x` to `container:<x's replica>` in the desired state, so the hash follows x.
    public var networkMode: String?
    /// Compose `links` as written (`svc` or `svc:alias`): aliases of `svc` on the networks both share.
    public var links: [String]?
    /// Compose `secrets` and `configs` this service mounts (nil when it has none: the config hash of a
    /// service without them stays what it was before they were supported).
    public var files: [ComposeFileMount]?
    /// Environment variables whose values use the project's secrets (never in `environment`, so never
    /// encoded with their value; nil when none: the config hash of other services stays what it was).
    public var secretEnvironment: [String: SecretEnvironment]?

    public init(image: String) { self.image = image }

    /// Named volumes (not binds, not tmpfs) this service mounts.
    public var namedVolumes: [String] {
        volumes.filter { $0.type == .volume && $0.source != nil }.compactMap(\.source)
    }
}

public struct VolumeMount: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case volume, bind, tmpfs }
    public var type: Kind
    /// Volume key (type volume) or host path (type bind); nil for anonymous volumes and tmpfs.
    public var source: String?
    public var target: String
    public var readOnly: Bool = false
    /// bind: create the host path when missing (Compose's default for the short syntax).
    public var createHostPath: Bool = true
    public var tmpfsSize: Int?
    public var noCopy: Bool = false
    /// bind: SELinux relabelling, `z` (shared) or `Z` (private).
    public var selinux: String?
    /// bind: mount propagation (`rslave`, `shared`, …).
    public var propagation: String?
    /// tmpfs: file mode of the mount's root, e.g. 0o1777.
    public var tmpfsMode: Int?

    public init(type: Kind, source: String?, target: String) {
        self.type = type
        self.source = source
        self.target = target
    }
}

public struct Healthcheck: Sendable, Hashable, Codable {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    public var test: [String]
    public var interval: TimeSpan?
    public var timeout: TimeSpan?
    public var retries: Int?
    public var startPeriod: TimeSpan?
    public var startInterval: TimeSpan?

    public init(test: [String]) { self.test = test }

    public var disabled: Bool { test.first == "NONE" }
}

public struct Ulimit: Sendable, Hashable, Codable {
    public var soft: Int
    public var hard: Int

    public init(soft: Int, hard: Int) {
        self.soft = soft
        self.hard = hard
    }
}

public struct Dependency: Sendable, Hashable, Codable {
    public enum Condition: String, Sendable, Hashable, Codable, CaseIterable {
        case started = "service_started"
        case healthy = "service_healthy"
        case completedSuccessfully = "service_completed_successfully"
    }
    public var condition: Condition = .started
    public var restart: Bool = false
    public var required: Bool = true

    public init() {}
}

public struct Logging: Sendable, Hashable, Codable {
    public var driver: String?
    public var options: [String: String] = [:]

    public init() {}
}

public struct ResourceLimits: Sendable, Hashable, Codable {
    /// CPUs as a decimal, e.g. 0.5.
    public var cpus: Double?
    /// Bytes.
    public var memory: Int?
    public var pids: Int?

    public init() {}
}
