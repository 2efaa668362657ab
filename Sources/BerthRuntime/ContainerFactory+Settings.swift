import BerthConfig
import BerthDocker

/// The keys of `ContainerSettings`, field by field onto the create body.
extension ContainerFactory {
    static func apply(_ c: ContainerSettings, to config: inout ContainerConfig) {
        config.tty = c.tty
        config.openStdin = c.stdinOpen
        config.domainname = c.domainname
        config.macAddress = c.macAddress
        var h = config.hostConfig ?? HostConfig()
        h.dns = c.dns
        h.dnsSearch = c.dnsSearch
        h.dnsOptions = c.dnsOptions
        h.groupAdd = c.groupAdd
        h.runtime = c.runtime
        h.volumesFrom = c.volumesFrom.map { $0.map { String($0.dropFirst("container:".count)) } }
        h.memoryReservation = c.memoryReservation.map(Int64.init)
        h.memorySwap = c.memorySwap.map(Int64.init)
        h.memorySwappiness = c.memorySwappiness.map(Int64.init)
        h.oomKillDisable = c.oomKillDisable
        h.oomScoreAdj = c.oomScoreAdj
        h.cpuShares = c.cpuShares
        h.cpuPeriod = c.cpuPeriod.map(Int64.init)
        h.cpuQuota = c.cpuQuota.map(Int64.init)
        h.cpuRealtimePeriod = c.cpuRealtimePeriod.map(Int64.init)
        h.cpuRealtimeRuntime = c.cpuRealtimeRuntime.map(Int64.init)
        h.cpusetCpus = c.cpuset
        h.storageOpt = c.storageOpt
        h.deviceCgroupRules = c.deviceCgroupRules
        h.devices = c.devices?.map { entry in
            let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
            return DeviceMapping(pathOnHost: parts[0], pathInContainer: parts.count > 1 ? parts[1] : parts[0],
                                 cgroupPermissions: parts.count > 2 ? parts[2] : "rwm")
        }
        h.deviceRequests = c.deviceRequests?.map {
            DeviceRequest(driver: $0.driver, count: $0.count, deviceIDs: $0.deviceIDs,
                          capabilities: $0.capabilities.isEmpty ? nil : [$0.capabilities], options: $0.options)
        }
        h.privileged = c.privileged
        h.pidMode = c.pid
        h.ipcMode = c.ipc
        h.utsMode = c.uts
        h.usernsMode = c.usernsMode
        h.cgroupnsMode = c.cgroup
        h.cgroupParent = c.cgroupParent
        if let b = c.blkio {
            h.blkioWeight = b.weight
            h.blkioWeightDevice = b.weightDevice?.map { WeightDevice(path: $0.path, weight: $0.rate) }
            h.blkioDeviceReadBps = b.readBps?.map { ThrottleDevice(path: $0.path, rate: Int64($0.rate)) }
            h.blkioDeviceWriteBps = b.writeBps?.map { ThrottleDevice(path: $0.path, rate: Int64($0.rate)) }
            h.blkioDeviceReadIOps = b.readIOps?.map { ThrottleDevice(path: $0.path, rate: Int64($0.rate)) }
            h.blkioDeviceWriteIOps = b.writeIOps?.map { ThrottleDevice(path: $0.path, rate: Int64($0.rate)) }
        }
        config.hostConfig = h
    }
}
