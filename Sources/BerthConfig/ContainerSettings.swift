/// The service keys that pass straight to the container's configuration (namespaces, devices, DNS,
/// scheduling, memory and CPU tuning). Every field is optional and the whole value is nil on a service
/// that uses none of them, so the config hash of such a service is what it was before they existed.
public struct ContainerSettings: Sendable, Hashable, Codable {
    public var platform: String?
    public var tty: Bool?
    public var stdinOpen: Bool?
    public var dns: [String]?
    public var dnsSearch: [String]?
    public var dnsOptions: [String]?
    public var groupAdd: [String]?
    public var runtime: String?
    public var domainname: String?
    public var macAddress: String?
    /// Bytes.
    public var memoryReservation: Int?
    /// Bytes of memory plus swap; -1 is unlimited.
    public var memorySwap: Int?
    public var memorySwappiness: Int?
    public var oomKillDisable: Bool?
    public var oomScoreAdj: Int?
    public var cpuShares: Int?
    /// Microseconds.
    public var cpuPeriod: Int?
    public var cpuQuota: Int?
    public var cpuRealtimePeriod: Int?
    public var cpuRealtimeRuntime: Int?
    public var cpuset: String?
    public var storageOpt: [String: String]?
    public var deviceCgroupRules: [String]?
    /// `host:container[:permissions]`.
    public var devices: [String]?
    public var deviceRequests: [DeviceRequestSpec]?
    public var privileged: Bool?
    /// `host` (namespace modes as Docker writes them).
    public var pid: String?
    public var ipc: String?
    public var uts: String?
    public var usernsMode: String?
    /// `host` or `private`.
    public var cgroup: String?
    public var cgroupParent: String?
    public var blkio: BlkioSettings?
    /// `container:NAME[:ro|rw]` entries (the service form is mapped to mounts by the loader).
    public var volumesFrom: [String]?
    /// The fixed name of the service's one container (Compose `container_name`).
    public var containerName: String?

    public init() {}

    public var isEmpty: Bool { self == ContainerSettings() }
}

/// A Compose `gpus` entry or `deploy.resources.reservations.devices` item, as Docker's DeviceRequest.
public struct DeviceRequestSpec: Sendable, Hashable, Codable {
    public var driver: String?
    /// -1 for all.
    public var count: Int?
    public var deviceIDs: [String]?
    public var capabilities: [String]
    public var options: [String: String]?

    public init(capabilities: [String]) { self.capabilities = capabilities }
}

public struct BlkioSettings: Sendable, Hashable, Codable {
    public struct Rate: Sendable, Hashable, Codable {
        public var path: String
        public var rate: Int
        public init(path: String, rate: Int) {
            self.path = path
            self.rate = rate
        }
    }
    public var weight: Int?
    public var weightDevice: [Rate]?
    public var readBps: [Rate]?
    public var writeBps: [Rate]?
    public var readIOps: [Rate]?
    public var writeIOps: [Rate]?

    public init() {}
}
