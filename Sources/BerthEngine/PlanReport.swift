import BerthConfig
import BerthPlan

/// A plan as data: what `berth plan --json` prints, the `plan` of apply's `planned` event, and what
/// a server returns for a plan. Secret values never appear (environment values are `(sensitive)`).
public struct PlanReport: Codable, Sendable, Equatable {
    public var changes: Bool
    public var summary: Plan.Summary
    public var actions: [Action]
    public var routes: [Route]
    /// Per project: how compose.yml was mapped onto Berth's model.
    public var notes: [String: [String]]
    public var leftOut: [LeftOut]
    /// Why the proxy container is created or recreated; null when it is kept (or, offline, unknown).
    public var proxyChange: String?
    /// What changes about the DNS server or its zones (`dns.server`); null when nothing does (or offline).
    public var dnsChange: String? = nil

    public struct LeftOut: Codable, Sendable, Equatable {
        public var project: String
        public var service: String
        public var profiles: [String]
    }

    enum CodingKeys: String, CodingKey {
        case changes, summary, actions, routes, notes
        case leftOut = "left_out", proxyChange = "proxy_change", dnsChange = "dns_change"
    }

    public init(_ plan: Plan, proxyChange: String? = nil) {
        changes = plan.hasChanges
        summary = plan.summary
        actions = plan.actions.map(Action.init)
        routes = plan.routes.map(Route.init)
        notes = plan.notes
        leftOut = plan.leftOut.map { LeftOut(project: $0.project, service: $0.service, profiles: $0.profiles) }
        self.proxyChange = proxyChange
    }

    /// The plan of a prepared apply, with its proxy change.
    public init(_ prepared: PreparedApply) {
        self.init(prepared.plan, proxyChange: prepared.proxyChange)
        dnsChange = prepared.dnsChange
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        changes = try c.decode(Bool.self, forKey: .changes)
        summary = try c.decode(Plan.Summary.self, forKey: .summary)
        actions = try c.decode([Action].self, forKey: .actions)
        routes = try c.decode([Route].self, forKey: .routes)
        notes = try c.decode([String: [String]].self, forKey: .notes)
        leftOut = try c.decode([LeftOut].self, forKey: .leftOut)
        proxyChange = try c.decodeIfPresent(String.self, forKey: .proxyChange)
        dnsChange = try c.decodeIfPresent(String.self, forKey: .dnsChange)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(changes, forKey: .changes)
        try c.encode(summary, forKey: .summary)
        try c.encode(actions, forKey: .actions)
        try c.encode(routes, forKey: .routes)
        try c.encode(notes, forKey: .notes)
        try c.encode(leftOut, forKey: .leftOut)
        try c.encode(proxyChange, forKey: .proxyChange)  // null, not absent
        try c.encode(dnsChange, forKey: .dnsChange)
    }

    /// A route as the plan shows it (upstreams as `host:port`).
    public struct Route: Codable, Sendable, Equatable {
        public var name: String
        public var project: String
        public var service: String
        public var proto: String
        public var hosts: [String]
        public var path: String
        public var tls: Bool
        public var entrypoint: String?
        public var port: Int
        public var middlewares: [String]
        public var upstreams: [String]

        enum CodingKeys: String, CodingKey {
            case name, project, service, proto = "protocol", hosts, path, tls, entrypoint, port, middlewares, upstreams
        }

        public init(_ r: ProxyRoute) {
            name = r.name
            project = r.project
            service = r.service
            proto = r.proto.rawValue
            hosts = r.hosts
            path = r.path
            tls = r.tls
            entrypoint = r.entrypoint
            port = r.port
            middlewares = r.middlewares
            upstreams = r.upstreams.map(\.address)
        }
    }
}
