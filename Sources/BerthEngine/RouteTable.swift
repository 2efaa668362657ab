import BerthConfig
import BerthPlan

/// The proxy's route table as Berth manages it: which replicas each service's routes point at.
/// Every change renders the whole table and pushes it through the driver; pushes are serialized so
/// that a later table is never overwritten by an earlier one.
public actor RouteTable {
    let driver: any ProxyDriver
    var state: DesiredState
    /// `project/service` → container names the service's routes point at.
    var upstreams: [String: [String]]
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    public private(set) var pushes = 0

    public init(driver: any ProxyDriver, state: DesiredState, upstreams: [String: [String]]) {
        self.driver = driver
        self.state = state
        self.upstreams = upstreams
    }

    public static func key(_ project: String, _ service: String) -> String { "\(project)/\(service)" }

    public func current(_ project: String, _ service: String) -> [String] {
        upstreams[Self.key(project, service)] ?? []
    }

    /// Points a service's routes at `containers` (empty: the routes are withdrawn) and pushes.
    public func set(_ project: String, _ service: String, to containers: [String]) async throws {
        await acquire()
        defer { release() }
        let key = Self.key(project, service)
        let previous = upstreams[key]
        upstreams[key] = containers
        do {
            try await pushLocked()
        } catch {
            // Later pushes (other services) must not carry a change that was not confirmed.
            upstreams[key] = previous
            throw error
        }
    }

    /// Withdraws every route of a project (before it is torn down) and pushes.
    public func removeProject(_ project: String) async throws {
        await acquire()
        defer { release() }
        upstreams = upstreams.filter { !$0.key.hasPrefix("\(project)/") }
        state.projects.removeAll { $0.name == project }
        try await pushLocked()
    }

    /// Pushes the table as it is (e.g. after the proxy was recreated).
    public func push() async throws {
        await acquire()
        defer { release() }
        try await pushLocked()
    }

    /// The state the proxy is given: routes whose services have routed replicas, pointed at them.
    public func rendered() -> DesiredState {
        var rendered = state
        for i in rendered.projects.indices {
            rendered.projects[i].routes = rendered.projects[i].routes.compactMap { route in
                let hosts = upstreams[Self.key(route.project, route.service)] ?? []
                guard !hosts.isEmpty else { return nil }
                var r = route
                r.upstreams = hosts.map { ProxyRoute.Upstream(host: $0, port: route.port) }
                return r
            }
        }
        return rendered
    }

    private func pushLocked() async throws {
        try await driver.push(rendered())
        pushes += 1
    }

    private func acquire() async {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
    }

    private func release() {
        busy = false
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
