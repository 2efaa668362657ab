import BerthConfig

/// One `ComposeService` written back as Compose syntax: every field Berth honours, defaults left out.
enum ComposeExportService {
    /// - Parameters:
    ///   - labels: the labels to write (the service's own, Traefik's added, reserved ones removed).
    ///   - volumeKeys: engine volume name → key, to turn mounts back into the file's volume keys.
    ///   - networks: the service's `networks:` mapping.
    static func document(
        _ s: ComposeService, labels: [String: String], volumeKeys: [String: String], networks: Document?,
        projectDirectory: String = ".", networkMode: String? = nil
    ) -> Document {
        let base: Document = .object([
            "image": .string(s.image),
            "command": s.command.map(Document.strings),
            "entrypoint": s.entrypoint.map(Document.strings),
            "user": s.user.map(Document.string),
            "working_dir": s.workingDir.map(Document.string),
            "hostname": s.hostname.map(Document.string),
            "init": s.initProcess.map(Document.bool),
            "environment": s.environment.isEmpty ? nil : .sorted(s.environment),
            "volumes": s.volumes.isEmpty ? nil : .array(s.volumes.map { mount($0, volumeKeys: volumeKeys) }),
            "tmpfs": s.tmpfs.isEmpty ? nil : .strings(s.tmpfs),
            "healthcheck": s.healthcheck.map(healthcheck),
            "restart": .string(s.restart),
            "depends_on": s.dependsOn.isEmpty ? nil : dependsOn(s.dependsOn),
            "labels": labels.isEmpty ? nil : .sorted(labels),
            "cap_add": s.capAdd.isEmpty ? nil : .strings(s.capAdd),
            "cap_drop": s.capDrop.isEmpty ? nil : .strings(s.capDrop),
            "read_only": s.readOnly ? .bool(true) : nil,
            "security_opt": s.securityOpt.isEmpty ? nil : .strings(s.securityOpt),
            "ulimits": s.ulimits.isEmpty ? nil : ulimits(s.ulimits),
            "shm_size": s.shmSize.map { .string(size($0)) },
            "sysctls": s.sysctls.isEmpty ? nil : .sorted(s.sysctls),
            "extra_hosts": s.extraHosts.isEmpty ? nil : .strings(s.extraHosts),
            "expose": s.expose.isEmpty ? nil : .strings(s.expose),
            // Long syntax: one entry per published port, as Berth publishes them.
            "ports": s.ports.map { ports in .array(ports.map { p in
                .object([
                    ("target", .int(p.containerPort)), ("published", p.hostPort.map { .string(String($0)) } ?? .null),
                    ("host_ip", p.hostIP.map(Document.string) ?? .null), ("protocol", .string(p.proto.rawValue)),
                ].filter { if case .null = $0.1 { false } else { true } })
            }) },
            "stop_signal": s.stopSignal.map(Document.string),
            "stop_grace_period": s.stopGracePeriod.map { .string($0.description) },
            "logging": s.logging.map(logging),
            "deploy": deploy(s),
            "secrets": fileMounts(s, .secret),
            "configs": fileMounts(s, .config),
            "networks": networks,
            // The image is Berth's tag of the build (`<project>-<service>:<digest>`): Compose builds and tags it so.
            "build": s.build.map { ComposeExportBuild.document($0, projectDirectory: projectDirectory) },
            "pull_policy": s.pullPolicy.map { .string($0.description) },
            "network_mode": networkMode.map(Document.string),
        ])
        guard let settings = s.settings, case .object(var pairs) = base else { return base }
        pairs.append(contentsOf: Self.settings(settings))
        return .object(pairs)
    }

    /// Long syntax of a service's secrets or configs (the top level says where each comes from).
    static func fileMounts(_ s: ComposeService, _ kind: ComposeFileMount.Kind) -> Document? {
        let mounts = (s.files ?? []).filter { $0.kind == kind }
        guard !mounts.isEmpty else { return nil }
        return .array(mounts.map { m in
            .object([
                "source": .string(m.source), "target": .string(m.target),
                "uid": m.uid.map(Document.string), "gid": m.gid.map(Document.string), "mode": m.mode.map(Document.int),
            ])
        })
    }

    /// Long syntax, so every option survives: read_only, nocopy, create_host_path, tmpfs size.
    static func mount(_ m: VolumeMount, volumeKeys: [String: String]) -> Document {
        let source: String? = switch m.type {
        case .volume: m.source.map { volumeKeys[$0] ?? $0 }
        case .bind: m.source
        case .tmpfs: nil
        }
        return .object([
            "type": .string(m.type.rawValue),
            "source": source.map(Document.string),
            "target": .string(m.target),
            "read_only": m.readOnly ? .bool(true) : nil,
            "bind": m.type == .bind && (!m.createHostPath || m.selinux != nil || m.propagation != nil) ? .object([
                "create_host_path": m.createHostPath ? nil : .bool(false), "selinux": m.selinux.map(Document.string),
                "propagation": m.propagation.map(Document.string),
            ]) : nil,
            "volume": m.type == .volume && m.noCopy ? .object([("nocopy", .bool(true))]) : nil,
            "tmpfs": m.type == .tmpfs && (m.tmpfsSize != nil || m.tmpfsMode != nil) ? .object([
                "size": m.tmpfsSize.map(Document.int), "mode": m.tmpfsMode.map { .int(Int(String($0, radix: 8)) ?? $0) },
            ]) : nil,
        ])
    }

    static func healthcheck(_ h: Healthcheck) -> Document {
        if h.disabled { return .object([("disable", .bool(true))]) }
        return .object([
            "test": h.test.isEmpty ? nil : .strings(h.test),
            "interval": h.interval.map { .string($0.description) },
            "timeout": h.timeout.map { .string($0.description) },
            "retries": h.retries.map(Document.int),
            "start_period": h.startPeriod.map { .string($0.description) },
            "start_interval": h.startInterval.map { .string($0.description) },
        ])
    }

    /// Always the long form with a condition (Compose 1.29 requires it there); `restart` and
    /// `required` only when they differ from Compose's defaults.
    static func dependsOn(_ deps: [String: Dependency]) -> Document {
        .object(deps.keys.sorted().map { name in
            let d = deps[name] ?? Dependency()
            return (name, .object([
                "condition": .string(d.condition.rawValue),
                "restart": d.restart ? .bool(true) : nil,
                "required": d.required ? nil : .bool(false),
            ]))
        })
    }

    static func ulimits(_ limits: [String: Ulimit]) -> Document {
        .object(limits.keys.sorted().map { name in
            let l = limits[name] ?? Ulimit(soft: 0, hard: 0)
            let value: Document = l.soft == l.hard ? .int(l.soft) : .object([("soft", .int(l.soft)), ("hard", .int(l.hard))])
            return (name, value)
        })
    }

    static func logging(_ l: Logging) -> Document {
        .object([
            "driver": l.driver.map(Document.string),
            "options": l.options.isEmpty ? nil : .sorted(l.options),
        ])
    }

    static func deploy(_ s: ComposeService) -> Document? {
        var limits: [(String, Document)] = []
        if let l = s.limits {
            if let cpus = l.cpus { limits.append(("cpus", cpus == cpus.rounded() ? .int(Int(cpus)) : .double(cpus))) }
            if let memory = l.memory { limits.append(("memory", .string(size(memory)))) }
            if let pids = l.pids { limits.append(("pids", .int(pids))) }
        }
        var deploy: [(String, Document)] = []
        if s.replicas != 1 { deploy.append(("replicas", .int(s.replicas))) }
        if !limits.isEmpty { deploy.append(("resources", .object([("limits", .object(limits))]))) }
        if let order = s.updateOrder {
            deploy.append(("update_config", .object([("order", .string(order == .recreate ? "stop-first" : "start-first"))])))
        }
        return deploy.isEmpty ? nil : .object(deploy)
    }

    /// Bytes in the largest unit that divides them exactly: `128m`, `1g`, `1536k`, `1000`.
    static func size(_ bytes: Int) -> String {
        for (suffix, factor) in [("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)] where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return String(bytes)
    }
}
