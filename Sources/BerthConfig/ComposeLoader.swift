import Foundation

/// Reads a Compose file strictly: every supported key is applied, every other key is an error.
struct ComposeLoader {
    let project: String
    let file: String
    let directory: URL
    let sink: DiagnosticSink
    /// What platform.yml allows (privileged containers, devices, host namespaces, the Docker socket…).
    var policy = PolicyConfig()
    /// The variables compose.yml is interpolated with (environment over the project's `.env`); also the
    /// values of `environment` entries written without one, as Compose takes them from the shell.
    var variables: [String: String] = [:]
    /// The process environment alone: what included files are interpolated with, over their own env files.
    var environment: [String: String] = [:]
    /// The profiles project.yml enables (`profiles:`), with where each is written.
    var profiles: [(text: String, location: Location)] = []
    /// The project's decrypted `secrets.enc.env` (its keys are interpolated as placeholders; see ComposeLoader+Secrets).
    var secrets: [String: SecretValue] = [:]

    func load(_ root: YAMLValue, variables interpolator: Interpolator) -> ComposeFile? {
        var loader = self
        loader.variables = interpolator.variables
        let composed = loader.composed(root.interpolated(with: interpolator, sink: sink))
        if !secrets.isEmpty { loader.checkSecretUses(composed) }
        return loader.loadInterpolated(composed).map(loader.resolvingSecrets)
    }

    private func loadInterpolated(_ value: YAMLValue) -> ComposeFile? {
        guard let top = Fields(value, what: file, known: ComposeKeys.known(.top), unsupported: ComposeKeys.refused(.top), extensions: true, sink: sink)
        else { return nil }
        if let name = top.string("name"), name != project {
            top.warning("name", "'name' in \(file) is '\(name)' but the project directory is '\(project)': Berth names the project after its directory ('\(project)'), so networks, volumes and containers are '\(project)_…'; rename the directory to use '\(name)'")
        }
        var compose = ComposeFile()
        if let volumes = top["volumes"] {
            compose.volumes = loadVolumes(volumes)
        }
        if let networks = top["networks"] { loadNetworks(networks, into: &compose) }
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
                compose.serviceLocations[name] = entry.key.location
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
        resolveVolumesFrom(entries, into: &compose)
        for entry in entries { readTraefikLabels(entry, into: &compose) }
        for entry in entries where compose.services[entry.key.text]?.settings?.containerName != nil {
            if case .mapping(let keys, _) = entry.value, let key = keys.first(where: { $0.key.text == "container_name" }) {
                compose.containerNameLocations[entry.key.text] = key.value.location
            }
        }
        checkNetworking(&compose, entries: entries)
        let serviceNames = entries.map(\.key.text)
        for entry in entries {
            guard let service = compose.services[entry.key.text] else { continue }
            for (dep, location) in dependencyLocations(entry.value) where service.dependsOn[dep] != nil {
                if !serviceNames.contains(dep), service.dependsOn[dep]?.required == false {
                    sink.warning(location, "service '\(entry.key.text)' depends on '\(dep)', which is not a service of project '\(project)'; the dependency is optional (required: false), so it is left out")
                    compose.services[entry.key.text]?.dependsOn[dep] = nil
                } else if !serviceNames.contains(dep) {
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
        guard let f = Fields(value, what: "service '\(name)'", known: ComposeKeys.known(.service), unsupported: ComposeKeys.refused(.service),
                             extensions: true, sink: sink)
        else { return nil }
        // Without an image the service is still read, so that every problem of it is reported in one run.
        // With `build`, `image` is optional (the built image's extra tag).
        let built = f["build"].flatMap { self.build($0, service: name) }
        let image = f["build"] != nil && f["image"] == nil ? "" : f.requiredString("image")
        var s = ComposeService(image: image ?? "")
        if f["image"] != nil, let image, image.isEmpty || image.contains(" ") { f.error("image", "'image' in service '\(name)' is not a valid image reference: '\(image)'") }
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
        s.labels = labels(f, service: name)
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
        s.networks = f["networks"].map { serviceNetworks($0, service: name) }
        s.networkMode = f.string("network_mode")
        s.links = f.strings("links")
        s.build = built.map { b in
            var b = b
            b.image = (image ?? "").isEmpty ? nil : image
            return b
        }
        s.pullPolicy = pullPolicy(f, service: name, hasBuild: f["build"] != nil)
        deploy(f, service: name, into: &s)
        legacyLimits(f, service: name, into: &s)
        settings(f, service: name, into: &s)
        return image == nil ? nil : s
    }
}
