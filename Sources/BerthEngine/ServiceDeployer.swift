import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime
import Foundation

/// Rolls one service out exactly as a rollout must go: new replicas beside the old, wait until ready,
/// switch the proxy to the new ones only, drain, stop the old with their stop signal and grace
/// period, remove them. `recreate` stops the old first and restarts them if the new ones fail.
struct ServiceDeployer: Sendable {
    let runtime: any ContainerRuntime
    let routes: RouteTable
    let driver: any ProxyDriver
    let deployment: String
    let pullPolicy: PullPolicy
    let registries: [String: RegistryCredentials]
    let events: EventSink
    /// Where the files of Compose secrets and configs are written: `<state-dir>/<platform>/files`.
    var filesDirectory: URL? = nil

    /// The credentials for an image's registry, the password read from its environment variable.
    func credentials(for image: String) throws -> (username: String, password: String)? {
        let registry = RegistryCredentials.registry(of: image)
        guard let c = registries[registry] else { return nil }
        guard let password = ProcessInfo.processInfo.environment[c.passwordEnv], !password.isEmpty else {
            throw Failed(service: image, reason: "registry \(registry) needs the password in the environment variable \(c.passwordEnv), which is not set", rolledBack: true)
        }
        return (c.username, password)
    }

    /// The service's `pull_policy` when it has one, else `--pull`. A built image is never pulled (it was
    /// built before the rollout); `daily`/`weekly`/`every_…` pull when the image was last pulled longer ago.
    func imagePolicy(_ service: ServiceSpec) async throws -> PullPolicy {
        if service.spec.build != nil { return .never }
        switch service.spec.pullPolicy {
        case nil: return pullPolicy
        case .always?: return .always
        case .missing?, .build?: return .missing
        case .never?: return .never
        case .refresh(let span)?:
            guard let tagged = try await runtime.imageTaggedAt(service.spec.image) else { return .always }
            return Date().timeIntervalSince(tagged) > span.seconds ? .always : .missing
        }
    }

    typealias Failed = RolloutError

    func step(_ service: ServiceSpec, _ phase: ApplyEvent.Phase, _ message: String, _ start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        events(ApplyEvent(.step, phase: phase, project: service.project, service: service.name, message: message,
                          elapsed: elapsed.inSeconds))
    }

    /// Brings the service to `service`: `existing` are its containers now, `routesOfService` its routes.
    func deploy(_ service: ServiceSpec, existing: [ManagedContainer], routesOfService: [ProxyRoute],
                settings: RolloutSettings, force: Bool) async throws {
        let start = ContinuousClock.now
        let hasRoutes = !routesOfService.isEmpty
        let routed = Set(await routes.current(service.project, service.name))
        let statuses = await withTaskGroup(of: (String, ContainerStatus?).self) { group in
            for c in existing { group.addTask { (c.actual.id, try? await runtime.inspect(c.actual.id)) } }
            var result: [String: ContainerStatus] = [:]
            for await (id, status) in group { result[id] = status }
            return result
        }
        let serving = { (c: ManagedContainer) -> Bool in
            guard let s = statuses[c.actual.id], s.running, s.health != .unhealthy else { return false }
            return hasRoutes ? routed.contains(c.actual.name) : true
        }

        // Already converged (e.g. a crash after the switch): adopt the new replicas, remove the rest.
        let adoptable = existing.filter { $0.actual.configHash == service.configHash && serving($0) }
        if !force && adoptable.count >= service.replicas.count && !service.replicas.isEmpty {
            let keep = Array(adoptable.sorted { $0.actual.replica < $1.actual.replica }.prefix(service.replicas.count))
            let keepNames = Set(keep.map(\.actual.name))
            if hasRoutes && Set(routed) != keepNames {
                try await routes.set(service.project, service.name, to: keep.map(\.actual.name).sorted())
            }
            try await retire(existing.filter { !keepNames.contains($0.actual.name) }, service: service,
                             routesOfService: routesOfService, settings: settings, start: start)
            step(service, .done, "converged (\(keep.count) replica\(keep.count == 1 ? "" : "s") kept)", start)
            return
        }

        // Leftovers of an interrupted rollout are not serving: remove them first. Routed services:
        // replicas the proxy does not route to. Others: stopped replicas, and replicas of the new hash
        // that an interrupted rollout started (unless --force rolls out that same hash again).
        let leftovers = existing.filter { c in
            hasRoutes ? !routed.contains(c.actual.name) && !(routed.isEmpty && serving(c))
                : (c.actual.configHash == service.configHash && !force) || statuses[c.actual.id]?.running != true
        }
        for c in leftovers { try await runtime.remove(c.actual.id) }
        let leftoverIDs = Set(leftovers.map(\.actual.id))
        let old = existing.filter { !leftoverIDs.contains($0.actual.id) }

        let policy = try await imagePolicy(service)
        if service.spec.build == nil { step(service, .pulling, "pulling \(service.spec.image) (\(policy.rawValue))", start) }
        try await runtime.ensureImage(service.spec.image, policy: policy,
                                      credentials: service.spec.build == nil ? credentials(for: service.spec.image) : nil)

        if service.strategy == .recreate && !old.isEmpty {
            if hasRoutes { try await routes.set(service.project, service.name, to: []) }
            step(service, .stopping, "stopping \(old.count) old replica(s) (recreate)", start)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in old { group.addTask { try await runtime.stop(c.actual.id, timeout: stopTimeout(service)) } }
                try await group.waitForAll()
            }
        }

        // container_name: the stopped old container gives up the name; it gets it back if the new one fails.
        var renamed: [(id: String, name: String)] = []
        if service.strategy == .recreate, let fixed = service.spec.settings?.containerName {
            for c in old where c.actual.name == fixed {
                try await runtime.rename(c.actual.id, to: "\(fixed)-replaced-\(deployment.suffix(6))")
                renamed.append((c.actual.id, fixed))
            }
        }
        let taken = Set(old.map(\.actual.name)).subtracting(renamed.map(\.name))
        step(service, .starting, "starting \(service.replicas.count) new replica(s)", start)
        let replicas = service.replicas.map { replica in
            (replica, taken.contains(replica.name) ? "\(replica.name)-\(deployment.suffix(6))" : replica.name)
        }
        do {
            _ = try await launch(service, replicas, routesOfService: routesOfService, settings: settings, start: start,
                                 previous: service.strategy == .recreate ? [] : routed.sorted(), routeTo: { $0 })
        } catch let failed as Failed {
            var rolledBack = failed.rolledBack
            if service.strategy == .recreate && !old.isEmpty {
                // Shielded: a cancelled apply must still bring the old replicas back.
                let (runtime, routes, renamed) = (self.runtime, self.routes, renamed)
                let restored = await shielded { () async -> Bool in
                    // Best effort per container: one that cannot be renamed or started is reported by the
                    // route switch back below (or converged by the next apply).
                    for c in renamed { try? await runtime.rename(c.id, to: c.name) }
                    for c in old { try? await runtime.start(c.actual.id) }
                    guard hasRoutes else { return true }
                    do { try await routes.set(service.project, service.name, to: old.map(\.actual.name).sorted()) } catch { return false }
                    return true
                }
                if !restored { rolledBack = false }
            }
            throw Failed(service: failed.service, reason: failed.reason, rolledBack: rolledBack, code: failed.code)
        }

        // The switch is done: retiring the old replicas is clean-up (shielded in `retire`).
        try await retire(old, service: service, routesOfService: routesOfService, settings: settings, start: start)
        try pruneFiles(service)  // the old replicas are gone: so are their secrets
        step(service, .done, "rolled out \(service.shortHash)", start)
    }

    /// Drains (when routed), stops with the service's grace period, and removes containers.
    /// It runs to its end also in a cancelled apply: the traffic has left these replicas already.
    func retire(_ containers: [ManagedContainer], service: ServiceSpec, routesOfService: [ProxyRoute],
                settings: RolloutSettings, start: ContinuousClock.Instant) async throws {
        guard !containers.isEmpty else { return }
        try await shielded { try await retireNow(containers, service: service, routesOfService: routesOfService, settings: settings, start: start) }
    }

    private func retireNow(_ containers: [ManagedContainer], service: ServiceSpec, routesOfService: [ProxyRoute],
                           settings: RolloutSettings, start: ContinuousClock.Instant) async throws {
        var targets: [DrainTarget] = []
        if !routesOfService.isEmpty {
            for c in containers {
                let status = try? await runtime.inspect(c.actual.id)
                // A stopped replica (recreate stops the old ones first) has nothing in flight.
                guard let status, status.running else { continue }
                for route in routesOfService {
                    let host = await routes.host(of: c.actual.name, on: route.network)
                    targets.append(DrainTarget(
                        name: c.actual.name, upstream: "\(host):\(route.port)",
                        address: status.addresses[route.network] ?? c.addresses[route.network] ?? "", port: route.port,
                        pid: status.pid))
                }
            }
        }
        if !targets.isEmpty {
            step(service, .draining, "draining \(containers.count) old replica(s)", start)
            let result = await driver.drain(Array(Set(targets)), timeout: settings.drainTimeout)
            let waited = String(format: "%.2f", result.waited.inSeconds)
            step(service, .draining, result.drained ? "drained in \(waited)s (\(result.signal))"
                 : "drain timeout \(settings.drainTimeout) reached with requests still in flight (\(result.signal))", start)
        }
        step(service, .stopping, "stopping \(containers.count) old replica(s)", start)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in containers {
                group.addTask {
                    try await runtime.stop(c.actual.id, timeout: stopTimeout(service))
                    try await runtime.remove(c.actual.id)
                }
            }
            try await group.waitForAll()
        }
    }

    /// Creates and starts `replicas` (each with its container name), waits until they are ready and, for
    /// a routed service, points its routes at `routeTo(their names)` in one switch. On any failure the
    /// routes go back to `previous` when the switch was attempted (the proxy may have taken it) and the
    /// replicas started here are removed; if that switch back cannot be confirmed, they are kept (the
    /// next apply converges) and the error says it was not rolled back. Returns the new replicas' names.
    func launch(_ service: ServiceSpec, _ replicas: [(ContainerSpec, String)], routesOfService: [ProxyRoute],
                settings: RolloutSettings, start: ContinuousClock.Instant, previous: [String],
                routeTo: ([String]) -> [String]) async throws -> [String] {
        let created = CreatedList()
        var switching = false
        do {
            try await startReady(service, replicas, into: created, routesOfService: routesOfService, settings: settings, start: start)
            let names = await created.sorted.map(\.name)
            if !routesOfService.isEmpty {
                step(service, .switching, "switching the proxy to the new replica(s)", start)
                switching = true
                try await routes.set(service.project, service.name, to: routeTo(names))
            }
            return names
        } catch {
            let cancelled = Task.isCancelled
            step(service, cancelled ? .cancelled : .failed,
                 cancelled ? "cancelled; rolling back" : switching ? "switching the proxy failed; rolling back" : "new replicas failed; rolling back", start)
            // Clean-up is shielded: a cancelled apply (SIGINT) must still undo its switch and remove what it started.
            let (routes, switching) = (self.routes, switching)
            let names = replicas.map(\.1)
            let rolledBack = await shielded { () async -> Bool in
                var rolledBack = true
                if switching {
                    do { try await routes.set(service.project, service.name, to: previous) } catch { rolledBack = false }
                }
                if rolledBack { await discard(created, names: names) }
                return rolledBack
            }
            let underlying = berthError(error).code
            let code: ErrorCode = cancelled ? .cancelled : underlying == .internalError ? .rolloutFailed : underlying
            throw Failed(service: service.name, reason: cancelled ? "cancelled during its rollout; the new replicas were removed" + (rolledBack ? "" : " (the switch back was not confirmed)") : "\(error)",
                         rolledBack: rolledBack, code: code)
        }
    }

    /// Creates and starts `replicas` (each with its container name) in parallel, then waits until every
    /// one is ready. Each container created is recorded in `created`, so a failure can remove them all.
    func startReady(_ service: ServiceSpec, _ replicas: [(ContainerSpec, String)], into created: CreatedList,
                    routesOfService: [ProxyRoute], settings: RolloutSettings, start: ContinuousClock.Instant) async throws {
        // Fixed addresses on the routes' networks for a proxy that dials by address.
        var fixed: [[String: String]] = Array(repeating: [:], count: replicas.count)
        for network in Set(routesOfService.map(\.network)).sorted() {
            let addresses = await routes.reserve(replicas.count, on: network)
            for (i, address) in addresses.enumerated() { fixed[i][network] = address }
        }
        let sharedNetwork = try await sharedNetworkMode(service)
        try Self.checkSecretValues(service)
        let files = try await writeFiles(service)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, (replica, name)) in replicas.enumerated() {
                var r = containerRequest(service, replica, name: name, fixedAddresses: fixed[i])
                if let sharedNetwork { r.service.networkMode = sharedNetwork }
                r.files = files
                let request = r
                group.addTask {
                    let id = try await runtime.createContainer(request)
                    await created.add(id: id, name: name, index: replica.index)
                    try await runtime.start(id)
                }
            }
            try await group.waitForAll()
        }
        let started = await created.sorted
        step(service, .waitingReady, "waiting for \(started.count) replica(s) to be ready", start)
        let readiness = Readiness(runtime: runtime)
        let probeRoute = routesOfService.first { $0.proto == .http } ?? routesOfService.first
        let ready = try await withThrowingTaskGroup(of: (String, ContainerStatus).self) { group in
            for c in started {
                group.addTask { (c.name, try await readiness.wait(id: c.id, name: c.name, route: probeRoute, timeout: settings.readyTimeout)) }
            }
            var result: [String: ContainerStatus] = [:]
            for try await (name, status) in group { result[name] = status }
            return result
        }
        // The proxy on the host network dials replicas by address: record them before the switch.
        for c in started {
            guard let status = ready[c.name] else { continue }
            if let missing = routesOfService.first(where: { status.addresses[$0.network] == nil }) {
                throw Readiness.NotReady(container: c.name, reason: "it has no address on \(missing.network)", details: [])
            }
            await routes.register(c.name, addresses: status.addresses)
        }
    }

    /// Stops and removes replicas a failed rollout or scale created (best effort: a leftover is removed
    /// by the next apply). `names`: the replicas it was creating — one whose create call was cut short
    /// (a cancelled apply) may exist without being in `created`; it is removed by name.
    func discard(_ created: CreatedList, names: [String] = []) async {
        let known = await created.sorted
        for c in known {
            try? await runtime.stop(c.id, timeout: 1)
            try? await runtime.remove(c.id)
        }
        // Most of these do not exist (their create never reached the engine): the error is expected.
        for name in names where !known.contains(where: { $0.name == name }) { try? await runtime.remove(name) }
    }

    /// The create request for one replica of this deployment, labelled with the deployment and its time.
    func containerRequest(_ service: ServiceSpec, _ replica: ContainerSpec, name: String,
                          fixedAddresses: [String: String] = [:]) -> ContainerRequest {
        var labels = replica.labels
        labels[Labels.deployment] = deployment
        labels[Labels.deployedAt] = ISO8601DateFormatter().string(from: Date())
        var request = ContainerRequest(name: name, image: service.spec.image, service: service.spec, labels: labels, networks: replica.networks)
        request.fixedAddresses = fixedAddresses
        // Compose ipv4_address on a user network.
        for attachment in replica.networks { if let ip = attachment.ipv4Address { request.fixedAddresses[attachment.network] = ip } }
        return request
    }

    func stopTimeout(_ service: ServiceSpec) -> Int {
        max(1, Int(((service.spec.stopGracePeriod ?? .seconds(10)).seconds).rounded(.up)))
    }

    /// Same hash, other replica count: start the missing replicas or retire the extra ones.
    func scale(_ service: ServiceSpec, existing: [ManagedContainer], routesOfService: [ProxyRoute], settings: RolloutSettings) async throws {
        let start = ContinuousClock.now
        let current = existing.filter { $0.actual.configHash == service.configHash }.sorted { $0.actual.replica < $1.actual.replica }
        if current.count > service.replicas.count {
            let keep = Array(current.prefix(service.replicas.count))
            if !routesOfService.isEmpty { try await routes.set(service.project, service.name, to: keep.map(\.actual.name)) }
            try await retire(Array(current.dropFirst(service.replicas.count)), service: service, routesOfService: routesOfService,
                             settings: settings, start: start)
            return
        }
        let have = Set(current.map(\.actual.replica))
        let missing = service.replicas.filter { !have.contains($0.index) }.map { ($0, $0.name) }
        step(service, .starting, "starting \(missing.count) new replica(s)", start)
        let currentNames = current.map(\.actual.name)
        _ = try await launch(service, missing, routesOfService: routesOfService, settings: settings, start: start,
                             previous: currentNames, routeTo: { currentNames + $0 })
        step(service, .done, "scaled to \(service.replicas.count)", start)
    }
}

/// The replicas a rollout created so far, in replica order.
actor CreatedList {
    private var items: [(id: String, name: String, index: Int)] = []

    func add(id: String, name: String, index: Int) { items.append((id, name, index)) }

    var sorted: [(id: String, name: String)] { items.sorted { $0.index < $1.index }.map { ($0.id, $0.name) } }
}
