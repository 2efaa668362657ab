/// The `deploy` section: replicas and resources, and the Swarm keys mapped onto a single engine.
extension ComposeLoader {
    func deploy(_ f: Fields, service name: String, into s: inout ComposeService) {
        guard let deploy = f.fields("deploy", known: ComposeKeys.known(.deploy), unsupported: ComposeKeys.refused(.deploy)) else { return }
        s.replicas = deploy.int("replicas", in: 0...100) ?? 1
        if let mode = deploy.string("mode") {
            switch mode {
            case "replicated": break
            case "global":
                if deploy.has("replicas") { deploy.error("mode", "'mode: global' and 'replicas' in \(f.describe("deploy")) contradict each other; keep one") }
                s.replicas = 1
                deploy.warning("mode", "'mode: global' runs one replica per Swarm node; Berth runs service '\(name)' on one engine, so it has one replica")
            case "replicated-job", "global-job":
                deploy.error("mode", "'mode: \(mode)' (a Swarm job) in service '\(name)' is not supported: Berth keeps services running; run a one-off task with `docker run`, or use restart: \"no\"")
            default:
                deploy.error("mode", "'mode' in \(f.describe("deploy")) must be replicated or global, found '\(mode)'")
            }
        }
        if let labels = deploy.stringMap("labels") {
            for (key, value) in labels {
                if key.hasPrefix("berth.") || key.hasPrefix("com.docker.compose.") {
                    deploy.error("labels", "label '\(key)' in deploy.labels of service '\(name)' is reserved: Berth sets berth.* and com.docker.compose.* itself")
                }
                if let existing = s.labels[key], existing != (value ?? "") {
                    deploy.error("labels", "label '\(key)' of service '\(name)' is '\(existing)' in 'labels' and '\(value ?? "")' in deploy.labels; keep one")
                }
                s.labels[key] = value ?? ""
            }
        }
        if let policy = deploy.fields("restart_policy", known: ["condition", "delay", "max_attempts", "window"]) {
            let attempts = policy.int("max_attempts", in: 0...Int(Int32.max))
            var restart: String?
            switch policy.string("condition") ?? "any" {
            case "none": restart = "no"
            case "on-failure": restart = attempts.map { "on-failure:\($0)" } ?? "on-failure"
            case "any": restart = "always"
            case let other:
                policy.error("condition", "'condition' in deploy.restart_policy of service '\(name)' must be none, on-failure or any, found '\(other)'")
            }
            if let restart {
                if f.has("restart"), s.restart != restart {
                    deploy.error("restart_policy", "'restart: \(s.restart)' and deploy.restart_policy (\(restart)) of service '\(name)' differ; keep one")
                }
                s.restart = restart
            }
            for key in ["delay", "window"] where policy.has(key) {
                policy.warning(key, "'\(key)' in deploy.restart_policy of service '\(name)' has no equivalent outside Swarm: the engine restarts at once, with its own back-off")
            }
        }
        if let update = deploy.fields("update_config", known: ["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"]) {
            switch update.string("order") {
            case "stop-first": s.updateOrder = .recreate
            case "start-first": s.updateOrder = .startFirst
            case nil: break
            case let other?:
                update.error("order", "'order' in deploy.update_config of service '\(name)' must be stop-first or start-first, found '\(other)'")
            }
            for key in update.keys where key != "order" {
                update.warning(key, "'\(key)' in deploy.update_config of service '\(name)' has no effect: Berth rolls out all replicas together with readiness checks and automatic rollback; see 'rollout' in project.yml")
            }
        }
        for key in ["rollback_config", "placement", "endpoint_mode"] where deploy.has(key) {
            deploy.warning(key, "\(deploy.describe(key)) has no effect: \(ComposeKeys.key(.deploy, key)?.note ?? "")")
        }
        guard let resources = deploy.fields("resources", known: ComposeKeys.known(.resources), unsupported: ComposeKeys.refused(.resources)) else { return }
        if let limits = resources.fields("limits", known: ["cpus", "memory", "pids"], unsupported: [
            "devices": "devices are reserved, not limited; use deploy.resources.reservations.devices",
        ]) {
            var l = ResourceLimits()
            if let value = limits["cpus"] {
                if let cpus = Double(value.scalarText ?? "") {
                    if cpus <= 0 { limits.error("cpus", "\(limits.describe("cpus")) must be greater than 0") }
                    l.cpus = cpus
                } else {
                    limits.error("cpus", "\(limits.describe("cpus")) must be a number of CPUs such as 0.5")
                }
            }
            l.memory = limits["memory"].flatMap { byteSize($0, limits.describe("memory")) }
            l.pids = limits.int("pids", in: -1...Int(Int32.max))
            s.limits = l
        }
        if let reservations = resources.fields("reservations", known: ["cpus", "memory", "devices", "generic_resources"], unsupported: [
            "generic_resources": "generic resources are a Swarm scheduling feature; reserve devices with 'devices'",
        ]) {
            var c = s.settings ?? ContainerSettings()
            c.memoryReservation = reservations["memory"].flatMap { byteSize($0, reservations.describe("memory")) }
            if reservations.has("cpus") {
                reservations.warning("cpus", "a CPU reservation of service '\(name)' has no equivalent outside Swarm; use 'cpu_shares' to weigh CPU time, or deploy.resources.limits.cpus")
            }
            if let devices = reservations["devices"] {
                guard case .sequence(let items, _) = devices else {
                    reservations.error("devices", "\(reservations.describe("devices")) must be a list")
                    return
                }
                c.deviceRequests = items.compactMap { deviceRequest($0, "an item of \(reservations.describe("devices"))", defaultCapabilities: []) }
                for request in c.deviceRequests ?? [] where request.capabilities.isEmpty {
                    reservations.error("devices", "every item of \(reservations.describe("devices")) needs 'capabilities' (e.g. [gpu])")
                }
                gate(policy.devices, reservations, "devices", policyKey: "devices", "service '\(name)' reserves host devices")
            }
            s.settings = c.isEmpty ? nil : c
        }
    }
}
