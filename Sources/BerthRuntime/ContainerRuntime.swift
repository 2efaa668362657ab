import BerthConfig
import BerthPlan
import Foundation

/// What the engine needs from Docker, in its own terms. `DockerRuntime` implements it over the
/// Docker Engine API; unit tests of rollout logic use an in-memory implementation.
public protocol ContainerRuntime: Sendable {
    /// Every container labelled `berth.managed=true`, running or not.
    func managedContainers() async throws -> [ManagedContainer]
    func managedNetworks() async throws -> [ActualNetwork]
    func managedVolumes() async throws -> [ActualVolume]

    func createNetwork(_ spec: NetworkSpec) async throws
    func removeNetwork(_ name: String) async throws
    /// Creates a container that is never started, as a lock: container names are unique on the engine,
    /// so of several concurrent creates of one name exactly one succeeds (the others get
    /// `LockTaken`). Returns its id.
    func createLock(_ name: String, labels: [String: String]) async throws -> String
    /// The lock container of that name (its id and labels), or nil.
    func lock(_ name: String) async throws -> (id: String, labels: [String: String])?
    /// Renames a container (the proxy's replacement takes the proxy's name).
    func rename(_ id: String, to name: String) async throws
    func createVolume(_ spec: VolumeSpec) async throws
    func removeVolume(_ name: String) async throws

    /// Makes sure the image is present, pulling it according to the policy (with the registry's
    /// credentials when the platform names some).
    func ensureImage(_ reference: String, policy: PullPolicy, credentials: (username: String, password: String)?) async throws
    /// Builds the image of a service with `build` as `service.spec.image` (`<project>-<service>:<digest>`)
    /// unless the engine has that tag already; each line of the builder's output goes to `progress`.
    /// Returns whether it built. A failed build throws and leaves no tag.
    func buildImage(_ service: ServiceSpec, projectDirectory: String, progress: @escaping @Sendable (String) -> Void) async throws -> Bool
    /// When the image was last pulled or tagged; nil when the engine does not have it (pull_policy daily/weekly/every_…).
    func imageTaggedAt(_ reference: String) async throws -> Date?
    /// Creates (not starts) a container attached to all of its networks; returns its id.
    func createContainer(_ request: ContainerRequest) async throws -> String
    func start(_ id: String) async throws
    /// Stops with the container's own stop signal, waiting `timeout` seconds before SIGKILL (nil: the
    /// container's own stop timeout, i.e. the `stop_grace_period` it was created with).
    func stop(_ id: String, timeout: Int?) async throws
    func remove(_ id: String) async throws
    /// Sends a signal to the container's main process (`HUP`: the DNS server reloads its zones).
    func kill(_ id: String, signal: String) async throws
    func inspect(_ id: String) async throws -> ContainerStatus
    func logs(_ id: String, tail: Int) async throws -> String
    func connect(network: String, container: String, aliases: [String]) async throws
    func disconnect(network: String, container: String) async throws
    /// Labels of the named network when it exists (the deploy lock, the proxy's network), else nil.
    func networkLabels(_ network: String) async throws -> [String: String]?
    /// Every network on the engine (managed or not) with its subnets: fixed subnets of user networks
    /// must not overlap any of them.
    func allNetworks() async throws -> [ForeignNetwork]
    /// Whether a container of that name exists (network_mode: container:NAME).
    func containerExists(_ name: String) async throws -> Bool
}

public enum PullPolicy: String, Sendable, CaseIterable {
    case missing, always, never
}

/// `berth apply` could not take the lock: another process holds it (the name exists).
public struct LockTaken: Error, CustomStringConvertible {
    public var name: String
    public init(name: String) { self.name = name }
    public var description: String { "the lock \(name) is taken" }
}

/// What a managed resource that belongs to no project is for.
public enum ResourceRole: String, Sendable, Hashable {
    case proxy, lock
    /// The platform's DNS server (`dns.server`), beside the proxy.
    case dns
}

/// A managed container as listed: the planner's view plus its labels.
public struct ManagedContainer: Sendable, Hashable {
    public var actual: ActualContainer
    public var labels: [String: String]
    /// IPv4 address per attached network.
    public var addresses: [String: String]

    public init(actual: ActualContainer, labels: [String: String], addresses: [String: String] = [:]) {
        self.actual = actual
        self.labels = labels
        self.addresses = addresses
    }

    public var networks: [String] { addresses.keys.sorted() }
    public var role: ResourceRole? { labels[Labels.role].flatMap(ResourceRole.init(rawValue:)) }
    /// The platform it belongs to (nil: created before platforms had names).
    public var platform: String? { labels[Labels.platform] }
}

extension Labels {
    /// `proxy` for the proxy stack, `lock` for the deploy lock; absent for project containers.
    public static let role = "berth.role"
    public static let deployedAt = "berth.deployed-at"
}

public struct ContainerRequest: Sendable {
    public var name: String
    public var image: String
    public var service: ComposeService
    public var labels: [String: String]
    public var networks: [NetworkAttachment]
    /// `host ip, host port, container port, protocol` published (the proxy in bridge mode only).
    public var publish: [PublishedPort] = []
    /// Shares the host's network stack (the proxy in host mode); `networks` must then be empty.
    public var hostNetwork = false
    /// Fixed addresses per network (network → IPv4): replicas a host-network proxy dials by address
    /// keep them across restarts.
    public var fixedAddresses: [String: String] = [:]
    /// Extra bind mounts `host path → container path` (the proxy's config/admin directory).
    public var binds: [(host: String, container: String)] = []
    /// Files bind-mounted read-only `host path → container path` (Compose secrets and configs).
    public var files: [(host: String, container: String)] = []

    public init(name: String, image: String, service: ComposeService, labels: [String: String], networks: [NetworkAttachment]) {
        self.name = name
        self.image = image
        self.service = service
        self.labels = labels
        self.networks = networks
    }
}

/// A network as the engine lists it, whoever created it.
public struct ForeignNetwork: Sendable, Hashable {
    public var name: String
    public var subnets: [String]
    /// Carries `berth.managed=true`.
    public var managed: Bool

    public init(name: String, subnets: [String], managed: Bool) {
        self.name = name
        self.subnets = subnets
        self.managed = managed
    }
}

public struct PublishedPort: Sendable, Hashable {
    public enum Proto: String, Sendable, Hashable { case tcp, udp }
    public var ip: String
    public var hostPort: Int
    public var containerPort: Int
    public var proto: Proto

    public init(ip: String, hostPort: Int, containerPort: Int, proto: Proto = .tcp) {
        self.ip = ip
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }
}

public struct ContainerStatus: Sendable, Hashable {
    public enum Health: String, Sendable { case none, starting, healthy, unhealthy }
    public var running: Bool
    /// `created`, `running`, `exited`, `restarting`, …
    public var state: String
    public var exitCode: Int
    public var health: Health
    /// The last health-check outputs, newest last.
    public var healthLog: [String]
    /// IP address per attached network.
    public var addresses: [String: String]
    public var restartCount: Int
    /// The main process's id on the host (0 when not running).
    public var pid: Int32 = 0

    public init(running: Bool, state: String, exitCode: Int = 0, health: Health = .none, healthLog: [String] = [],
                addresses: [String: String] = [:], restartCount: Int = 0, pid: Int32 = 0) {
        self.pid = pid
        self.running = running
        self.state = state
        self.exitCode = exitCode
        self.health = health
        self.healthLog = healthLog
        self.addresses = addresses
        self.restartCount = restartCount
    }
}
