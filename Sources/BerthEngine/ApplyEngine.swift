import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime
import Foundation
import Logging

public struct ApplyOptions: Sendable {
    public var force = false
    public var projects: Set<String>?
    public var pruneVolumes = false
    /// Projects rolled out at once (in egress dependency order).
    public var parallelism = 4
    public var pullPolicy = PullPolicy.missing
    /// Wait this long for another apply's lock; nil fails at once.
    public var waitLock: TimeSpan?
    /// Shared with other applies of the platform running at once in this process (see `PlatformSession`).
    public var session: PlatformSession?

    public init() {}
}

/// Everything `apply` decided before it changes anything.
public struct PreparedApply: Sendable {
    public var repository: Repository
    public var desired: DesiredState
    /// This platform's managed containers (other platforms' are never touched).
    public var existing: [ManagedContainer]
    public var actual: ActualState
    public var plan: Plan
    /// Set when the proxy container must be created or recreated (it is not part of any project).
    public var proxyChange: String?
    /// The upstream hosts the running proxy routes to (empty when there is no running proxy).
    public var routed: Set<String>
    /// Set when the DNS server (`dns.server`) or one of its zones changes (DNSStack).
    public var dnsChange: String? = nil

    public var hasChanges: Bool { plan.hasChanges || proxyChange != nil || dnsChange != nil }
}

/// Executes plans against Docker and the proxy.
public struct ApplyEngine: Sendable {
    public let runtime: any ContainerRuntime
    public let stateDirectory: URL
    public let events: EventSink
    /// Engine log lines (swift-log) carry `project`, `service` and `deployment` metadata; the default
    /// logs nothing.
    public let logger: Logger

    public init(runtime: any ContainerRuntime, stateDirectory: URL, events: @escaping EventSink = { _ in },
                logger: Logger = ApplyEngine.silentLogger) {
        self.runtime = runtime
        self.stateDirectory = stateDirectory
        self.events = events
        self.logger = logger
    }

    /// The platform's own part of the state directory: `<state>/<platform>/{proxy,deployments,routes.json}`.
    func directory(_ platform: PlatformConfig) -> URL { stateDirectory.appendingPathComponent(platform.name) }
    func store(_ platform: PlatformConfig) -> DeploymentStore {
        DeploymentStore(directory: directory(platform).appendingPathComponent("deployments"))
    }
    func routeRecord(_ platform: PlatformConfig) -> RouteRecord {
        RouteRecord(file: directory(platform).appendingPathComponent("routes.json"))
    }
    public func proxyStack(_ platform: PlatformConfig) -> ProxyStack {
        var stack = ProxyStack(directory: directory(platform).appendingPathComponent("proxy"), platform: platform, runtime: runtime)
        if !platform.acme.dnsCredentials.isEmpty { stack.digestKey = try? hashKey(platform) }
        return stack
    }

    /// Runs `body` holding the platform's deploy lock. The lock is released however `body` ends —
    /// also when the task is cancelled (the release runs in a task of its own, which the cancellation
    /// does not reach).
    public func withLock<T: Sendable>(_ platform: PlatformConfig, wait: TimeSpan?, _ body: () async throws -> T) async throws -> T {
        let lock = DeployLock(name: platform.lockName, runtime: runtime)
        let events = logging(deployment: nil).events
        let id = try await lock.acquire(wait: wait)
        events(ApplyEvent(.lockAcquired, message: platform.lockName))
        let release = { @Sendable in
            try await Task { try await lock.release(id) }.value
            events(ApplyEvent(.lockReleased, message: platform.lockName))
        }
        let result: T
        do {
            result = try await body()
        } catch {
            do {
                try await release()
            } catch let releaseError {
                // The body's error is the one to report; the lock left behind is said in the log (the next
                // apply takes a stale lock over once this process is gone).
                logger.error("releasing the deploy lock \(platform.lockName) failed: \(releaseError)")
            }
            throw error
        }
        try await release()
        return result
    }

    /// Reads the engine's state and plans against it. Changes nothing.
    public func prepare(_ repository: Repository, options: ApplyOptions) async throws -> PreparedApply {
        let platform = repository.platform
        let all = try await runtime.managedContainers()
        let allNetworks = try await runtime.managedNetworks()
        let allVolumes = try await runtime.managedVolumes()
        let mine = { (labels: String?) in labels == platform.name }
        let existing = all.filter { mine($0.platform) }
        // A project name another platform on this Docker host already uses would mix their containers.
        let foreign = Dictionary(
            (all.filter { !mine($0.platform) && $0.role == nil }.map { ($0.actual.project, $0.platform ?? "(unnamed)") })
                + allNetworks.filter { !mine($0.platform) && !$0.project.isEmpty }.map { ($0.project, $0.platform ?? "(unnamed)") }
        ) { a, _ in a }
        let clashes = repository.enabledProjects.filter { foreign[$0.name] != nil }.map(\.name).sorted()
        if !clashes.isEmpty {
            throw PrepareError(message: clashes.map { name -> String in
                let owner = foreign[name]!
                return owner == "(unnamed)"
                    ? "project '\(name)' already runs on this Docker host, created by a Berth without platform names (no berth.platform label)"
                    : "project '\(name)' already runs on this Docker host as part of platform '\(owner)'"
            }.joined(separator: "\n") + "\nrename the project, remove the other one (berth down with its repository, or docker rm -f), "
                + "or give this platform its own Docker host")
        }
        let stack = proxyStack(platform)
        let proxy = stack.current(in: existing)
        // Why the proxy must be replaced (nil: it is kept); asked once, it may cost an admin-API call.
        let staleness = if let proxy { await stack.staleness(of: proxy, running: proxy.actual.running) } else { String?.none }
        var routed: Set<String> = []
        var recorded: [ProxyRoute]? = nil
        if proxy != nil, staleness == nil {
            do {
                routed = try await stack.driver().routedHosts()
            } catch {
                throw PrepareError(message: "the proxy \(stack.containerName) is running but its routes cannot be read (\(error)); "
                    + "without them Berth cannot tell serving replicas from leftovers. Check `docker logs \(stack.containerName)`, "
                    + "or remove the container (`docker rm -f \(stack.containerName)`) so that the next apply recreates it",
                                   code: .proxyRoutesUnreadable)
            }
            recorded = try routeRecord(platform).load() ?? []
        }
        let actual = ActualState(
            containers: existing.filter { $0.role == nil }.map(\.actual),
            networks: allNetworks.filter { mine($0.platform) && !$0.project.isEmpty },
            volumes: allVolumes.filter { mine($0.platform) },
            routes: recorded)
        // Subnets of every platform's networks are taken: pools of two platforms may overlap.
        let taken = ActualState(networks: allNetworks.filter { !$0.project.isEmpty }).subnets
        let desired = try DesiredStateBuilder(repository: repository, existingSubnets: taken, hashKey: try hashKey(platform)).build()
        try await checkNetworks(desired, actual: actual)
        let plan = Planner(options: .init(force: options.force, projects: options.projects, pruneVolumes: options.pruneVolumes))
            .plan(desired: desired, actual: actual)
        var proxyChange: String?
        if !desired.routes.isEmpty {
            let what = "\(stack.containerName) (\(platform.proxy.kind.rawValue), \(platform.proxy.resolvedImage), \(platform.proxy.network.rawValue) network)"
            if proxy != nil {
                if let reason = staleness { proxyChange = "recreate the proxy \(what): \(reason)" }
            } else {
                proxyChange = "create the proxy \(what)"
            }
        }
        var prepared = PreparedApply(repository: repository, desired: desired, existing: existing, actual: actual, plan: plan,
                                     proxyChange: proxyChange, routed: routed)
        prepared.dnsChange = dnsStack(platform).pendingChange(desired, existing: existing)
        return prepared
    }

    /// Executes the plan. Cancellation (the task's) is checked between phases and before each
    /// service's rollout; a cancelled apply stops at that safe point, undoes the step it was in (its
    /// switch, the new replicas that never took traffic) and returns a report whose projects that did
    /// not finish are `cancelled` (recorded so in the history), so the platform is converged or old.
    public func execute(_ prepared: PreparedApply, options: ApplyOptions) async throws -> ApplyReport {
        let deployment = Self.newDeploymentID()
        return try await logging(deployment: deployment).run(prepared, options: options, deployment: deployment)
    }

    private func run(_ prepared: PreparedApply, options: ApplyOptions, deployment: String) async throws -> ApplyReport {
        let plan = prepared.plan
        let desired = prepared.desired
        let platform = desired.platform
        let started = Date()

        // 0. Images built from source: before the first change, so that a failed build changes nothing.
        let buildFailures = await buildImages(prepared)
        if Task.isCancelled { return cancelledReport(plan, prepared: prepared, deployment: deployment, started: started, before: "its build") }
        if !buildFailures.isEmpty { return buildFailureReport(buildFailures, plan: plan, deployment: deployment) }

        // 1. Networks and volumes of every project first: link networks must exist before consumers start.
        for action in plan.actions {
            if Task.isCancelled { return cancelledReport(plan, prepared: prepared, deployment: deployment, started: started, before: "its networks") }
            switch action {
            case .createNetwork(let n): try await runtime.createNetwork(n)
            case .createVolume(let v): try await runtime.createVolume(v)
            default: break
            }
        }

        // 2. The proxy and the route table as it is now.
        let stack = proxyStack(platform)
        let driver = stack.driver()
        let needsProxy = !desired.routes.isEmpty || stack.current(in: prepared.existing) != nil
        let upstreams = Self.initialUpstreams(desired, prepared.existing, routed: prepared.routed)
        let addresses = Dictionary(prepared.existing.map { ($0.actual.name, $0.addresses) }) { a, _ in a }
        let routesFile = routeRecord(platform)
        let make = { @Sendable in RouteTable(driver: driver, state: desired, upstreams: upstreams, addresses: addresses, record: routesFile) }
        let table = if let session = options.session {
            await session.routeTable(projects: plan.projects, desired: desired, upstreams: upstreams, addresses: addresses, make: make)
        } else {
            make()
        }
        let pushesBefore = await table.pushes
        if Task.isCancelled { return cancelledReport(plan, prepared: prepared, deployment: deployment, started: started, before: "the proxy") }
        if needsProxy {
            // With a session, one apply at a time sets the proxy up, each seeing what the one before did.
            await options.session?.beginProxyWork()
            do {
                let existing = options.session == nil ? prepared.existing
                    : try await runtime.managedContainers().filter { $0.platform == platform.name }
                // Only networks that exist or that this plan created (projects outside a --project selection may not).
                let present = Set(prepared.actual.networks.map(\.name)).union(plan.actions.compactMap {
                    if case .createNetwork(let n) = $0 { n.name } else { nil }
                })
                let ingress = desired.networks.filter { $0.role == .ingress && present.contains($0.name) }.map(\.name)
                let recreated = try await stack.ensure(ingressNetworks: ingress, existing: existing, initial: await table.rendered())
                let routeChanges = plan.actions.contains { if case .updateRoutes = $0 { true } else { false } }
                // A recreated proxy gets the whole table; changed routes of running services are one switch.
                if recreated || routeChanges { try await table.push() }
            } catch {
                await options.session?.endProxyWork()
                throw error
            }
            await options.session?.endProxyWork()
        }
        // 2b. The DNS server and its zones, before the projects roll out (ApplyEngine+DNS).
        try await ensureDNS(prepared, table: table, session: options.session)

        // 3. Projects in parallel, providers before consumers; consumers of a failed provider are skipped.
        let deployer = ServiceDeployer(runtime: runtime, routes: table, driver: driver, deployment: deployment,
                                       pullPolicy: options.pullPolicy, registries: platform.registries, events: events,
                                       filesDirectory: directory(platform).appendingPathComponent("files"))
        let projectNames = plan.projects
        let dependencies = Dictionary(uniqueKeysWithValues: projectNames.map { name in
            (name, Set(desired.project(name)?.dependencies ?? []).intersection(projectNames))
        })
        var results: [String: ApplyReport.ProjectResult] = [:]
        await withTaskGroup(of: ApplyReport.ProjectResult.self) { group in
            var pending = projectNames
            var running = 0
            func startReady() {
                while let index = pending.firstIndex(where: { dependencies[$0, default: []].isSubset(of: Set(results.keys)) }) {
                    let name = pending[index]
                    if Task.isCancelled {
                        pending.remove(at: index)
                        let message = "cancelled before it started; nothing of it was changed"
                        events(ApplyEvent(.projectCancelled, project: name, message: message))
                        results[name] = .init(project: name, result: .cancelled, messages: [message], errors: [ErrorReport(ApplyError.cancelled())])
                        continue
                    }
                    let failed = dependencies[name, default: []].filter { results[$0]?.succeeded == false }.sorted()
                    if !failed.isEmpty {
                        pending.remove(at: index)
                        let message = "skipped: it consumes \(failed.joined(separator: ", ")), which did not deploy"
                        events(ApplyEvent(.projectSkipped, project: name, message: message))
                        results[name] = .init(project: name, result: .skipped, messages: [message])
                        continue
                    }
                    guard running < max(1, options.parallelism) else { return }
                    pending.remove(at: index)
                    running += 1
                    group.addTask {
                        await self.deployProject(name, prepared: prepared, deployer: deployer, table: table)
                    }
                }
            }
            startReady()
            while let result = await group.next() {
                running -= 1
                results[result.project] = result
                startReady()
            }
        }
        let ordered = projectNames.compactMap { results[$0] }
        let historyErrors = record(ordered, desired: desired, deployment: deployment, started: started)
        let report = ApplyReport(projects: ordered, deployment: deployment, proxyReloads: await table.pushes - pushesBefore,
                                 historyError: historyErrors.isEmpty ? nil
                                     : "the deployment history could not be written: " + historyErrors.joined(separator: "; "))
        events(ApplyEvent(.finished, message: report.cancelled ? "apply cancelled" : report.succeeded ? "apply succeeded" : "apply finished with failures"))
        return report
    }

    private func deployProject(_ name: String, prepared: PreparedApply, deployer: ServiceDeployer,
                               table: RouteTable) async -> ApplyReport.ProjectResult {
        events(ApplyEvent(.projectStarted, project: name, message: "started"))
        let project = prepared.desired.project(name)
        var messages: [String] = []
        var errors: [ErrorReport] = []
        var failedServices: Set<String> = []
        var skippedServices: Set<String> = []
        let containers = { (service: String) in
            prepared.existing.filter { $0.role == nil && $0.actual.project == name && $0.actual.service == service }
        }
        if project == nil {
            do {
                try await table.removeProject(name)
            } catch {
                let message = "withdrawing the routes of \(name) failed: \(error); nothing of it was removed"
                events(ApplyEvent(.projectFailed, project: name, message: message))
                return .init(project: name, result: .failed, messages: [message], errors: [ErrorReport(error)])
            }
        }
        // Create, rollout and scale actions exist only for projects in the repository (which have settings).
        let settings = project?.rollout ?? RolloutSettings()
        for action in prepared.plan.actions(for: name) {
            if Task.isCancelled {
                messages.append("cancelled before \(Self.serviceName(action).map { "service \($0)" } ?? "the remaining steps")")
                errors.append(ErrorReport(ApplyError.cancelled()))
                failedServices.insert(Self.serviceName(action) ?? "")
                break
            }
            if let spec = Self.serviceSpec(action) {
                let blocked = spec.dependsOn.filter { failedServices.contains($0) || skippedServices.contains($0) }.sorted()
                if !blocked.isEmpty {
                    skippedServices.insert(spec.name)
                    let message = "skipped: it depends on \(blocked.joined(separator: ", ")), which did not start"
                    messages.append("service \(spec.name): \(message)")
                    events(ApplyEvent(.serviceSkipped, project: name, service: spec.name, message: message))
                    continue
                }
            }
            do {
                switch action {
                case .createNetwork, .createVolume, .updateRoutes:
                    continue
                case .createService(let s):
                    try await deployer.deploy(s, existing: [], routesOfService: routes(project, s.name), settings: settings, force: false)
                case .rolloutService(let r):
                    try await deployer.deploy(r.service, existing: containers(r.service.name), routesOfService: routes(project, r.service.name),
                                              settings: settings, force: r.reason == .forced)
                case .scaleService(let s, _):
                    try await deployer.scale(s, existing: containers(s.name), routesOfService: routes(project, s.name), settings: settings)
                case .removeService(_, let service, _):
                    if project != nil { try await table.set(name, service, to: []) }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for c in containers(service) {
                            group.addTask {
                                try await runtime.stop(c.actual.id, timeout: nil)
                                try await runtime.remove(c.actual.id)
                            }
                        }
                        try await group.waitForAll()
                    }
                    try deployer.removeFiles(project: name, service: service)
                    events(ApplyEvent(.serviceDone, project: name, service: service, message: "removed"))
                    continue
                case .removeNetwork(let n):
                    try await runtime.removeNetwork(n.name)
                    continue
                case .removeVolume(let v):
                    try await runtime.removeVolume(v.name)
                    continue
                }
                if let service = Self.serviceName(action) {
                    events(ApplyEvent(.serviceDone, project: name, service: service, message: "done"))
                }
            } catch {
                let service = Self.serviceName(action)
                failedServices.insert(service ?? "")
                messages.append("\(service.map { "service \($0): " } ?? "")\(error)")
                errors.append(ErrorReport(error))
                events(ApplyEvent(.serviceFailed, project: name, service: service, message: "\(error)"))
            }
        }
        let ok = failedServices.isEmpty && skippedServices.isEmpty
        // Stopped by a cancellation (not by a failure of its own): the project is cancelled.
        if !ok && Task.isCancelled {
            events(ApplyEvent(.projectCancelled, project: name, message: "cancelled; what it started was removed"))
            return .init(project: name, result: .cancelled, messages: messages, errors: errors)
        }
        events(ApplyEvent(ok ? .projectDone : .projectFailed, project: name, message: ok ? "succeeded" : "failed"))
        return .init(project: name, result: ok ? .succeeded : .failed, messages: messages, errors: errors)
    }

    private func routes(_ project: ProjectState?, _ service: String) -> [ProxyRoute] {
        project?.routes.filter { $0.service == service } ?? []
    }

    static func serviceSpec(_ action: PlanAction) -> ServiceSpec? {
        switch action {
        case .createService(let s), .scaleService(let s, _): s
        case .rolloutService(let r): r.service
        default: nil
        }
    }

    static func serviceName(_ action: PlanAction) -> String? {
        switch action {
        case .createService(let s), .scaleService(let s, _): s.name
        case .rolloutService(let r): r.service.name
        case .removeService(_, let s, _): s
        default: nil
        }
    }

    /// Which replicas each routed service points at now: those the proxy routes to (by name, or by
    /// address on the host network), or, when the proxy routes to none of them (a new or restarted
    /// proxy), the running ones that are attached to the route's network.
    static func initialUpstreams(_ desired: DesiredState, _ existing: [ManagedContainer], routed: Set<String>) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for project in desired.projects {
            for route in project.routes where result[RouteTable.key(project.name, route.service)] == nil {
                let mine = existing.filter {
                    $0.role == nil && $0.actual.project == project.name && $0.actual.service == route.service && $0.addresses[route.network] != nil
                }
                let routedMine = mine.filter { routed.contains($0.actual.name) || routed.contains($0.addresses[route.network] ?? "") }
                // Without the proxy's word (a new proxy), the replicas that served before: the running ones of
                // an older configuration when there are any (replicas of the new one may be leftovers of
                // an interrupted rollout that were never checked), else the running ones.
                let running = mine.filter { $0.actual.running && $0.actual.healthy != false }
                let hash = project.service(route.service)?.configHash
                let older = running.filter { $0.actual.configHash != hash }
                let chosen = routedMine.isEmpty ? (older.isEmpty ? running : older) : routedMine
                result[RouteTable.key(project.name, route.service)] = chosen.map(\.actual.name).sorted()
            }
        }
        return result
    }

    static func newDeploymentID() -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).filter(\.isNumber).prefix(14)
        return "\(stamp)-\(UUID().uuidString.prefix(6).lowercased())"
    }
}
