import BerthConfig
import BerthPlan
import BerthProxy
import BerthRuntime

/// The proxy's route table as Berth manages it: which replicas each service's routes point at.
/// Every change renders the whole table and pushes it through the driver; pushes are serialized so
/// that a later table is never overwritten by an earlier one.
public actor RouteTable {
    let driver: any ProxyDriver
    var state: DesiredState
    /// `project/service` → container names the service's routes point at.
    var upstreams: [String: [String]]
    /// Container name → network → address. On the host network the proxy dials replicas by address
    /// (it has no Docker DNS); in a bridge container, by name.
    var addresses: [String: [String: String]]
    let byAddress: Bool
    /// Where the routes of the last confirmed push are recorded (for the planner's route diff).
    let record: RouteRecord?
    private let gate = AsyncGate()
    public private(set) var pushes = 0

    public init(driver: any ProxyDriver, state: DesiredState, upstreams: [String: [String]],
                addresses: [String: [String: String]] = [:], record: RouteRecord? = nil) {
        self.driver = driver
        self.state = state
        self.upstreams = upstreams
        self.addresses = addresses
        self.byAddress = state.platform.proxy.network == .host
        self.record = record
    }

    /// Another apply of the platform joins the table (`PlatformSession`): what it knows of `projects` — their
    /// routes, the replicas they point at, the replicas' addresses — replaces what the table had of them;
    /// the rest (other applies in flight) stays as it is. Projects the table does not know are taken too.
    public func adopt(_ desired: DesiredState, projects: [String], upstreams new: [String: [String]],
                      addresses newAddresses: [String: [String: String]]) {
        let mine = Set(projects)
        let isMine = { (key: String) in mine.contains(String(key.prefix { $0 != "/" })) }
        state.platform = desired.platform
        let known = Set(state.projects.map(\.name))
        state.projects.removeAll { mine.contains($0.name) }
        state.projects += desired.projects.filter { mine.contains($0.name) || !known.contains($0.name) }
        upstreams = upstreams.filter { !isMine($0.key) }
        for (key, containers) in new where isMine(key) || upstreams[key] == nil { upstreams[key] = containers }
        for (name, networks) in newAddresses where addresses[name] == nil { addresses[name] = networks }
    }

    /// Records where a new replica can be reached (before its routes point at it).
    public func register(_ name: String, addresses: [String: String]) {
        self.addresses[name] = addresses
    }

    /// Addresses handed out by `reserve` in this apply (not yet seen on a container).
    private var reserved: Set<UInt32> = []

    /// On the host network, `count` free addresses of `network`'s subnet for new replicas, which they
    /// are created with and keep across restarts (Docker would otherwise give a restarted container
    /// another address, and the proxy would dial a stale one). Empty: not needed (bridge mode, or a
    /// network whose subnet Berth did not carve).
    public func reserve(_ count: Int, on network: String) -> [String] {
        guard byAddress, count > 0, let spec = state.networks.first(where: { $0.name == network }),
              let subnet = IPv4Network(parsing: spec.subnet), subnet.prefix <= 30 else { return [] }
        let used = Set(addresses.values.compactMap { $0[network] }.compactMap(IPv4Network.parseAddress)).union(reserved)
        var result: [String] = []
        var candidate = subnet.address + 2  // network address and gateway excluded
        while result.count < count && candidate < subnet.last {
            if !used.contains(candidate) {
                reserved.insert(candidate)
                result.append(IPv4Network.format(candidate))
            }
            candidate += 1
        }
        return result.count == count ? result : []
    }

    /// The upstream host the proxy dials for a replica on `network`.
    public func host(of name: String, on network: String) -> String {
        byAddress ? addresses[name]?[network] ?? name : name
    }

    public static func key(_ project: String, _ service: String) -> String { "\(project)/\(service)" }

    public func current(_ project: String, _ service: String) -> [String] {
        upstreams[Self.key(project, service)] ?? []
    }

    /// Points a service's routes at `containers` (empty: the routes are withdrawn) and pushes.
    public func set(_ project: String, _ service: String, to containers: [String]) async throws {
        await gate.acquire()
        defer { gate.release() }
        let key = Self.key(project, service)
        let previous = upstreams[key]
        // Nothing was routed to the service and nothing will be: no push (there may be no proxy at all).
        if (previous ?? []).isEmpty && containers.isEmpty { return }
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
        await gate.acquire()
        defer { gate.release() }
        let routed = upstreams.contains { $0.key.hasPrefix("\(project)/") && !$0.value.isEmpty }
            || state.projects.contains { $0.name == project && !$0.routes.isEmpty }
        upstreams = upstreams.filter { !$0.key.hasPrefix("\(project)/") }
        state.projects.removeAll { $0.name == project }
        // A project without routes leaves the proxy as it is (there may be no proxy at all); the record
        // of what the proxy was given still drops the project.
        guard routed else {
            try record?.save(state.routes)
            return
        }
        try await pushLocked()
    }

    /// Pushes the table as it is (e.g. after the proxy was recreated).
    public func push() async throws {
        await gate.acquire()
        defer { gate.release() }
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
                r.upstreams = hosts.map { ProxyRoute.Upstream(host: host(of: $0, on: route.network), port: route.port) }
                return r
            }
        }
        return rendered
    }

    private func pushLocked() async throws {
        try await driver.push(rendered())
        pushes += 1
        try record?.save(state.routes)
    }
}
