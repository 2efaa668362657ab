import Foundation

/// The service keys that pass to the container's configuration, and the platform policy that gates some.
extension ComposeLoader {
    func settings(_ f: Fields, service name: String, into s: inout ComposeService) {
        var c = s.settings ?? ContainerSettings()
        c.platform = f.string("platform")
        c.tty = f.bool("tty")
        c.stdinOpen = f.bool("stdin_open")
        c.dns = f.strings("dns", single: true)
        c.dnsSearch = f.strings("dns_search", single: true)
        c.dnsOptions = f.strings("dns_opt", single: true)
        c.groupAdd = f.strings("group_add")
        c.runtime = f.string("runtime")
        c.domainname = f.string("domainname")
        c.macAddress = f.string("mac_address")
        if let reservation = f["mem_reservation"].flatMap({ byteSize($0, f.describe("mem_reservation")) }) {
            if let other = c.memoryReservation, other != reservation {
                f.error("mem_reservation", "'mem_reservation' and deploy.resources.reservations.memory of service '\(name)' differ; keep one")
            }
            c.memoryReservation = reservation
        }
        if let swap = f["memswap_limit"] {
            c.memorySwap = swap.scalarText == "-1" ? -1 : byteSize(swap, f.describe("memswap_limit"))
        }
        c.memorySwappiness = f.int("mem_swappiness", in: 0...100)
        c.oomKillDisable = f.bool("oom_kill_disable")
        c.oomScoreAdj = f.int("oom_score_adj", in: -1000...1000)
        c.cpuShares = f.int("cpu_shares", in: 0...262_144)
        c.cpuPeriod = microseconds(f, "cpu_period")
        c.cpuQuota = microseconds(f, "cpu_quota")
        c.cpuRealtimePeriod = microseconds(f, "cpu_rt_period")
        c.cpuRealtimeRuntime = microseconds(f, "cpu_rt_runtime")
        c.cpuset = f.string("cpuset")
        c.storageOpt = f.stringMap("storage_opt").map { $0.mapValues { $0 ?? "" } }
        c.cgroupParent = f.string("cgroup_parent")
        if let cgroup = f.string("cgroup") {
            if !["host", "private"].contains(cgroup) { f.error("cgroup", "\(f.describe("cgroup")) must be host or private, found '\(cgroup)'") }
            c.cgroup = cgroup
        }
        c.blkio = f["blkio_config"].flatMap { blkio($0, service: name) }
        c.privileged = f.bool("privileged")
        if c.privileged == true {
            gate(policy.privileged, f, "privileged", policyKey: "privileged", "service '\(name)' asks for a privileged container (root on the host)")
        }
        for opt in s.securityOpt where ["seccomp:unconfined", "seccomp=unconfined", "apparmor:unconfined", "apparmor=unconfined", "label:disable", "label=disable"].contains(opt) {
            gate(policy.privileged, f, "security_opt", policyKey: "privileged", "security option '\(opt)' in service '\(name)' switches the container's confinement off")
        }
        for cap in s.capAdd {
            let what = "service '\(name)' adds capability \(PolicyConfig.normalized(cap)), which reaches beyond the container"
            switch policy.allows(capability: cap) {
            case true?: break
            case false?: f.refuse("cap_add", "\(what); add it to 'capabilities' under 'policy' in platform.yml to allow it")
            case nil: f.warning("cap_add", "\(what); allowed because 'capabilities' is not set under 'policy' in platform.yml: list the capabilities to allow there (any other is then refused)")
            }
        }
        devices(f, service: name, into: &c)
        for key in ["pid", "ipc", "uts", "userns_mode"] {
            guard let mode = f.string(key) else { continue }
            let allowed: [String] = switch key {
            case "ipc": ["host", "private", "shareable", "none"]
            default: ["host"]
            }
            if mode.hasPrefix("service:") || mode.hasPrefix("container:") {
                f.error(key, "'\(key): \(mode)' in service '\(name)' is not supported yet: a replica's namespaces cannot follow another container across rollouts; remove it")
                continue
            }
            guard allowed.contains(mode) else {
                f.error(key, "\(f.describe(key)) must be one of \(allowed.joined(separator: ", ")), found '\(mode)'")
                continue
            }
            if mode == "host" {
                gate(policy.hostNamespaces, f, key, policyKey: "host_namespaces", "service '\(name)' shares the host's \(key == "userns_mode" ? "user" : key) namespace")
            }
            switch key {
            case "pid": c.pid = mode
            case "ipc": c.ipc = mode
            case "uts": c.uts = mode
            default: c.usernsMode = mode
            }
        }
        if let containerName = f.string("container_name") {
            if !Self.isContainerName(containerName) {
                f.error("container_name", "\(f.describe("container_name")) '\(containerName)' is not a valid container name: use letters, digits, '_', '.' and '-', starting with a letter or digit")
            }
            if s.replicas > 1 {
                f.error("container_name", "service '\(name)' has container_name '\(containerName)' and \(s.replicas) replicas: one name fits one container; remove container_name or use one replica")
            }
            c.containerName = containerName
        }
        for mount in s.volumes where mount.type == .bind && Self.isDockerSocket(mount.source ?? "") {
            gate(policy.dockerSocket, f, "volumes", policyKey: "docker_socket", "service '\(name)' mounts the Docker socket \(mount.source ?? ""), which controls the whole engine (root on the host)")
        }
        for key in ["attach", "develop"] where f.has(key) {
            f.warning(key, "\(f.describe(key)) has no effect on a deployment: \(ComposeKeys.key(.service, key)?.note ?? "")")
        }
        s.settings = c.isEmpty ? nil : c
    }

    /// A platform policy gate: false refuses (naming the key to change), unset allows with a warning, true allows.
    func gate(_ allowed: Bool?, _ f: Fields, _ key: String, policyKey: String, _ what: String) {
        switch allowed {
        case true?: break
        case false?: f.refuse(key, "\(what), which 'policy.\(policyKey): false' in platform.yml forbids; set it to true to allow it")
        case nil: f.warning(key, "\(what); allowed because 'policy.\(policyKey)' is not set in platform.yml: set it to false to refuse such services, or to true to allow them without this warning")
        }
    }

    /// Compose `mem_limit`, `cpus` and `pids_limit`: the same limits as `deploy.resources.limits`; both must agree.
    func legacyLimits(_ f: Fields, service name: String, into s: inout ComposeService) {
        var limits = s.limits ?? ResourceLimits()
        if let value = f["mem_limit"], let bytes = byteSize(value, f.describe("mem_limit")) {
            if let other = limits.memory, other != bytes {
                f.error("mem_limit", "'mem_limit' and deploy.resources.limits.memory of service '\(name)' differ; keep one")
            }
            limits.memory = bytes
        }
        if let value = f["cpus"], let cpus = Double(value.scalarText ?? "") {
            if cpus <= 0 { f.error("cpus", "\(f.describe("cpus")) must be greater than 0") }
            if let other = limits.cpus, other != cpus {
                f.error("cpus", "'cpus' and deploy.resources.limits.cpus of service '\(name)' differ; keep one")
            }
            limits.cpus = cpus
        } else if f.has("cpus"), f["cpus"] != nil {
            f.error("cpus", "\(f.describe("cpus")) must be a number of CPUs such as 0.5")
        }
        if let pids = f.int("pids_limit", in: -1...Int(Int32.max)) {
            if let other = limits.pids, other != pids {
                f.error("pids_limit", "'pids_limit' and deploy.resources.limits.pids of service '\(name)' differ; keep one")
            }
            limits.pids = pids
        }
        if limits != ResourceLimits() { s.limits = limits }
        if let scale = f.int("scale", in: 0...100) {
            if f.has("deploy"), let deploy = f["deploy"], case .mapping(let entries, _) = deploy,
               entries.contains(where: { $0.key.text == "replicas" }), s.replicas != scale {
                f.error("scale", "'scale' (\(scale)) and deploy.replicas (\(s.replicas)) of service '\(name)' differ; keep one")
            }
            s.replicas = scale
        }
    }

    private func devices(_ f: Fields, service name: String, into c: inout ContainerSettings) {
        if let value = f["devices"], case .sequence(let items, _) = value {
            var list: [String] = []
            for item in items {
                if case .mapping = item {
                    guard let d = Fields(item, what: "an item of \(f.describe("devices"))", known: ["source", "target", "permissions"], sink: sink),
                          let source = d.requiredString("source") else { continue }
                    list.append([source, d.string("target") ?? source, d.string("permissions") ?? "rwm"].joined(separator: ":"))
                } else if let text = Scalar.string(item, "an item of \(f.describe("devices"))", sink) {
                    let parts = text.split(separator: ":").map(String.init)
                    list.append(parts.count == 1 ? "\(text):\(text):rwm" : parts.count == 2 ? (Self.isPermissions(parts[1]) ? "\(parts[0]):\(parts[0]):\(parts[1])" : "\(text):rwm") : text)
                }
            }
            c.devices = list
        } else if f["devices"] != nil {
            f.error("devices", "\(f.describe("devices")) must be a list")
        }
        c.deviceCgroupRules = f.strings("device_cgroup_rules")
        if let gpus = f["gpus"] {
            if gpus.scalarText == "all" {
                var all = DeviceRequestSpec(capabilities: ["gpu"])
                all.count = -1
                c.deviceRequests = (c.deviceRequests ?? []) + [all]
            } else if case .sequence(let items, _) = gpus {
                c.deviceRequests = (c.deviceRequests ?? []) + items.compactMap { deviceRequest($0, "an item of \(f.describe("gpus"))", defaultCapabilities: ["gpu"]) }
            } else {
                f.error("gpus", "\(f.describe("gpus")) must be 'all' or a list of {driver, count, device_ids, capabilities, options}")
            }
        }
        for key in ["devices", "device_cgroup_rules", "gpus"] where f[key] != nil {
            gate(policy.devices, f, key, policyKey: "devices", "service '\(name)' uses host devices ('\(key)')")
        }
    }

    func deviceRequest(_ value: YAMLValue, _ what: String, defaultCapabilities: [String]) -> DeviceRequestSpec? {
        guard let d = Fields(value, what: what, known: ["driver", "count", "device_ids", "capabilities", "options"], sink: sink) else { return nil }
        var request = DeviceRequestSpec(capabilities: d.strings("capabilities") ?? defaultCapabilities)
        request.driver = d.string("driver")
        if d["count"]?.scalarText == "all" { request.count = -1 } else { request.count = d.int("count", in: 0...1024) }
        request.deviceIDs = d.strings("device_ids")
        request.options = d.stringMap("options").map { $0.mapValues { $0 ?? "" } }
        if request.count != nil && request.deviceIDs != nil {
            d.error("count", "\(what) has both 'count' and 'device_ids'; keep one")
        }
        return request
    }

    private func blkio(_ value: YAMLValue, service: String) -> BlkioSettings? {
        let what = "'blkio_config' in service '\(service)'"
        let lists = ["weight_device", "device_read_bps", "device_write_bps", "device_read_iops", "device_write_iops"]
        guard let f = Fields(value, what: what, known: ["weight"] + lists, sink: sink) else { return nil }
        var b = BlkioSettings()
        b.weight = f.int("weight", in: 10...1000)
        func rates(_ key: String) -> [BlkioSettings.Rate]? {
            guard let v = f[key], case .sequence(let items, _) = v else {
                if f[key] != nil { f.error(key, "\(f.describe(key)) must be a list of {path, rate}") }
                return nil
            }
            return items.compactMap { item in
                let valueKey = key == "weight_device" ? "weight" : "rate"
                guard let r = Fields(item, what: "an item of \(f.describe(key))", known: ["path", valueKey], sink: sink),
                      let path = r.requiredString("path"), let rateValue = r[valueKey] else { return nil }
                let rate = key.hasSuffix("_bps") ? byteSize(rateValue, r.describe(valueKey)) : Scalar.int(rateValue, r.describe(valueKey), sink)
                return rate.map { BlkioSettings.Rate(path: path, rate: $0) }
            }
        }
        b.weightDevice = rates("weight_device")
        b.readBps = rates("device_read_bps")
        b.writeBps = rates("device_write_bps")
        b.readIOps = rates("device_read_iops")
        b.writeIOps = rates("device_write_iops")
        return b
    }

    /// An integer of microseconds, or a duration such as `400ms`.
    private func microseconds(_ f: Fields, _ key: String) -> Int? {
        guard let value = f[key] else { return nil }
        if let text = value.scalarText, let n = Int(text) { return n }
        return Scalar.duration(value, f.describe(key), sink).map { Int($0.milliseconds * 1000) }
    }

    static func isContainerName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first), name.allSatisfy(\.isASCII) else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0) }
    }

    static func isDockerSocket(_ path: String) -> Bool {
        let normalized = path.hasSuffix("/") ? String(path.dropLast()) : path
        return ["/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run", "/var/run/docker", "/run/docker"].contains(normalized)
            || normalized.hasSuffix("/docker.sock")
    }

    private static func isPermissions(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { "rwm".contains($0) }
    }
}
