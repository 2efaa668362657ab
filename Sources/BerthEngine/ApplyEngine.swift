import BerthConfig
import BerthPlan
import Foundation

public struct ApplyOptions: Sendable {
    public var force = false
    public var projects: Set<String>?
    public var pruneVolumes = false
    /// Projects rolled out at once (in egress dependency order).
    public var parallelism = 4
    public var pullPolicy = PullPolicy.missing
    /// Wait this long for another apply's lock; nil fails at once.
    public var waitLock: TimeSpan?

    public init() {}
}

/// Everything `apply` decided before it changes anything.
public struct PreparedApply: Sendable {
    public var repository: Repository
    public var desired: DesiredState
    public var existing: [ManagedContainer]
    public var actual: ActualState
    public var plan: Plan
    /// Set when the proxy container must be created or recreated (it is not part of any project).
    public var proxyChange: String?

    public var hasChanges: Bool { plan.hasChanges || proxyChange != nil }
}

public struct ApplyReport: Sendable {
    public struct ProjectResult: Sendable {
        public var project: String
        public var succeeded: Bool
        public var messages: [String]
    }
    public var projects: [ProjectResult]
    public var deployment: String
    public var proxyReloads: Int

    public var succeeded: Bool { projects.allSatisfy(\.succeeded) }
}

/// Executes plans against Docker and the proxy.
public struct ApplyEngine: Sendable {
    public let runtime: any ContainerRuntime
    public let stateDirectory: URL
    public let events: EventSink

    public init(runtime: any ContainerRuntime, stateDirectory: URL, events: @escaping EventSink = { _ in }) {
        self.runtime = runtime
        self.stateDirectory = stateDirectory
        self.events = events
    }

    var store: DeploymentStore { DeploymentStore(directory: stateDirectory.appendingPathComponent("deployments")) }

    /// Runs `body` holding the deploy lock of this Docker host.
    public func withLock<T: Sendable>(wait: TimeSpan?, _ body: () async throws -> T) async throws -> T {
        let lock = DeployLock(runtime: runtime)
        try await lock.acquire(wait: wait)
        do {
            let result = try await body()
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }

    /// Reads the engine's state and plans against it. Changes nothing.
    public func prepare(_ repository: Repository, options: ApplyOptions) async throws -> PreparedApply {
        let existing = try await runtime.managedContainers()
        let actual = ActualState(
            containers: existing.filter { $0.role == nil }.map(\.actual),
            networks: try await runtime.managedNetworks().filter { !$0.project.isEmpty },
            volumes: try await runtime.managedVolumes())
        let desired = try DesiredStateBuilder(repository: repository, existingSubnets: actual.subnets).build()
        let plan = Planner(options: .init(force: options.force, projects: options.projects, pruneVolumes: options.pruneVolumes))
            .plan(desired: desired, actual: actual)
        var proxyChange: String?
        if !desired.routes.isEmpty {
            let stack = ProxyStack(directory: stateDirectory.appendingPathComponent("proxy"), platform: desired.platform, runtime: runtime)
            if let proxy = existing.first(where: { $0.role == "proxy" }) {
                if let reason = await stack.staleness(of: proxy, running: proxy.actual.running) {
                    proxyChange = "recreate the proxy (\(desired.platform.proxy.kind.rawValue), \(desired.platform.proxy.resolvedImage)): \(reason)"
                }
            } else {
                proxyChange = "create the proxy \(ProxyStack.containerName) (\(desired.platform.proxy.kind.rawValue), \(desired.platform.proxy.resolvedImage))"
            }
        }
        return PreparedApply(repository: repository, desired: desired, existing: existing, actual: actual, plan: plan,
                             proxyChange: proxyChange)
    }

    public func execute(_ prepared: PreparedApply, options: ApplyOptions) async throws -> ApplyReport {
        let deployment = Self.newDeploymentID()
        let plan = prepared.plan
        let desired = prepared.desired
        let started = Date()

        // 1. Networks and volumes of every project first: link networks must exist before consumers start.
        for action in plan.actions {
            switch action {
            case .createNetwork(let n): try await runtime.createNetwork(n)
            case .createVolume(let v): try await runtime.createVolume(v)
            default: break
            }
        }

        // 2. The proxy and the route table as it is now.
        let stack = ProxyStack(directory: stateDirectory.appendingPathComponent("proxy"), platform: desired.platform, runtime: runtime)
        let driver = stack.driver()
        let needsProxy = !desired.routes.isEmpty || prepared.existing.contains { $0.role == "proxy" }
        let proxyRunning = prepared.existing.contains { $0.role == "proxy" && $0.actual.running }
        let routed = proxyRunning ? ((try? await driver.routedHosts()) ?? []) : []
        let table = RouteTable(driver: driver, state: desired, upstreams: Self.initialUpstreams(desired, prepared.existing, routed: routed))
        if needsProxy {
            // Only networks that exist or that this plan created (projects outside a --project selection may not).
            let present = Set(prepared.actual.networks.map(\.name)).union(plan.actions.compactMap {
                if case .createNetwork(let n) = $0 { n.name } else { nil }
            })
            let ingress = desired.networks.filter { $0.role == .ingress && present.contains($0.name) }.map(\.name)
            if try await stack.ensure(ingressNetworks: ingress, existing: prepared.existing, initial: await table.rendered()) {
                try await table.push()
            }
        }

        // 3. Projects in parallel, providers before consumers.
        let deployer = ServiceDeployer(runtime: runtime, routes: table, driver: driver, deployment: deployment,
                                       pullPolicy: options.pullPolicy, registries: desired.platform.registries, events: events)
        let projectNames = plan.projects
        let dependencies = Dictionary(uniqueKeysWithValues: projectNames.map { name in
            (name, Set(desired.project(name)?.dependencies ?? []).intersection(projectNames))
        })
        var results: [String: ApplyReport.ProjectResult] = [:]
        await withTaskGroup(of: ApplyReport.ProjectResult.self) { group in
            var pending = projectNames
            var running = 0
            func startReady() {
                while running < max(1, options.parallelism),
                      let index = pending.firstIndex(where: { dependencies[$0, default: []].isSubset(of: Set(results.keys)) }) {
                    let name = pending.remove(at: index)
                    running += 1
                    group.addTask {
                        await self.deployProject(name, prepared: prepared, deployer: deployer, table: table, stack: stack, options: options)
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
        for result in ordered {
            guard let project = desired.project(result.project) else { continue }
            let record = DeploymentStore.Record(
                id: deployment, project: project.name, startedAt: started, finishedAt: Date(),
                result: result.succeeded ? "succeeded" : "failed", message: result.messages.last,
                services: project.services.map {
                    .init(name: $0.name, configHash: $0.configHash, spec: $0.spec, replicas: $0.replicas, strategy: $0.strategy)
                })
            try? store.append(record)
        }
        let report = ApplyReport(projects: ordered, deployment: deployment, proxyReloads: await table.pushes)
        events(ApplyEvent(.finished, message: report.succeeded ? "apply succeeded" : "apply finished with failures"))
        return report
    }

    private func deployProject(_ name: String, prepared: PreparedApply, deployer: ServiceDeployer, table: RouteTable,
                               stack: ProxyStack, options: ApplyOptions) async -> ApplyReport.ProjectResult {
        events(ApplyEvent(.projectStarted, project: name, message: "started"))
        let project = prepared.desired.project(name)
        var messages: [String] = []
        var ok = true
        let containers = { (service: String) in
            prepared.existing.filter { $0.role == nil && $0.actual.project == name && $0.actual.service == service }
        }
        if project == nil { try? await table.removeProject(name) }
        // Create, rollout and scale actions exist only for projects in the repository (which have settings).
        let settings = project?.rollout ?? RolloutSettings()
        for action in prepared.plan.actions(for: name) {
            do {
                switch action {
                case .createNetwork, .createVolume:
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
                    events(ApplyEvent(.serviceDone, project: name, service: service, message: "removed"))
                    continue
                case .removeNetwork(let n):
                    try? await runtime.disconnect(network: n.name, container: ProxyStack.containerName)
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
                ok = false
                let service = Self.serviceName(action)
                messages.append("\(service.map { "service \($0): " } ?? "")\(error)")
                events(ApplyEvent(.serviceFailed, project: name, service: service, message: "\(error)"))
            }
        }
        events(ApplyEvent(.projectDone, project: name, message: ok ? "succeeded" : "failed"))
        return .init(project: name, succeeded: ok, messages: messages)
    }

    private func routes(_ project: ProjectState?, _ service: String) -> [ProxyRoute] {
        project?.routes.filter { $0.service == service } ?? []
    }

    static func serviceName(_ action: PlanAction) -> String? {
        switch action {
        case .createService(let s), .scaleService(let s, _): s.name
        case .rolloutService(let r): r.service.name
        case .removeService(_, let s, _): s
        default: nil
        }
    }

    /// Which replicas each routed service points at now: those the proxy routes to, or, when the proxy
    /// routes to none of them (a new or restarted proxy), the running ones.
    static func initialUpstreams(_ desired: DesiredState, _ existing: [ManagedContainer], routed: Set<String>) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for project in desired.projects {
            for service in Set(project.routes.map(\.service)) {
                let mine = existing.filter { $0.role == nil && $0.actual.project == project.name && $0.actual.service == service }
                let routedMine = mine.filter { routed.contains($0.actual.name) }
                let chosen = routedMine.isEmpty ? mine.filter(\.actual.running) : routedMine
                result[RouteTable.key(project.name, service)] = chosen.map(\.actual.name).sorted()
            }
        }
        return result
    }

    static func newDeploymentID() -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).filter(\.isNumber).prefix(14)
        return "\(stamp)-\(UUID().uuidString.prefix(6).lowercased())"
    }
}
