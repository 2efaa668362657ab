import BerthConfig
import BerthDocker
import BerthPlan
import Foundation

/// `ContainerRuntime` over the Docker Engine API.
public struct DockerRuntime: ContainerRuntime {
    public let client: DockerClient

    public init(client: DockerClient) { self.client = client }

    /// Connects and checks the engine answers (`--docker-host`, then DOCKER_HOST, then the default socket).
    public static func connect(host: String?) async throws -> DockerRuntime {
        let client = try DockerClient(host: host)
        try await client.ping()
        _ = try await client.apiVersion()
        return DockerRuntime(client: client)
    }

    static let managedFilter = ["\(Labels.managed)=true"]

    public func managedContainers() async throws -> [ManagedContainer] {
        try await client.containers.list(all: true, labelFilters: Self.managedFilter).map { c in
            let l = c.labels
            return ManagedContainer(
                actual: ActualContainer(
                    id: c.id, name: c.name, project: l[Labels.project] ?? "", service: l[Labels.service] ?? "",
                    configHash: l[Labels.configHash] ?? "", replica: Int(l[Labels.replica] ?? "") ?? 0,
                    deployment: l[Labels.deployment], image: c.image, running: c.state == "running",
                    healthy: Self.health(fromStatus: c.status)),
                labels: l, addresses: c.addresses)
        }
    }

    /// The health in a listed container's status text (`Up 3 minutes (unhealthy)`): nil when it has
    /// no health check or the check is still starting.
    static func health(fromStatus status: String) -> Bool? {
        if status.hasSuffix("(unhealthy)") { return false }
        if status.hasSuffix("(healthy)") { return true }
        return nil
    }

    public func managedNetworks() async throws -> [ActualNetwork] {
        try await client.networks.list(labelFilters: Self.managedFilter).filter { $0.labels[Labels.role] == nil }.map {
            var network = ActualNetwork(id: $0.id, name: $0.name, project: $0.labels[Labels.project] ?? "", subnet: $0.subnets.first,
                                        isInternal: $0.internal, platform: $0.labels[Labels.platform])
            network.settings = $0.labels[DesiredStateBuilder.networkSettingsLabel]
            return network
        }
    }

    public func allNetworks() async throws -> [ForeignNetwork] {
        try await client.networks.list().map { ForeignNetwork(name: $0.name, subnets: $0.subnets, managed: $0.labels[Labels.managed] == "true") }
    }

    public func containerExists(_ name: String) async throws -> Bool {
        do {
            _ = try await client.containers.inspect(name)
            return true
        } catch let error as DockerError where error.code == .notFound {
            return false
        }
    }

    public func managedVolumes() async throws -> [ActualVolume] {
        try await client.volumes.list(labelFilters: Self.managedFilter).map {
            ActualVolume(name: $0.name, project: $0.labels[Labels.project] ?? "", platform: $0.labels[Labels.platform])
        }
    }

    public func createNetwork(_ spec: NetworkSpec) async throws {
        var create = NetworkCreate.bridge(
            spec.name, subnet: spec.subnet.isEmpty ? nil : spec.subnet, gateway: spec.gateway.isEmpty ? nil : spec.gateway,
            internal: spec.isInternal, labels: spec.labels)
        create.options = spec.options.isEmpty ? nil : spec.options
        // User networks (Compose ipam): the address range and reserved addresses, exactly as written.
        if spec.ipRange != nil || !spec.auxAddresses.isEmpty, var config = create.ipam?.config.first {
            config.ipRange = spec.ipRange
            config.auxAddresses = spec.auxAddresses.isEmpty ? nil : spec.auxAddresses
            create.ipam?.config = [config]
        }
        create.attachable = spec.attachable
        _ = try await client.networks.create(create)
    }

    /// The image lock containers are created from: an empty file system imported once (no registry needed).
    static let lockImage = (repository: "berth/lock", tag: "1")

    public func createLock(_ name: String, labels: [String: String]) async throws -> String {
        let image = "\(Self.lockImage.repository):\(Self.lockImage.tag)"
        if try await client.images.inspect(image) == nil {
            // An empty tar archive: two 512-byte zero blocks.
            try await client.images.importTarball(Data(count: 1024), repository: Self.lockImage.repository, tag: Self.lockImage.tag,
                                                  changes: ["LABEL berth.managed=true", "CMD [\"lock\"]"])
        }
        var config = ContainerConfig(image: image, labels: labels)
        config.hostConfig = HostConfig(networkMode: "none")
        do {
            return try await client.containers.create(name: name, config: config)
        } catch let error as DockerError where error.status == 409 {
            throw LockTaken(name: name)
        }
    }

    public func lock(_ name: String) async throws -> (id: String, labels: [String: String])? {
        do {
            let details = try await client.containers.inspect(name)
            return (details.id, details.labels)
        } catch let error as DockerError where error.code == .notFound {
            return nil
        }
    }

    public func rename(_ id: String, to name: String) async throws {
        try await client.containers.rename(id, to: name)
    }

    /// Removes a managed network; containers still attached (e.g. a consumer on a provider's link
    /// network when the provider is torn down) are disconnected first.
    public func removeNetwork(_ name: String) async throws {
        if let network = try? await client.networks.inspect(name) {
            for id in network.containers.keys {
                try? await client.networks.disconnect(name, container: id, force: true)
            }
        }
        try await client.networks.remove(name)
    }

    public func createVolume(_ spec: VolumeSpec) async throws {
        _ = try await client.volumes.create(VolumeCreate(name: spec.name, driver: spec.driver ?? "local",
                                                         driverOpts: spec.driverOpts, labels: spec.labels))
    }

    public func removeVolume(_ name: String) async throws {
        try await client.volumes.remove(name)
    }

    public func ensureImage(_ reference: String, policy: PullPolicy, credentials: (username: String, password: String)?) async throws {
        let auth = credentials.map {
            RegistryAuth(username: $0.username, password: $0.password, serverAddress: RegistryCredentials.registry(of: reference))
        }
        switch policy {
        case .always:
            try await client.images.pull(reference, auth: auth)
        case .missing:
            if try await client.images.inspect(reference) == nil { try await client.images.pull(reference, auth: auth) }
        case .never:
            if try await client.images.inspect(reference) == nil {
                throw DockerError(.notFound, message: "image \(reference) is not present and the pull policy is never",
                                  context: "checking image \(reference)", hint: "build or load the image, or use --pull missing")
            }
        }
    }

    public func createContainer(_ request: ContainerRequest) async throws -> String {
        let config = ContainerFactory.config(request)
        let id = try await client.containers.create(name: request.name, config: config, platform: request.service.settings?.platform)
        // API 1.41 attaches one network at creation; the others are connected before start.
        for attachment in request.networks.dropFirst() {
            do {
                try await client.networks.connect(attachment.network, container: id, aliases: attachment.aliases,
                                                  ipv4Address: request.fixedAddresses[attachment.network])
            } catch {
                try? await client.containers.remove(id, force: true)
                throw error
            }
        }
        return id
    }

    public func start(_ id: String) async throws { try await client.containers.start(id) }

    public func stop(_ id: String, timeout: Int?) async throws {
        do {
            try await client.containers.stop(id, timeout: timeout)
        } catch let error as DockerError where error.status == 304 || error.code == .notFound {
            return
        }
    }

    public func kill(_ id: String, signal: String) async throws {
        try await client.containers.kill(id, signal: signal)
    }

    public func remove(_ id: String) async throws {
        do {
            try await client.containers.remove(id, force: true)
        } catch let error as DockerError where error.code == .notFound {
            return
        }
    }

    public func inspect(_ id: String) async throws -> ContainerStatus {
        let d = try await client.containers.inspect(id)
        let health: ContainerStatus.Health = switch d.state.health?.status {
        case "healthy": .healthy
        case "unhealthy": .unhealthy
        case "starting": .starting
        default: .none
        }
        return ContainerStatus(
            running: d.state.running, state: d.state.status, exitCode: d.state.exitCode, health: health,
            healthLog: d.state.health?.outputs ?? [],
            addresses: d.networks.compactMapValues { $0.ipAddress.flatMap { $0.isEmpty ? nil : $0 } },
            restartCount: d.restartCount, pid: d.state.pid ?? 0)
    }

    public func logs(_ id: String, tail: Int) async throws -> String {
        try await client.containers.logLines(id, tail: tail).map(\.text).joined(separator: "\n")
    }

    public func streamLogs(_ id: String, since: Date?, tail: Int, follow: Bool, _ line: @Sendable (String) -> Void) async throws {
        for try await l in client.containers.logs(id, since: since, tail: tail, follow: follow) { line(l.text) }
    }

    public func connect(network: String, container: String, aliases: [String]) async throws {
        try await client.networks.connect(network, container: container, aliases: aliases)
    }

    public func disconnect(network: String, container: String) async throws {
        try await client.networks.disconnect(network, container: container, force: true)
    }

    public func networkLabels(_ network: String) async throws -> [String: String]? {
        do {
            return try await client.networks.inspect(network).labels
        } catch let error as DockerError where error.code == .notFound {
            return nil
        }
    }
}
