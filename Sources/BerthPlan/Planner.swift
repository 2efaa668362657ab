import BerthConfig

/// Diffs a desired state against an actual one into an ordered plan:
/// 1. create networks and volumes (all projects, so link networks exist before any consumer starts);
/// 2. per project in dependency order, per service in depends_on order: create, roll out or scale;
/// 3. remove what the repository no longer has: services, then networks, then (only when asked) volumes.
public struct Planner: Sendable {
    public struct Options: Sendable {
        /// Roll out services even when their hash is unchanged.
        public var force: Bool = false
        /// Limit the plan to these projects (nil: all).
        public var projects: Set<String>?
        /// Remove volumes of removed projects too.
        public var pruneVolumes: Bool = false

        public init(force: Bool = false, projects: Set<String>? = nil, pruneVolumes: Bool = false) {
            self.force = force
            self.projects = projects
            self.pruneVolumes = pruneVolumes
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    public func plan(desired: DesiredState, actual: ActualState) -> Plan {
        let included = { (project: String) in options.projects?.contains(project) ?? true }
        let projects = desired.projects.filter { included($0.name) }
        let actualNetworks = Set(actual.networks.map(\.name))
        let actualVolumes = Set(actual.volumes.map(\.name))

        var setup: [PlanAction] = []
        for project in projects {
            setup += project.networks.filter { !actualNetworks.contains($0.name) }.map(PlanAction.createNetwork)
            setup += project.volumes.filter { !$0.external && !actualVolumes.contains($0.name) }.map(PlanAction.createVolume)
        }

        var deploy: [PlanAction] = []
        var removals: [PlanAction] = []
        var containersByService: [String: [ActualContainer]] = [:]
        for c in actual.containers { containersByService["\(c.project)/\(c.service)", default: []].append(c) }
        for project in projects {
            for service in project.services {
                let existing = (containersByService["\(project.name)/\(service.name)"] ?? []).sorted { $0.name < $1.name }
                if let action = serviceAction(service, existing: existing) { deploy.append(action) }
            }
            if let recorded = actual.routes,
               let update = RouteUpdate.diff(project: project.name, desired: project.routes,
                                             actual: recorded.filter { $0.project == project.name }) {
                deploy.append(.updateRoutes(update))
            }
            let wanted = Set(project.services.map(\.name))
            let gone = Set(actual.containers.filter { $0.project == project.name && !wanted.contains($0.service) }.map(\.service))
            for service in gone.sorted() {
                removals.append(.removeService(project: project.name, service: service,
                                               containers: containersByService["\(project.name)/\(service)"] ?? []))
            }
            let wantedNetworks = Set(project.networks.map(\.name))
            removals += actual.networks.filter { $0.project == project.name && !wantedNetworks.contains($0.name) }
                .sorted { $0.name < $1.name }.map(PlanAction.removeNetwork)
        }

        // Projects that exist on the engine but are gone from the repository (or disabled).
        let desiredNames = Set(desired.projects.map(\.name))
        for name in actual.projects.subtracting(desiredNames).sorted() where included(name) {
            let services = Set(actual.containers.filter { $0.project == name }.map(\.service))
            for service in services.sorted() {
                removals.append(.removeService(project: name, service: service, containers: containersByService["\(name)/\(service)"] ?? []))
            }
            removals += actual.networks.filter { $0.project == name }.sorted { $0.name < $1.name }.map(PlanAction.removeNetwork)
            if options.pruneVolumes {
                removals += actual.volumes.filter { $0.project == name }.sorted { $0.name < $1.name }.map(PlanAction.removeVolume)
            }
        }
        if options.pruneVolumes {
            for project in projects {
                let wanted = Set(project.volumes.map(\.name))
                removals += actual.volumes.filter { $0.project == project.name && !wanted.contains($0.name) }
                    .sorted { $0.name < $1.name }.map(PlanAction.removeVolume)
            }
        }
        // Services before networks before volumes: a network cannot go while containers use it.
        let ordered = removals.filter { if case .removeService = $0 { true } else { false } }
            + removals.filter { if case .removeNetwork = $0 { true } else { false } }
            + removals.filter { if case .removeVolume = $0 { true } else { false } }
        let leftOut = projects.sorted { $0.name < $1.name }.flatMap { p in
            p.leftOut.sorted { $0.key < $1.key }.map { LeftOutService(project: p.name, service: $0.key, profiles: $0.value) }
        }
        var plan = Plan(actions: setup + deploy + ordered, routes: projects.flatMap(\.routes), leftOut: leftOut)
        for project in projects where !project.notes.isEmpty { plan.notes[project.name] = project.notes }
        return plan
    }

    private func serviceAction(_ service: ServiceSpec, existing: [ActualContainer]) -> PlanAction? {
        if existing.isEmpty {
            return service.replicas.isEmpty ? nil : .createService(service)
        }
        let current = existing.filter { $0.configHash == service.configHash }
        if current.count < existing.count {
            return .rolloutService(ServiceRollout(service: service, old: existing, reason: .changed))
        }
        if options.force {
            return .rolloutService(ServiceRollout(service: service, old: existing, reason: .forced))
        }
        if current.contains(where: { !$0.running || $0.healthy == false }) {
            return .rolloutService(ServiceRollout(service: service, old: existing, reason: .repair))
        }
        if current.count != service.replicas.count {
            return .scaleService(service, from: current.count)
        }
        return nil
    }
}
