/// The `HostConfig` of a container: mounts, limits, security, ports, restart and logging.
/// Only the fields Berth needs; `nil` fields are left to Docker's defaults.
public struct HostConfig: Sendable, Hashable, Codable {
    /// `host-path:container-path[:ro]` or `volume:container-path[:ro]`; a missing host directory is created.
    public var binds: [String]?
    public var mounts: [Mount]?
    public var restartPolicy: RestartPolicy?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var readonlyRootfs: Bool?
    /// Container path → mount options (`size=64m,mode=1777`).
    public var tmpfs: [String: String]?
    public var securityOpt: [String]?
    public var ulimits: [Ulimit]?
    /// Runs Docker's init (tini) as PID 1, which forwards signals and reaps zombies. `Init` in the API.
    public var initProcess: Bool?
    public var shmSize: Int64?
    public var sysctls: [String: String]?
    /// `name:ip` entries added to /etc/hosts.
    public var extraHosts: [String]?
    public var logConfig: LogConfig?
    /// CPU limit in units of 10⁻⁹ CPUs.
    public var nanoCpus: Int64?
    /// Memory limit in bytes.
    public var memory: Int64?
    public var pidsLimit: Int64?
    /// `80/tcp` → host addresses, e.g. `[PortBinding(hostIP: "127.0.0.1", hostPort: "8080")]`.
    public var portBindings: [String: [PortBinding]]?
    /// `bridge`, `none`, `host`, `container:ID` or a network name.
    public var networkMode: String?
    public var dns: [String]?
    public var dnsSearch: [String]?
    public var dnsOptions: [String]?
    public var groupAdd: [String]?
    public var runtime: String?
    public var volumesFrom: [String]?
    public var memoryReservation: Int64?
    public var memorySwap: Int64?
    public var memorySwappiness: Int64?
    public var oomKillDisable: Bool?
    public var oomScoreAdj: Int?
    public var cpuShares: Int?
    public var cpuPeriod: Int64?
    public var cpuQuota: Int64?
    public var cpuRealtimePeriod: Int64?
    public var cpuRealtimeRuntime: Int64?
    public var cpusetCpus: String?
    public var storageOpt: [String: String]?
    public var deviceCgroupRules: [String]?
    public var devices: [DeviceMapping]?
    public var deviceRequests: [DeviceRequest]?
    public var privileged: Bool?
    public var pidMode: String?
    public var ipcMode: String?
    public var utsMode: String?
    public var usernsMode: String?
    public var cgroupnsMode: String?
    public var cgroupParent: String?
    public var blkioWeight: Int?
    public var blkioWeightDevice: [WeightDevice]?
    public var blkioDeviceReadBps: [ThrottleDevice]?
    public var blkioDeviceWriteBps: [ThrottleDevice]?
    public var blkioDeviceReadIOps: [ThrottleDevice]?
    public var blkioDeviceWriteIOps: [ThrottleDevice]?

    public init(
        binds: [String]? = nil, mounts: [Mount]? = nil, restartPolicy: RestartPolicy? = nil, capAdd: [String]? = nil,
        capDrop: [String]? = nil, readonlyRootfs: Bool? = nil, tmpfs: [String: String]? = nil, securityOpt: [String]? = nil,
        ulimits: [Ulimit]? = nil, initProcess: Bool? = nil, shmSize: Int64? = nil, sysctls: [String: String]? = nil,
        extraHosts: [String]? = nil, logConfig: LogConfig? = nil, nanoCpus: Int64? = nil, memory: Int64? = nil,
        pidsLimit: Int64? = nil, portBindings: [String: [PortBinding]]? = nil, networkMode: String? = nil
    ) {
        self.binds = binds
        self.mounts = mounts
        self.restartPolicy = restartPolicy
        self.capAdd = capAdd
        self.capDrop = capDrop
        self.readonlyRootfs = readonlyRootfs
        self.tmpfs = tmpfs
        self.securityOpt = securityOpt
        self.ulimits = ulimits
        self.initProcess = initProcess
        self.shmSize = shmSize
        self.sysctls = sysctls
        self.extraHosts = extraHosts
        self.logConfig = logConfig
        self.nanoCpus = nanoCpus
        self.memory = memory
        self.pidsLimit = pidsLimit
        self.portBindings = portBindings
        self.networkMode = networkMode
    }

    enum CodingKeys: String, CodingKey {
        case binds = "Binds", mounts = "Mounts", restartPolicy = "RestartPolicy", capAdd = "CapAdd", capDrop = "CapDrop"
        case readonlyRootfs = "ReadonlyRootfs", tmpfs = "Tmpfs", securityOpt = "SecurityOpt", ulimits = "Ulimits"
        case initProcess = "Init", shmSize = "ShmSize", sysctls = "Sysctls", extraHosts = "ExtraHosts"
        case logConfig = "LogConfig", nanoCpus = "NanoCpus", memory = "Memory", pidsLimit = "PidsLimit"
        case portBindings = "PortBindings", networkMode = "NetworkMode"
        case dns = "Dns", dnsSearch = "DnsSearch", dnsOptions = "DnsOptions", groupAdd = "GroupAdd", runtime = "Runtime"
        case volumesFrom = "VolumesFrom", memoryReservation = "MemoryReservation", memorySwap = "MemorySwap"
        case memorySwappiness = "MemorySwappiness", oomKillDisable = "OomKillDisable", oomScoreAdj = "OomScoreAdj"
        case cpuShares = "CpuShares", cpuPeriod = "CpuPeriod", cpuQuota = "CpuQuota", cpuRealtimePeriod = "CpuRealtimePeriod"
        case cpuRealtimeRuntime = "CpuRealtimeRuntime", cpusetCpus = "CpusetCpus", storageOpt = "StorageOpt"
        case deviceCgroupRules = "DeviceCgroupRules", devices = "Devices", deviceRequests = "DeviceRequests"
        case privileged = "Privileged", pidMode = "PidMode", ipcMode = "IpcMode", utsMode = "UTSMode", usernsMode = "UsernsMode"
        case cgroupnsMode = "CgroupnsMode", cgroupParent = "CgroupParent", blkioWeight = "BlkioWeight"
        case blkioWeightDevice = "BlkioWeightDevice", blkioDeviceReadBps = "BlkioDeviceReadBps"
        case blkioDeviceWriteBps = "BlkioDeviceWriteBps", blkioDeviceReadIOps = "BlkioDeviceReadIOps"
        case blkioDeviceWriteIOps = "BlkioDeviceWriteIOps"
    }
}

/// What Docker does when the container exits: `no`, `always`, `unless-stopped`, `on-failure`.
public struct RestartPolicy: Sendable, Hashable, Codable {
    public var name: String
    /// Only for `on-failure`.
    public var maximumRetryCount: Int?

    public init(name: String, maximumRetryCount: Int? = nil) {
        self.name = name
        self.maximumRetryCount = maximumRetryCount
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", maximumRetryCount = "MaximumRetryCount"
    }
}

public struct Ulimit: Sendable, Hashable, Codable {
    public var name: String
    public var soft: Int64
    public var hard: Int64

    public init(name: String, soft: Int64, hard: Int64) {
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", soft = "Soft", hard = "Hard"
    }
}

/// The logging driver and its options, e.g. `json-file` with `max-size`.
public struct LogConfig: Sendable, Hashable, Codable {
    public var type: String
    public var config: [String: String]?

    public init(type: String, config: [String: String]? = nil) {
        self.type = type
        self.config = config
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", config = "Config"
    }
}

/// One host address a container port is published on.
public struct PortBinding: Sendable, Hashable, Codable {
    public var hostIP: String?
    public var hostPort: String?

    public init(hostIP: String? = nil, hostPort: String? = nil) {
        self.hostIP = hostIP
        self.hostPort = hostPort
    }

    enum CodingKeys: String, CodingKey {
        case hostIP = "HostIp", hostPort = "HostPort"
    }
}

/// A host device made available in the container (`/dev/dri:/dev/dri:rwm`).
public struct DeviceMapping: Sendable, Hashable, Codable {
    public var pathOnHost: String
    public var pathInContainer: String
    public var cgroupPermissions: String

    public init(pathOnHost: String, pathInContainer: String, cgroupPermissions: String) {
        self.pathOnHost = pathOnHost
        self.pathInContainer = pathInContainer
        self.cgroupPermissions = cgroupPermissions
    }

    enum CodingKeys: String, CodingKey {
        case pathOnHost = "PathOnHost", pathInContainer = "PathInContainer", cgroupPermissions = "CgroupPermissions"
    }
}

/// A request for devices from a device driver (GPUs: `--gpus`).
public struct DeviceRequest: Sendable, Hashable, Codable {
    public var driver: String?
    public var count: Int?
    public var deviceIDs: [String]?
    public var capabilities: [[String]]?
    public var options: [String: String]?

    public init(driver: String? = nil, count: Int? = nil, deviceIDs: [String]? = nil, capabilities: [[String]]? = nil, options: [String: String]? = nil) {
        self.driver = driver
        self.count = count
        self.deviceIDs = deviceIDs
        self.capabilities = capabilities
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case driver = "Driver", count = "Count", deviceIDs = "DeviceIDs", capabilities = "Capabilities", options = "Options"
    }
}

public struct WeightDevice: Sendable, Hashable, Codable {
    public var path: String
    public var weight: Int

    public init(path: String, weight: Int) {
        self.path = path
        self.weight = weight
    }

    enum CodingKeys: String, CodingKey { case path = "Path", weight = "Weight" }
}

public struct ThrottleDevice: Sendable, Hashable, Codable {
    public var path: String
    public var rate: Int64

    public init(path: String, rate: Int64) {
        self.path = path
        self.rate = rate
    }

    enum CodingKeys: String, CodingKey { case path = "Path", rate = "Rate" }
}
