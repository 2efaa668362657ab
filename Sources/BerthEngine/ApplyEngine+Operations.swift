import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime
import Foundation

/// status, down and rollback: the other operations, built on the same engine.
extension ApplyEngine {
    /// `{"project", "service", "running", "healthy", "replicas" (the total), "images", "deployments", "routes"}`.
    public struct ServiceStatus: Sendable, Codable, Equatable {
        public var project: String
        public var service: String
        public var running: Int
        public var healthy: Int
        public var total: Int
        public var images: [String]
        public var deployments: [String]
        public var routes: [String]

        enum CodingKeys: String, CodingKey { case project, service, running, healthy, total = "replicas", images, deployments, routes }

        public init(project: String, service: String, running: Int, healthy: Int, total: Int, images: [String],
                    deployments: [String], routes: [String]) {
            (self.project, self.service, self.running, self.healthy, self.total) = (project, service, running, healthy, total)
            (self.images, self.deployments, self.routes) = (images, deployments, routes)
        }
    }

    public struct ProjectStatus: Sendable {
        public var project: String
        public var services: [ServiceStatus]
        public var lastDeployment: DeploymentStore.Record?
    }

    /// Per project and service: replicas running/healthy, image, deployment, routes, last deployment.
    public func status(_ repository: Repository) async throws -> [ProjectStatus] {
        let platform = repository.platform
        let containers = try await runtime.managedContainers().filter { $0.role == nil && $0.platform == platform.name }
        let desired: DesiredState? = try DesiredStateBuilder(repository: repository, hashKey: try hashKey(platform)).build()
        let store = store(platform)
        var result: [ProjectStatus] = []
        for project in Set(containers.map(\.actual.project)).sorted() {
            var services: [ServiceStatus] = []
            let mine = containers.filter { $0.actual.project == project }
            for service in Set(mine.map(\.actual.service)).sorted() {
                let list = mine.filter { $0.actual.service == service }
                var healthy = 0
                for c in list where c.actual.running {
                    let status = try? await runtime.inspect(c.actual.id)
                    if status?.health == .healthy || status?.health == ContainerStatus.Health.none { healthy += 1 }
                }
                let routes = desired?.project(project)?.routes.filter { $0.service == service }.map { r in
                    r.proto == .http ? r.hosts.map { $0 + (r.path == "/" ? "" : r.path) }.joined(separator: ", ") + " → \(service):\(r.port)"
                        : "\(r.proto.rawValue) :\(r.listenPort ?? 0) → \(service):\(r.port)"
                } ?? []
                services.append(ServiceStatus(
                    project: project, service: service, running: list.filter(\.actual.running).count, healthy: healthy,
                    total: list.count, images: Array(Set(list.map(\.actual.image))).sorted(),
                    deployments: Array(Set(list.compactMap(\.actual.deployment))).sorted(), routes: routes))
            }
            result.append(ProjectStatus(project: project, services: services, lastDeployment: try store.history(project).last))
        }
        return result
    }

    /// Tears a project down: routes withdrawn first, then containers, networks and (when asked) volumes.
    public func down(_ project: String, repository: Repository, volumes: Bool) async throws -> ApplyReport {
        var remaining = repository
        remaining.projects.removeAll { $0.name == project }
        var options = ApplyOptions()
        options.projects = [project]
        options.pruneVolumes = volumes
        let prepared = try await prepare(remaining, options: options)
        return try await execute(prepared, options: options)
    }

    public struct RollbackError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Rolls services of a project back to the previous deployment's container specs, with the same
    /// zero-downtime switch as a rollout.
    public func rollback(_ project: String, service: String?, repository: Repository) async throws -> ApplyReport {
        let store = store(repository.platform)
        let history = try store.history(project)
        let prepared = try await prepare(repository, options: ApplyOptions())
        guard let state = prepared.desired.project(project) else {
            throw RollbackError(message: "project '\(project)' is not enabled in the repository")
        }
        let running = Dictionary(grouping: prepared.existing.filter { $0.role == nil && $0.actual.project == project }, by: \.actual.service)
        let names = service.map { [$0] } ?? state.services.map(\.name)
        var services: [ServiceSpec] = []
        for name in names {
            guard let current = running[name]?.first?.actual.configHash else {
                throw RollbackError(message: "service '\(name)' of project '\(project)' has no running replicas to roll back")
            }
            // The newest earlier deployment that succeeded and whose spec for this service differs from what
            // runs now (a failed deployment's spec never served).
            guard let record = history.reversed().filter({ $0.result == .succeeded }).compactMap({ $0.services.first { $0.name == name } })
                .first(where: { $0.configHash != current }) else {
                if service != nil {
                    throw RollbackError(message: "no earlier successful deployment of \(project)/\(name) to roll back to (Berth keeps the last \(store.keep))")
                }
                continue
            }
            guard var spec = state.service(name) else { continue }
            let repositoryFiles = spec.spec.files
            let repositorySecretEnvironment = spec.spec.secretEnvironment
            spec.spec = record.spec
            spec.spec.files = ServiceDeployer.restoringContents(record.spec.files, from: repositoryFiles)
            spec.spec.secretEnvironment = ServiceDeployer.restoringSecretEnvironment(record.spec.secretEnvironment, from: repositorySecretEnvironment)
            spec.configHash = record.configHash
            spec.replicas = record.replicas
            spec.strategy = record.strategy
            services.append(spec)
        }
        guard !services.isEmpty else {
            throw RollbackError(message: "no earlier deployment of project '\(project)' differs from what runs now")
        }
        var desired = prepared.desired
        if let i = desired.projects.firstIndex(where: { $0.name == project }) {
            for spec in services {
                if let j = desired.projects[i].services.firstIndex(where: { $0.name == spec.name }) { desired.projects[i].services[j] = spec }
                for k in desired.projects[i].routes.indices where desired.projects[i].routes[k].service == spec.name {
                    desired.projects[i].routes[k].upstreams = spec.replicas.map { .init(host: $0.name, port: desired.projects[i].routes[k].port) }
                }
            }
        }
        let plan = Planner(options: .init(projects: [project])).plan(desired: desired, actual: prepared.actual)
        let rollbackPlan = Plan(actions: plan.actions.filter { action in
            if case .rolloutService(let r) = action { return services.contains { $0.name == r.service.name } }
            return false
        }, routes: plan.routes)
        var options = ApplyOptions()
        options.projects = [project]
        return try await execute(PreparedApply(repository: repository, desired: desired, existing: prepared.existing,
                                               actual: prepared.actual, plan: rollbackPlan, proxyChange: nil,
                                               routed: prepared.routed), options: options)
    }
}
