import BerthConfig

/// The keys of `ContainerSettings` written back as Compose syntax.
extension ComposeExportService {
    static func settings(_ c: ContainerSettings) -> [(String, Document)] {
        func strings(_ v: [String]?) -> Document? { v.map(Document.strings) }
        let pairs: [(String, Document?)] = [
            ("platform", c.platform.map(Document.string)), ("tty", c.tty.map(Document.bool)),
            ("stdin_open", c.stdinOpen.map(Document.bool)), ("dns", strings(c.dns)), ("dns_search", strings(c.dnsSearch)),
            ("dns_opt", strings(c.dnsOptions)), ("group_add", strings(c.groupAdd)), ("runtime", c.runtime.map(Document.string)),
            ("domainname", c.domainname.map(Document.string)), ("mac_address", c.macAddress.map(Document.string)),
            ("mem_reservation", c.memoryReservation.map { .string(size($0)) }),
            ("memswap_limit", c.memorySwap.map { $0 == -1 ? .int(-1) : .string(size($0)) }),
            ("mem_swappiness", c.memorySwappiness.map(Document.int)), ("oom_kill_disable", c.oomKillDisable.map(Document.bool)),
            ("oom_score_adj", c.oomScoreAdj.map(Document.int)), ("cpu_shares", c.cpuShares.map(Document.int)),
            ("cpu_period", c.cpuPeriod.map(Document.int)), ("cpu_quota", c.cpuQuota.map(Document.int)),
            ("cpu_rt_period", c.cpuRealtimePeriod.map(Document.int)), ("cpu_rt_runtime", c.cpuRealtimeRuntime.map(Document.int)),
            ("cpuset", c.cpuset.map(Document.string)), ("storage_opt", c.storageOpt.map { .sorted($0) }),
            ("device_cgroup_rules", strings(c.deviceCgroupRules)), ("devices", strings(c.devices)),
            ("gpus", c.deviceRequests.map { .array($0.map(deviceRequest)) }),
            ("privileged", c.privileged.map(Document.bool)), ("pid", c.pid.map(Document.string)), ("ipc", c.ipc.map(Document.string)),
            ("uts", c.uts.map(Document.string)), ("userns_mode", c.usernsMode.map(Document.string)),
            ("cgroup", c.cgroup.map(Document.string)), ("cgroup_parent", c.cgroupParent.map(Document.string)),
            ("blkio_config", c.blkio.map(blkio)), ("volumes_from", strings(c.volumesFrom)),
            ("container_name", c.containerName.map(Document.string)),
        ]
        return pairs.compactMap { key, value in value.map { (key, $0) } }
    }

    private static func deviceRequest(_ r: DeviceRequestSpec) -> Document {
        .object([
            "driver": r.driver.map(Document.string), "count": r.count.map { $0 == -1 ? .string("all") : .int($0) },
            "device_ids": r.deviceIDs.map(Document.strings), "capabilities": .strings(r.capabilities),
            "options": r.options.map { .sorted($0) },
        ])
    }

    private static func blkio(_ b: BlkioSettings) -> Document {
        func rates(_ list: [BlkioSettings.Rate]?, _ key: String) -> Document? {
            list.map { .array($0.map { .object([("path", .string($0.path)), (key, .int($0.rate))]) }) }
        }
        return .object([
            "weight": b.weight.map(Document.int), "weight_device": rates(b.weightDevice, "weight"),
            "device_read_bps": rates(b.readBps, "rate"), "device_write_bps": rates(b.writeBps, "rate"),
            "device_read_iops": rates(b.readIOps, "rate"), "device_write_iops": rates(b.writeIOps, "rate"),
        ])
    }
}
