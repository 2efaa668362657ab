import Foundation

/// Reads a Compose file strictly: every supported key is applied, every other key is an error.
struct ComposeLoader {
    let project: String
    let file: String
    let directory: URL
    let sink: DiagnosticSink

    static let topKeys = ["services", "volumes", "version", "name"]
    static let topUnsupported: [String: String] = [
        "networks": ComposeLoader.networksReason,
        "secrets": "Compose secrets are not supported yet; pass values through environment or env_file",
        "configs": "Compose configs are not supported yet; mount files with a bind volume",
        "include": "include is not supported; keep one compose.yml per project",
        "models": "models are not supported",
    ]
    static let networksReason =
        "Berth creates each project's networks itself (<project>_ingress, _internal, _egress); declare internet access and cross-project edges under 'egress' in project.yml"

    static let serviceKeys = [
        "image", "command", "entrypoint", "environment", "env_file", "volumes", "healthcheck", "restart", "labels",
        "user", "working_dir", "cap_add", "cap_drop", "read_only", "tmpfs", "security_opt", "ulimits", "init",
        "shm_size", "sysctls", "extra_hosts", "stop_signal", "stop_grace_period", "depends_on", "logging", "deploy",
        "hostname", "expose",
    ]
    static let serviceUnsupported: [String: String] = {
        let special: [String: String] = [
            "build": "Berth deploys prebuilt images; build and tag the image first, then set 'image'",
            "ports": "services are published through the proxy; add an ingress row in project.yml (protocol tcp or udp for raw ports)",
            "networks": networksReason,
            "network_mode": networksReason,
            "container_name": "Berth names replicas itself so that old and new ones can run side by side during a rollout",
            "links": "services reach each other by service name; other projects through 'egress' edges in project.yml",
            "external_links": "declare an 'egress' edge to the other project's service in project.yml",
            "scale": "use deploy.replicas",
            "secrets": "Compose secrets are not supported yet; pass values through environment or env_file",
            "profiles": "a project is enabled or disabled as a whole with 'enabled' in project.yml",
        ]
        let others = [
            "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "configs", "cpu_count", "cpu_percent",
            "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset",
            "credential_spec", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search",
            "domainname", "extends", "gpus", "group_add", "ipc", "isolation", "label_file", "mac_address",
            "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "oom_kill_disable",
            "oom_score_adj", "pid", "pids_limit", "platform", "post_start", "pre_stop", "privileged", "provider",
            "pull_policy", "pull_refresh_after", "runtime", "stdin_open", "storage_opt", "tty", "use_api_socket",
            "userns_mode", "uts", "volumes_from",
        ]
        var all = special
        for key in others { all[key] = "not supported yet" }
        all["mem_limit"] = "use deploy.resources.limits.memory"
        all["cpus"] = "use deploy.resources.limits.cpus"
        all["pids_limit"] = "use deploy.resources.limits.pids"
        return all
    }()

    func load(_ root: YAMLValue, variables: Interpolator) -> ComposeFile? {
        let value = root.interpolated(with: variables, sink: sink)
        guard let top = Fields(value, what: file, known: Self.topKeys, unsupported: Self.topUnsupported, extensions: true, sink: sink)
        else { return nil }
        if let name = top.string("name"), name != project {
            top.error("name", "'name' in \(file) is '\(name)' but the project directory is '\(project)'; remove 'name' or make them equal")
        }
        var compose = ComposeFile()
        if let volumes = top["volumes"] {
            compose.volumes = loadVolumes(volumes)
        }
        guard let services = top["services"] else {
            sink.error(top.location, "\(file) has no 'services'")
            return compose
        }
        guard case .mapping(let entries, _) = services else {
            sink.error(services.location, "'services' must be a mapping of service names, found \(services.kindName)")
            return compose
        }
        for entry in entries {
            let name = entry.key.text
            if !Names.isServiceName(name) {
                sink.error(entry.key.location, "service name '\(name)' is invalid: use lowercase letters, digits, '-' and '_', starting with a letter or digit")
            }
            if let service = loadService(name, entry.value, volumeKeys: Set(compose.volumes.keys)) {
                compose.services[name] = service
            }
        }
        if entries.isEmpty { sink.error(services.location, "'services' is empty") }
        for (name, service) in compose.services {
            for dep in service.dependsOn.keys where compose.services[dep] == nil {
                sink.error(entries.first { $0.key.text == name }?.value.location ?? top.location,
                           "service '\(name)' depends on '\(dep)', which is not a service of project '\(project)'\(Suggestion.hint(for: dep, in: compose.services.keys))")
            }
        }
        return compose
    }

    private func loadVolumes(_ value: YAMLValue) -> [String: ComposeVolume] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "top-level 'volumes' must be a mapping, found \(value.kindName)")
            return [:]
        }
        var result: [String: ComposeVolume] = [:]
        for entry in entries {
            var volume = ComposeVolume()
            let what = "volume '\(entry.key.text)'"
            if case .scalar(let s) = entry.value, s.isNull {
                result[entry.key.text] = volume
                continue
            }
            guard let f = Fields(entry.value, what: what, known: ["driver", "driver_opts", "labels", "name", "external"], extensions: true, sink: sink)
            else { continue }
            volume.driver = f.string("driver")
            volume.driverOpts = (f.stringMap("driver_opts") ?? [:]).compactMapValues { $0 }
            volume.labels = (f.stringMap("labels") ?? [:]).mapValues { $0 ?? "" }
            volume.name = f.string("name")
            volume.external = f.bool("external") ?? false
            result[entry.key.text] = volume
        }
        return result
    }

    private func loadService(_ name: String, _ value: YAMLValue, volumeKeys: Set<String>) -> ComposeService? {
        guard let f = Fields(value, what: "service '\(name)'", known: Self.serviceKeys, unsupported: Self.serviceUnsupported,
                             extensions: true, sink: sink)
        else { return nil }
        guard let image = f.requiredString("image") else { return nil }
        var s = ComposeService(image: image)
        if image.isEmpty || image.contains(" ") { f.error("image", "'image' in service '\(name)' is not a valid image reference: '\(image)'") }
        s.command = commandLine(f, "command")
        s.entrypoint = commandLine(f, "entrypoint")
        s.environment = environment(f)
        s.volumes = (f["volumes"].map { mounts($0, service: name, volumeKeys: volumeKeys) }) ?? []
        s.healthcheck = f["healthcheck"].flatMap { healthcheck($0, service: name) }
        if let restart = f.string("restart") {
            let valid = ["no", "always", "unless-stopped", "on-failure"]
            let base = restart.split(separator: ":").first.map(String.init) ?? restart
            if !valid.contains(base) || (base != "on-failure" && restart.contains(":")) {
                f.error("restart", "'restart' in service '\(name)' must be one of no, always, unless-stopped, on-failure[:N], found '\(restart)'")
            }
            s.restart = restart
        }
        s.labels = (f.stringMap("labels") ?? [:]).mapValues { $0 ?? "" }
        for key in s.labels.keys where key.hasPrefix("berth.") || key.hasPrefix("com.docker.compose.") {
            f.error("labels", "label '\(key)' in service '\(name)' is reserved: Berth sets berth.* and com.docker.compose.* itself")
        }
        s.user = f.string("user")
        s.workingDir = f.string("working_dir")
        s.capAdd = f.strings("cap_add") ?? []
        s.capDrop = f.strings("cap_drop") ?? []
        s.readOnly = f.bool("read_only") ?? false
        s.tmpfs = f.strings("tmpfs", single: true) ?? []
        s.securityOpt = f.strings("security_opt") ?? []
        s.ulimits = f["ulimits"].map { ulimits($0, service: name) } ?? [:]
        s.initProcess = f.bool("init")
        s.shmSize = f["shm_size"].flatMap { byteSize($0, "'shm_size' in service '\(name)'") }
        s.sysctls = (f.stringMap("sysctls") ?? [:]).mapValues { $0 ?? "" }
        s.extraHosts = extraHosts(f)
        s.stopSignal = f.string("stop_signal")
        s.stopGracePeriod = f.duration("stop_grace_period")
        s.dependsOn = f["depends_on"].map { dependsOn($0, service: name) } ?? [:]
        s.logging = f.fields("logging", known: ["driver", "options"]).map { lf in
            var logging = Logging()
            logging.driver = lf.string("driver")
            logging.options = (lf.stringMap("options") ?? [:]).compactMapValues { $0 }
            return logging
        }
        s.hostname = f.string("hostname")
        s.expose = f["expose"].map { exposes($0, f.describe("expose")) } ?? []
        if let deploy = f.fields("deploy", known: ["replicas", "resources"], unsupported: [
            "mode": "not supported yet", "placement": "placement applies to Swarm, which is not supported yet",
            "update_config": "rollouts are configured under 'rollout' in project.yml",
            "rollback_config": "rollback is automatic; see 'rollout' in project.yml",
            "restart_policy": "use the service's 'restart'", "labels": "use the service's 'labels'",
            "endpoint_mode": "not supported yet",
        ]) {
            s.replicas = deploy.int("replicas", in: 0...100) ?? 1
            if let resources = deploy.fields("resources", known: ["limits"], unsupported: [
                "reservations": "not supported yet"
            ]), let limits = resources.fields("limits", known: ["cpus", "memory", "pids"], unsupported: ["devices": "not supported yet"]) {
                var l = ResourceLimits()
                if let cpus = limits.double("cpus") {
                    if cpus <= 0 { limits.error("cpus", "\(limits.describe("cpus")) must be greater than 0") }
                    l.cpus = cpus
                }
                l.memory = limits["memory"].flatMap { byteSize($0, limits.describe("memory")) }
                l.pids = limits.int("pids", in: -1...Int(Int32.max))
                s.limits = l
            }
        }
        return s
    }

    // MARK: - Pieces

    private func commandLine(_ f: Fields, _ key: String) -> [String]? {
        guard let value = f[key] else { return nil }
        if case .scalar(let s) = value {
            guard let words = ShellWords.split(s.text) else {
                sink.error(value.location, "\(f.describe(key)) has an unclosed quote")
                return nil
            }
            return words
        }
        return Scalar.strings(value, f.describe(key), sink)
    }

    private func environment(_ f: Fields) -> [String: String] {
        var env: [String: String] = [:]
        if let files = f["env_file"] {
            for (path, required, location) in envFiles(files, f.describe("env_file")) {
                let url = directory.appendingPathComponent(path)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    if required { sink.error(location, "env_file '\(path)' cannot be read (looked in \(url.path))") }
                    continue
                }
                let fileName = "projects/\(project)/\(path)"
                for (k, v) in EnvFile.parse(text, file: fileName, sink: sink) { env[k] = v }
            }
        }
        for (key, value) in f.stringMap("environment") ?? [:] {
            if let value {
                env[key] = value
            } else if let inherited = ProcessInfo.processInfo.environment[key] {
                env[key] = inherited
            }
        }
        return env
    }

    private func envFiles(_ value: YAMLValue, _ what: String) -> [(String, Bool, Location)] {
        switch value {
        case .scalar(let s): return [(s.text, true, s.location)]
        case .sequence(let items, _):
            return items.compactMap { item in
                if case .scalar(let s) = item { return (s.text, true, s.location) }
                guard let f = Fields(item, what: "an item of \(what)", known: ["path", "required", "format"], sink: sink),
                      let path = f.requiredString("path") else { return nil }
                return (path, f.bool("required") ?? true, item.location)
            }
        case .mapping:
            sink.error(value.location, "\(what) must be a path or a list of paths")
            return []
        }
    }

    private func mounts(_ value: YAMLValue, service: String, volumeKeys: Set<String>) -> [VolumeMount] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "'volumes' in service '\(service)' must be a list, found \(value.kindName)")
            return []
        }
        var result: [VolumeMount] = []
        for item in items {
            let mount: VolumeMount?
            if case .scalar(let s) = item {
                mount = shortMount(s, service: service)
            } else {
                mount = longMount(item, service: service)
            }
            guard let mount else { continue }
            if mount.type == .volume, let source = mount.source, !volumeKeys.contains(source) {
                sink.error(item.location, "service '\(service)' mounts volume '\(source)', which is not declared under the top-level 'volumes'\(Suggestion.hint(for: source, in: volumeKeys))")
            }
            if !mount.target.hasPrefix("/") {
                sink.error(item.location, "mount target '\(mount.target)' in service '\(service)' must be an absolute path")
            }
            result.append(mount)
        }
        return result
    }

    private func isHostPath(_ s: String) -> Bool {
        s.hasPrefix("/") || s.hasPrefix(".") || s.hasPrefix("~")
    }

    private func resolveHostPath(_ s: String) -> String {
        if s.hasPrefix("/") { return s }
        if s.hasPrefix("~") { return NSString(string: s).expandingTildeInPath }
        return directory.appendingPathComponent(s).standardizedFileURL.path
    }

    private func shortMount(_ s: YAMLScalar, service: String) -> VolumeMount? {
        let parts = s.text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            return VolumeMount(type: .volume, source: nil, target: parts[0])
        case 2, 3:
            var mount = isHostPath(parts[0])
                ? VolumeMount(type: .bind, source: resolveHostPath(parts[0]), target: parts[1])
                : VolumeMount(type: .volume, source: parts[0], target: parts[1])
            if parts.count == 3 {
                for option in parts[2].split(separator: ",") {
                    switch option {
                    case "ro": mount.readOnly = true
                    case "rw": mount.readOnly = false
                    case "z", "Z", "cached", "delegated", "consistent": break
                    case "nocopy": mount.noCopy = true
                    default:
                        sink.error(s.location, "unknown mount option '\(option)' in '\(s.text)' (service '\(service)'); use ro, rw or nocopy")
                    }
                }
            }
            return mount
        default:
            sink.error(s.location, "volume '\(s.text)' in service '\(service)' is not SOURCE:TARGET[:MODE]")
            return nil
        }
    }

    private func longMount(_ item: YAMLValue, service: String) -> VolumeMount? {
        let what = "a volume of service '\(service)'"
        guard let f = Fields(item, what: what, known: ["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"],
                             unsupported: ["image": "image mounts are not supported", "npipe": "named pipes are Windows-only", "cluster": "not supported"],
                             extensions: true, sink: sink),
              let typeText = f.requiredString("type"), let target = f.requiredString("target")
        else { return nil }
        guard let type = VolumeMount.Kind(rawValue: typeText) else {
            f.error("type", "'type' in \(what) must be volume, bind or tmpfs, found '\(typeText)'")
            return nil
        }
        var source = f.string("source")
        if type == .bind {
            guard let s = source else {
                sink.error(f.location, "a bind mount in service '\(service)' needs 'source'")
                return nil
            }
            source = resolveHostPath(s)
        }
        var mount = VolumeMount(type: type, source: type == .tmpfs ? nil : source, target: target)
        mount.readOnly = f.bool("read_only") ?? false
        if let bind = f.fields("bind", known: ["create_host_path", "propagation", "selinux"]) {
            mount.createHostPath = bind.bool("create_host_path") ?? true
            _ = bind.string("propagation")
        }
        if let volume = f.fields("volume", known: ["nocopy", "subpath"]) {
            mount.noCopy = volume.bool("nocopy") ?? false
            if volume.has("subpath") { volume.error("subpath", "'subpath' needs Docker API 1.45; it is not supported yet") }
        }
        if let tmpfs = f.fields("tmpfs", known: ["size", "mode"]) {
            mount.tmpfsSize = tmpfs["size"].flatMap { byteSize($0, tmpfs.describe("size")) }
        }
        return mount
    }

    private func healthcheck(_ value: YAMLValue, service: String) -> Healthcheck? {
        guard let f = Fields(value, what: "healthcheck of service '\(service)'",
                             known: ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"],
                             sink: sink) else { return nil }
        if f.bool("disable") == true { return Healthcheck(test: ["NONE"]) }
        guard let testValue = f["test"] else {
            sink.error(f.location, "healthcheck of service '\(service)' needs 'test' (or 'disable: true')")
            return nil
        }
        var test: [String]
        if case .scalar(let s) = testValue {
            test = ["CMD-SHELL", s.text]
        } else {
            test = Scalar.strings(testValue, f.describe("test"), sink) ?? []
            if let first = test.first, !["CMD", "CMD-SHELL", "NONE"].contains(first) {
                f.error("test", "'test' in healthcheck of service '\(service)' must start with CMD, CMD-SHELL or NONE, found '\(first)'")
            }
        }
        var h = Healthcheck(test: test)
        h.interval = f.duration("interval")
        h.timeout = f.duration("timeout")
        h.retries = f.int("retries", in: 0...1000)
        h.startPeriod = f.duration("start_period")
        h.startInterval = f.duration("start_interval")
        return h
    }

    private func ulimits(_ value: YAMLValue, service: String) -> [String: Ulimit] {
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "'ulimits' in service '\(service)' must be a mapping")
            return [:]
        }
        var result: [String: Ulimit] = [:]
        for entry in entries {
            let what = "ulimit '\(entry.key.text)' of service '\(service)'"
            if case .scalar = entry.value {
                if let n = Scalar.int(entry.value, what, sink) { result[entry.key.text] = Ulimit(soft: n, hard: n) }
            } else if let f = Fields(entry.value, what: what, known: ["soft", "hard"], sink: sink),
                      let soft = f.int("soft"), let hard = f.int("hard") {
                if soft > hard { sink.error(entry.value.location, "\(what): soft limit \(soft) is above hard limit \(hard)") }
                result[entry.key.text] = Ulimit(soft: soft, hard: hard)
            }
        }
        return result
    }

    private func extraHosts(_ f: Fields) -> [String] {
        guard let value = f["extra_hosts"] else { return [] }
        if case .mapping = value {
            return (Scalar.stringMap(value, f.describe("extra_hosts"), sink) ?? [:])
                .map { "\($0.key):\($0.value ?? "")" }.sorted()
        }
        let list = Scalar.strings(value, f.describe("extra_hosts"), sink) ?? []
        return list.map { entry in
            // Compose accepts HOST=IP and HOST:IP; Docker wants HOST:IP.
            if let eq = entry.firstIndex(of: "=") { return entry.replacingCharacters(in: eq...eq, with: ":") }
            return entry
        }
    }

    private func dependsOn(_ value: YAMLValue, service: String) -> [String: Dependency] {
        let what = "'depends_on' in service '\(service)'"
        if case .sequence = value {
            return Dictionary((Scalar.strings(value, what, sink) ?? []).map { ($0, Dependency()) }, uniquingKeysWith: { a, _ in a })
        }
        guard case .mapping(let entries, _) = value else {
            sink.error(value.location, "\(what) must be a list or a mapping")
            return [:]
        }
        var result: [String: Dependency] = [:]
        for entry in entries {
            var dep = Dependency()
            if let f = Fields(entry.value, what: "dependency '\(entry.key.text)' of service '\(service)'",
                              known: ["condition", "restart", "required"], sink: sink) {
                if let c = f.string("condition") {
                    if let condition = Dependency.Condition(rawValue: c) {
                        dep.condition = condition
                    } else {
                        f.error("condition", "'condition' must be one of \(Dependency.Condition.allCases.map(\.rawValue).joined(separator: ", ")), found '\(c)'\(Suggestion.hint(for: c, in: Dependency.Condition.allCases.map(\.rawValue)))")
                    }
                }
                dep.restart = f.bool("restart") ?? false
                dep.required = f.bool("required") ?? true
            }
            result[entry.key.text] = dep
        }
        return result
    }

    private func exposes(_ value: YAMLValue, _ what: String) -> [String] {
        guard case .sequence(let items, _) = value else {
            sink.error(value.location, "\(what) must be a list")
            return []
        }
        return items.compactMap { Scalar.string($0, "an item of \(what)", sink) }
    }

    private func byteSize(_ value: YAMLValue, _ what: String) -> Int? {
        guard case .scalar(let s) = value, let n = ByteSize.parse(s.text) else {
            sink.error(value.location, "\(what) must be a size such as 512m, 1g or a number of bytes, found \(Scalar.describe(value))")
            return nil
        }
        return n
    }
}
