import BerthConfig

/// An ordered list of actions that turns the actual state into the desired one.
/// The engine executes them in order (projects in parallel where they do not depend on each other).
public struct Plan: Sendable {
    public var actions: [PlanAction]
    /// Routes per project as they will be after the plan (for display and for the proxy driver).
    public var routes: [ProxyRoute]
    /// Per project: how compose.yml was mapped onto Berth's model (networks), shown with its actions.
    public var notes: [String: [String]] = [:]
    /// Services a project's compose.yml defines but that do not run, because none of their `profiles`
    /// is enabled in its project.yml (sorted by project, then service).
    public var leftOut: [LeftOutService] = []

    public init(actions: [PlanAction], routes: [ProxyRoute], leftOut: [LeftOutService] = []) {
        self.actions = actions
        self.routes = routes
        self.leftOut = leftOut
    }

    public var hasChanges: Bool { !actions.isEmpty }

    public var projects: [String] {
        var seen = Set<String>()
        return actions.map(\.project).filter { seen.insert($0).inserted }
    }

    public func actions(for project: String) -> [PlanAction] { actions.filter { $0.project == project } }

    public struct Summary: Sendable, Hashable, Codable {
        public var create = 0
        public var rollout = 0
        public var remove = 0
    }

    public var summary: Summary {
        var s = Summary()
        for action in actions {
            switch action.change {
            case .create: s.create += 1
            case .update: s.rollout += 1
            case .remove: s.remove += 1
            }
        }
        return s
    }
}

public enum Change: String, Sendable, Hashable, Codable {
    case create, update, remove

    public var symbol: String {
        switch self {
        case .create: "+"
        case .update: "~"
        case .remove: "-"
        }
    }
}

public enum PlanAction: Sendable, Hashable {
    case createNetwork(NetworkSpec)
    case createVolume(VolumeSpec)
    /// Start a service that has no replicas yet.
    case createService(ServiceSpec)
    /// Roll a service out to a new config hash (start-first or recreate, as the spec says).
    case rolloutService(ServiceRollout)
    /// Same hash, different replica count: start or stop replicas, no new version.
    case scaleService(ServiceSpec, from: Int)
    case removeService(project: String, service: String, containers: [ActualContainer])
    case removeNetwork(ActualNetwork)
    case removeVolume(ActualVolume)
    /// The project's routes changed (hosts, path, port, middlewares, health, TLS): one proxy switch,
    /// no container restarts.
    case updateRoutes(RouteUpdate)

    public var project: String {
        switch self {
        case .createNetwork(let n): n.project
        case .createVolume(let v): v.project
        case .createService(let s), .scaleService(let s, _): s.project
        case .rolloutService(let r): r.service.project
        case .removeService(let p, _, _): p
        case .removeNetwork(let n): n.project
        case .removeVolume(let v): v.project
        case .updateRoutes(let u): u.project
        }
    }

    public var change: Change {
        switch self {
        case .createNetwork, .createVolume, .createService: .create
        case .rolloutService, .scaleService, .updateRoutes: .update
        case .removeService, .removeNetwork, .removeVolume: .remove
        }
    }
}

public struct ServiceRollout: Sendable, Hashable {
    public var service: ServiceSpec
    /// The replicas running now (any hash other than the desired one, or all of them when forced).
    public var old: [ActualContainer]
    public var reason: Reason

    public enum Reason: String, Sendable, Hashable, Codable {
        /// The config hash changed.
        case changed
        /// Hash unchanged, rolled out because of `--force`.
        case forced
        /// Replicas are missing, stopped or unhealthy and are replaced.
        case repair
    }
}

/// How a project's routes differ from those the proxy has (matched by route name).
public struct RouteUpdate: Sendable, Hashable {
    public var project: String
    public var added: [ProxyRoute]
    public var removed: [ProxyRoute]
    /// `(before, after)` for routes whose settings changed.
    public var changed: [Changed]

    public struct Changed: Sendable, Hashable {
        public var before: ProxyRoute
        public var after: ProxyRoute
        /// The settings that differ: `hosts`, `path`, `port`, `middlewares`, `health`, `tls`, …
        public var fields: [String]
    }

    public init(project: String, added: [ProxyRoute], removed: [ProxyRoute], changed: [Changed]) {
        self.project = project
        self.added = added
        self.removed = removed
        self.changed = changed
    }

    /// nil when `desired` and `actual` (the project's routes, upstreams ignored) are the same.
    public static func diff(project: String, desired: [ProxyRoute], actual: [ProxyRoute]) -> RouteUpdate? {
        let strip = { (r: ProxyRoute) -> ProxyRoute in
            var c = r
            c.upstreams = []
            return c
        }
        let want = Dictionary(desired.map { ($0.name, strip($0)) }) { a, _ in a }
        let have = Dictionary(actual.map { ($0.name, strip($0)) }) { a, _ in a }
        let added = want.keys.filter { have[$0] == nil }.sorted().compactMap { want[$0] }
        let removed = have.keys.filter { want[$0] == nil }.sorted().compactMap { have[$0] }
        let changed = want.keys.sorted().compactMap { name -> Changed? in
            guard let a = want[name], let b = have[name], a != b else { return nil }
            var fields: [String] = []
            if a.service != b.service { fields.append("service") }
            if a.proto != b.proto { fields.append("protocol") }
            if a.hosts != b.hosts { fields.append("hosts") }
            if a.path != b.path { fields.append("path") }
            if a.port != b.port { fields.append("port") }
            if a.tls != b.tls { fields.append("tls") }
            if a.middlewares != b.middlewares { fields.append("middlewares") }
            if a.health != b.health { fields.append("health") }
            if a.entrypoint != b.entrypoint || a.listenPort != b.listenPort { fields.append("entrypoint") }
            return Changed(before: b, after: a, fields: fields.isEmpty ? ["settings"] : fields)
        }
        if added.isEmpty && removed.isEmpty && changed.isEmpty { return nil }
        return RouteUpdate(project: project, added: added, removed: removed, changed: changed)
    }
}

/// A service left out of the plan by Compose profiles: it runs once project.yml enables one of `profiles`.
public struct LeftOutService: Sendable, Hashable, Codable {
    public var project: String
    public var service: String
    public var profiles: [String]

    public init(project: String, service: String, profiles: [String]) {
        self.project = project
        self.service = service
        self.profiles = profiles
    }
}
