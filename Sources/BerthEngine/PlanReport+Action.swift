import BerthConfig
import BerthPlan

extension PlanReport {
    /// One action: `change` (create/update/remove), `project`, `kind` (network, volume, service,
    /// routes) and the fields of that kind; fields of other kinds are absent.
    public struct Action: Codable, Sendable, Equatable {
        public var change: Change
        public var project: String
        public var kind: String
        /// Services: create, rollout, scale or remove; routes: update.
        public var action: String?
        public var name: String?
        // network
        public var subnet: String?
        public var `internal`: Bool?
        public var role: String?
        // service
        public var reason: String?
        public var from: [String]?
        public var replace: [String]?
        public var fromReplicas: Int?
        public var service: String?
        public var image: String?
        public var configHash: String?
        public var strategy: String?
        public var strategyReason: String?
        public var replicas: [String]?
        public var networks: [String]?
        /// Names only: every value is `(sensitive)`.
        public var environment: [String: String]?
        public var build: Build?
        public var containers: [String]?
        // routes
        public var added: [Route]?
        public var removed: [Route]?
        public var changed: [RouteChange]?

        public struct Build: Codable, Sendable, Equatable {
            public var context: String
            public var dockerfile: String
            public var contextDigest: String?

            enum CodingKeys: String, CodingKey { case context, dockerfile, contextDigest = "context_digest" }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(context, forKey: .context)
                try c.encode(dockerfile, forKey: .dockerfile)
                try c.encode(contextDigest, forKey: .contextDigest)  // null, not absent
            }
        }

        public struct RouteChange: Codable, Sendable, Equatable {
            public var name: String
            public var fields: [String]
            public var before: Route
            public var after: Route
        }

        enum CodingKeys: String, CodingKey {
            case change, project, kind, action, name, subnet, `internal`, role, reason, from, replace
            case fromReplicas = "from_replicas", service, image, configHash = "config_hash", strategy
            case strategyReason = "strategy_reason", replicas, networks, environment, build, containers
            case added, removed, changed
        }

        init(change: Change, project: String, kind: String) {
            self.change = change
            self.project = project
            self.kind = kind
        }

        public init(_ action: PlanAction) {
            self.init(change: action.change, project: action.project, kind: "service")
            switch action {
            case .createNetwork(let n):
                kind = "network"
                (name, subnet, `internal`, role) = (n.name, n.subnet, n.isInternal, n.role.rawValue)
            case .createVolume(let v):
                kind = "volume"
                name = v.name
            case .createService(let s):
                self.action = "create"
                describe(s)
            case .rolloutService(let r):
                self.action = "rollout"
                reason = r.reason.rawValue
                from = Array(Set(r.old.map(\.configHash))).sorted()
                replace = r.old.map(\.name)
                describe(r.service)
            case .scaleService(let s, let from):
                self.action = "scale"
                fromReplicas = from
                describe(s)
            case .removeService(_, let name, let list):
                self.action = "remove"
                service = name
                containers = list.map(\.name)
            case .removeNetwork(let n):
                kind = "network"
                name = n.name
            case .removeVolume(let v):
                kind = "volume"
                name = v.name
            case .updateRoutes(let u):
                kind = "routes"
                self.action = "update"
                added = u.added.map(Route.init)
                removed = u.removed.map(Route.init)
                changed = u.changed.map { RouteChange(name: $0.after.name, fields: $0.fields, before: Route($0.before), after: Route($0.after)) }
            }
        }

        private mutating func describe(_ s: ServiceSpec) {
            service = s.name
            image = s.spec.image
            configHash = s.configHash
            strategy = s.strategy.rawValue
            strategyReason = s.strategyReason
            replicas = s.replicas.map(\.name)
            networks = s.replicas.first?.networks.map(\.network) ?? []
            // Values may be secrets: only the names are shown.
            let names = Set(s.spec.environment.keys).union((s.spec.secretEnvironment ?? [:]).keys)
            environment = Dictionary(uniqueKeysWithValues: names.map { ($0, "(sensitive)") })
            build = s.spec.build.map { Build(context: $0.context, dockerfile: $0.dockerfilePath, contextDigest: $0.contextDigest) }
        }
    }
}
