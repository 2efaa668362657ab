import Foundation

/// Reads a Compose file strictly: every supported key is applied, every other key is an error.
struct ComposeLoader {
    let project: String
    let file: String
    let directory: URL
    let sink: DiagnosticSink
    /// The variables compose.yml is interpolated with (environment over the project's `.env`); also the
    /// values of `environment` entries written without one, as Compose takes them from the shell.
    var variables: [String: String] = [:]
    /// The process environment alone: what included files are interpolated with, over their own env files.
    var environment: [String: String] = [:]
    /// The profiles project.yml enables (`profiles:`), with where each is written.
    var profiles: [(text: String, location: Location)] = []

    static let topKeys = ["services", "volumes", "version", "name", "include", "secrets", "configs"]
    static let topUnsupported: [String: String] = [
        "networks": ComposeLoader.networksReason,
        "models": "models are not supported",
    ]
    static let networksReason =
        "Berth creates each project's networks itself (<project>_ingress, _internal, _egress); declare internet access and cross-project edges under 'egress' in project.yml"

    static let serviceKeys = [
        "image", "command", "entrypoint", "environment", "env_file", "volumes", "healthcheck", "restart", "labels",
        "user", "working_dir", "cap_add", "cap_drop", "read_only", "tmpfs", "security_opt", "ulimits", "init",
        "shm_size", "sysctls", "extra_hosts", "stop_signal", "stop_grace_period", "depends_on", "logging", "deploy",
        "hostname", "expose", "ports", "profiles", "extends", "secrets", "configs",
    ]
    static let serviceUnsupported: [String: String] = {
        let special: [String: String] = [
            "build": "Berth deploys prebuilt images; build and tag the image first, then set 'image'",
            "networks": networksReason,
            "network_mode": networksReason,
            "container_name": "Berth names replicas itself so that old and new ones can run side by side during a rollout",
            "links": "services reach each other by service name; other projects through 'egress' edges in project.yml",
            "external_links": "declare an 'egress' edge to the other project's service in project.yml",
            "scale": "use deploy.replicas",
        ]
        let others = [
            "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "cpu_count", "cpu_percent",
            "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset",
            "credential_spec", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search",
            "domainname", "gpus", "group_add", "ipc", "isolation", "label_file", "mac_address",
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

    func load(_ root: YAMLValue, variables interpolator: Interpolator) -> ComposeFile? {
        var loader = self
        loader.variables = interpolator.variables
        return loader.loadInterpolated(loader.composed(root.interpolated(with: interpolator, sink: sink)))
    }

    private func loadInterpolated(_ value: YAMLValue) -> ComposeFile? {
        guard let top = Fields(value, what: file, known: Self.topKeys, unsupported: Self.topUnsupported, extensions: true, sink: sink)
        else { return nil }
        if let name = top.string("name"), name != project {
            top.error("name", "'name' in \(file) is '\(name)' but the project directory is '\(project)'; remove 'name' or make them equal")
        }
        var compose = ComposeFile()
        if let volumes = top["volumes"] {
            compose.volumes = loadVolumes(volumes)
        }
        let files = (secrets: fileSources(top["secrets"], .secret), configs: fileSources(top["configs"], .config))
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
            if let service = loadService(name, entry.value, volumeKeys: Set(compose.volumes.keys), files: files) {
                compose.services[name] = service
                if service.ports != nil, case .mapping(let keys, _) = entry.value,
                   let key = keys.first(where: { $0.key.text == "ports" }) {
                    compose.portLocations[name] = key.key.location
                    let fixed = service.ports!.filter { $0.hostPort != nil }
                    if service.replicas > 1, let first = fixed.first {
                        sink.error(key.key.location, "service '\(name)' publishes host port \(first.description) and has \(service.replicas) replicas: only one container can bind a host port; use one replica, or publish an ephemeral port (\"\(first.containerPort)\"), or route it through the proxy with an ingress row")
                    }
                }
            }
        }
        if entries.isEmpty { sink.error(services.location, "'services' is empty") }
        let serviceNames = entries.map(\.key.text)
        for entry in entries {
            guard let service = compose.services[entry.key.text] else { continue }
            for (dep, location) in dependencyLocations(entry.value) where service.dependsOn[dep] != nil {
                if !serviceNames.contains(dep) {
                    sink.error(location, "service '\(entry.key.text)' depends on '\(dep)', which is not a service of project '\(project)'\(Suggestion.hint(for: dep, in: serviceNames))")
                } else if dep == entry.key.text {
                    sink.error(location, "service '\(dep)' depends on itself")
                }
            }
        }
        applyProfiles(&compose, entries)
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
            volume.driverOpts = valuedMap(f, "driver_opts")
            volume.labels = (f.stringMap("labels") ?? [:]).mapValues { $0 ?? "" }
            volume.name = f.string("name")
            volume.external = f.bool("external") ?? false
            result[entry.key.text] = volume
        }
        return result
    }

    private func loadService(
        _ name: String, _ value: YAMLValue, volumeKeys: Set<String>,
        files: (secrets: [String: ComposeFileSource], configs: [String: ComposeFileSource])
    ) -> ComposeService? {
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
            let parts = restart.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let retriesValid = parts.count == 1 || (parts[0] == "on-failure" && (Int(parts[1]).map { $0 >= 0 } ?? false))
            if !valid.contains(parts[0]) || !retriesValid {
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
            logging.options = valuedMap(lf, "options")
            return logging
        }
        s.hostname = f.string("hostname")
        s.expose = f["expose"].map { exposes($0, f.describe("expose")) } ?? []
        if let value = f["ports"] {
            let ports = ports(value, f.describe("ports"))
            s.ports = ports.isEmpty ? nil : ports
        }
        let fileList = (fileMounts(f, .secret, service: name, sources: files.secrets) ?? []) + (fileMounts(f, .config, service: name, sources: files.configs) ?? [])
        s.files = fileList.isEmpty ? nil : fileList
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
}
