import BerthConfig
import BerthPlan
import BerthRender

/// Prints a plan for people (+ create, ~ roll out, - remove) or as JSON.
struct PlanFormatter {
    let terminal: Terminal

    func text(_ plan: Plan) -> String {
        guard plan.hasChanges else { return "No changes: the platform matches the repository.\n" + leftOut(plan) }
        var out = ""
        let actionsByProject = Dictionary(grouping: plan.actions, by: \.project)
        let routesByProject = Dictionary(grouping: plan.routes, by: \.project)
        for project in plan.projects {
            out += terminal.paint("project \(project)", .bold) + "\n"
            let actions = actionsByProject[project] ?? []
            for action in actions {
                out += "  " + line(action) + "\n"
            }
            if actions.contains(where: { $0.change != .remove }) {
                for route in routesByProject[project] ?? [] { out += "    " + terminal.paint("→ \(Self.describe(route))", .dim) + "\n" }
                for note in plan.notes[project] ?? [] { out += "    " + terminal.paint("note: \(note)", .dim) + "\n" }
            }
        }
        let s = plan.summary
        out += "\nPlan: \(s.create) to create, \(s.rollout) to roll out, \(s.remove) to remove.\n"
        return out + leftOut(plan)
    }

    /// The services Compose profiles leave out, and how to run them.
    private func leftOut(_ plan: Plan) -> String {
        plan.leftOut.map { s in
            let names = s.profiles.joined(separator: ", ")
            return terminal.paint("Not deployed: \(s.project)/\(s.service) (profiles: \(names)); enable one under 'profiles' in projects/\(s.project)/project.yml to run it", .dim) + "\n"
        }.joined()
    }

    private func line(_ action: PlanAction) -> String {
        let symbol = action.change.symbol
        let style: Terminal.Style = action.change == .create ? .green : action.change == .update ? .yellow : .red
        let body: String
        switch action {
        case .createNetwork(let n):
            body = "network \(n.name) \(n.subnet)\(n.isInternal ? " (internal)" : "")"
        case .createVolume(let v):
            body = "volume \(v.name)"
        case .createService(let s):
            body = "service \(s.name): start \(s.replicas.count) replica\(s.replicas.count == 1 ? "" : "s") of \(s.spec.image) [\(s.shortHash)]"
                + (s.buildSummary.map { "; \($0)" } ?? "")
        case .rolloutService(let r):
            let s = r.service
            let from = Set(r.old.map { String($0.configHash.prefix(12)) }).sorted().joined(separator: ",")
            let why = switch r.reason {
            case .changed: "configuration changed"
            case .forced: "forced"
            case .repair: "replicas missing or unhealthy"
            }
            body = "service \(s.name): roll out \(from) → \(s.shortHash), \(s.strategy.rawValue) (\(s.strategyReason)); \(why)"
                + (r.contextDigestChanged.map { " (build context digest \($0.from.prefix(12)) → \($0.to.prefix(12)))" } ?? "")
                + (s.buildSummary.map { "; \($0)" } ?? "")
        case .scaleService(let s, let from):
            body = "service \(s.name): scale \(from) → \(s.replicas.count) replicas"
        case .removeService(_, let service, let containers):
            body = "service \(service): remove \(containers.count) container\(containers.count == 1 ? "" : "s")"
        case .removeNetwork(let n):
            body = "network \(n.name)"
        case .removeVolume(let v):
            body = "volume \(v.name) (data is deleted)"
        case .updateRoutes(let u):
            var parts: [String] = []
            parts += u.added.map { "add \(Self.describe($0))" }
            parts += u.changed.map { "change \($0.after.name) (\($0.fields.joined(separator: ", "))): \(Self.describe($0.before)) ⇒ \(Self.describe($0.after))" }
            parts += u.removed.map { "remove \(Self.describe($0))" }
            body = "routes: " + parts.joined(separator: "; ") + " (one proxy switch, no restarts)"
        }
        return terminal.paint(symbol, style) + " " + body
    }

    static func describe(_ route: ProxyRoute) -> String {
        switch route.proto {
        case .http:
            let hosts = route.hosts.map { $0 + (route.path == "/" ? "" : route.path) }.joined(separator: ", ")
            let chain = route.middlewares.isEmpty ? "" : " [\(route.middlewares.joined(separator: ", "))]"
            return "\(route.tls ? "https" : "http")://\(hosts) → \(route.service):\(route.port)\(chain)"
        case .tcp, .udp:
            return "\(route.proto.rawValue) :\(route.listenPort ?? 0)\(route.tls ? " (tls " + route.hosts.joined(separator: ",") + ")" : "") → \(route.service):\(route.port)"
        }
    }
}
