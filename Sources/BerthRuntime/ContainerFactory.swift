import BerthConfig
import BerthDocker
import BerthPlan

/// Translates a service spec into Docker's container-create body, field by field.
enum ContainerFactory {
    static func config(_ request: ContainerRequest) -> ContainerConfig {
        let s = request.service
        // Binds that may create their host path go through `Binds` (API 1.41 has no CreateMountpoint).
        // Named volumes with an SELinux label go through `Binds` too: the Mount API has no label option.
        func viaBinds(_ m: VolumeMount) -> Bool { (m.type == .bind && m.createHostPath) || (m.type == .volume && m.source != nil && m.selinux != nil) }
        let binds = s.volumes.filter(viaBinds).map { m in
            let options = [m.readOnly ? "ro" : nil, m.selinux, m.propagation].compactMap { $0 }
            return "\(m.source ?? ""):\(m.target)\(options.isEmpty ? "" : ":" + options.joined(separator: ","))"
        }
        var mounts: [Mount] = s.volumes.filter { !viaBinds($0) }.map { m in
            switch m.type {
            case .volume:
                return m.source.map { Mount.volume($0, at: m.target, readOnly: m.readOnly, noCopy: m.noCopy) }
                    ?? Mount(type: .volume, target: m.target)
            case .bind:
                var mount = Mount.bind(m.source ?? "", at: m.target, readOnly: m.readOnly)
                if let propagation = m.propagation { mount.bindOptions = BindOptions(propagation: propagation) }
                return mount
            case .tmpfs:
                var mount = Mount.tmpfs(at: m.target, sizeBytes: m.tmpfsSize.map(Int64.init))
                if let mode = m.tmpfsMode { mount.tmpfsOptions = TmpfsOptions(sizeBytes: m.tmpfsSize.map(Int64.init), mode: mode) }
                return mount
            }
        }
        mounts += request.binds.map { Mount.bind($0.host, at: $0.container) }
        mounts += request.files.map { Mount.bind($0.host, at: $0.container, readOnly: true) }
        let restart: RestartPolicy = {
            let parts = s.restart.split(separator: ":")
            return RestartPolicy(name: String(parts.first ?? "no"), maximumRetryCount: parts.count > 1 ? Int(parts[1]) : nil)
        }()
        var portBindings: [String: [PortBinding]] = [:]
        // The service's own published ports (Compose `ports`), exactly as Compose publishes them.
        for p in s.ports ?? [] {
            portBindings["\(p.containerPort)/\(p.proto.rawValue)", default: []]
                .append(PortBinding(hostIP: p.hostIP ?? "", hostPort: p.hostPort.map(String.init) ?? ""))
        }
        for p in request.publish {
            portBindings["\(p.containerPort)/\(p.proto.rawValue)", default: []].append(PortBinding(hostIP: p.ip, hostPort: String(p.hostPort)))
        }
        let host = HostConfig(
            binds: binds.isEmpty ? nil : binds, mounts: mounts.isEmpty ? nil : mounts, restartPolicy: restart,
            capAdd: s.capAdd.isEmpty ? nil : s.capAdd, capDrop: s.capDrop.isEmpty ? nil : s.capDrop,
            readonlyRootfs: s.readOnly ? true : nil,
            tmpfs: s.tmpfs.isEmpty ? nil : Dictionary(s.tmpfs.map { entry in
                let parts = entry.split(separator: ":", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }) { a, _ in a },
            securityOpt: s.securityOpt.isEmpty ? nil : s.securityOpt,
            ulimits: s.ulimits.isEmpty ? nil : s.ulimits.keys.sorted().map { Ulimit(name: $0, soft: Int64(s.ulimits[$0]!.soft), hard: Int64(s.ulimits[$0]!.hard)) },
            initProcess: s.initProcess, shmSize: s.shmSize.map(Int64.init),
            sysctls: s.sysctls.isEmpty ? nil : s.sysctls, extraHosts: s.extraHosts.isEmpty ? nil : s.extraHosts,
            logConfig: s.logging.flatMap { l in l.driver.map { LogConfig(type: $0, config: l.options.isEmpty ? nil : l.options) } },
            nanoCpus: s.limits?.cpus.map { Int64(($0 * 1e9).rounded()) }, memory: s.limits?.memory.map(Int64.init),
            pidsLimit: s.limits?.pids.map(Int64.init), portBindings: portBindings.isEmpty ? nil : portBindings,
            // Compose network_mode (service:x is already container:<x's replica> in the desired state).
            networkMode: request.hostNetwork ? "host" : s.networkMode ?? request.networks.first?.network)
        let health = s.healthcheck.map { h in
            var health = HealthConfig(test: h.test, interval: h.interval.map { .milliseconds($0.milliseconds) },
                         timeout: h.timeout.map { .milliseconds($0.milliseconds) }, retries: h.retries,
                         startPeriod: h.startPeriod.map { .milliseconds($0.milliseconds) })
            if h.test.isEmpty { health.test = nil }  // the image's own test, with these timings
            health.startInterval = h.startInterval.map { HealthConfig.nanoseconds(.milliseconds($0.milliseconds)) }
            return health
        }
        let networking = request.networks.first.map {
            NetworkingConfig(endpointsConfig: [$0.network: EndpointConfig(aliases: $0.aliases.isEmpty ? nil : $0.aliases,
                                                                          ipv4Address: request.fixedAddresses[$0.network])])
        }
        var config = ContainerConfig(
            image: request.image, cmd: s.command, entrypoint: s.entrypoint,
            env: Self.environment(s),
            labels: request.labels, user: s.user, workingDir: s.workingDir, hostname: s.hostname,
            healthcheck: health, stopSignal: s.stopSignal,
            stopTimeout: s.stopGracePeriod.map { max(1, Int(($0.seconds).rounded(.up))) },
            exposedPorts: portBindings.isEmpty ? nil : portBindings.keys.sorted(), hostConfig: host, networkingConfig: networking)
        if let settings = s.settings { apply(settings, to: &config) }
        return config
    }

    /// `KEY=value` for the container: the plain environment and the values that use secrets (missing
    /// values — a spec from the history whose secret changed since — are checked before this is called).
    static func environment(_ s: ComposeService) -> [String] {
        var env = s.environment
        for (key, entry) in s.secretEnvironment ?? [:] { env[key] = entry.value?.reveal() ?? "" }
        return env.keys.sorted().map { "\($0)=\(env[$0]!)" }
    }
}
