import BerthConfig

/// An ordered list of actions that turns the actual state into the desired one.
/// The engine executes them in order (projects in parallel where they do not depend on each other).
public struct Plan: Sendable {
    public var actions: [PlanAction]
    /// Routes per project as they will be after the plan (for display and for the proxy driver).
    public var routes: [ProxyRoute]

    public init(actions: [PlanAction], routes: [ProxyRoute]) {
        self.actions = actions
        self.routes = routes
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

    public var project: String {
        switch self {
        case .createNetwork(let n): n.project
        case .createVolume(let v): v.project
        case .createService(let s), .scaleService(let s, _): s.project
        case .rolloutService(let r): r.service.project
        case .removeService(let p, _, _): p
        case .removeNetwork(let n): n.project
        case .removeVolume(let v): v.project
        }
    }

    public var change: Change {
        switch self {
        case .createNetwork, .createVolume, .createService: .create
        case .rolloutService, .scaleService: .update
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
