import BerthConfig
import BerthPlan

/// Writes the proxy's routing and watches in-flight requests. One implementation per proxy kind.
public protocol ProxyDriver: Sendable {
    var kind: ProxyKind { get }
    /// Replaces the whole routing with `state`'s routes (upstreams already resolved) and confirms the
    /// proxy took it. One call is one reload at most.
    func push(_ state: DesiredState) async throws
    /// The upstream hosts (container names, or addresses on the host network) the proxy routes to right
    /// now, to tell routed replicas from leftovers. Throws when the proxy cannot be read.
    func routedHosts() async throws -> Set<String>
    /// Waits until the given old replicas have no request in flight, or the timeout passes.
    func drain(_ targets: [DrainTarget], timeout: TimeSpan) async -> DrainResult
}

/// One old replica to drain: the upstream the proxy dialled, and where to look at its connections.
public struct DrainTarget: Sendable, Hashable {
    /// Container name.
    public var name: String
    /// `host:port` as the proxy's routing names it (what Caddy reports in-flight counts for).
    public var upstream: String
    /// The replica's address on the ingress network and the port the proxy connects to.
    public var address: String
    public var port: Int
    /// The replica's main process on the host (its network namespace holds the connections); 0: unknown.
    public var pid: Int32

    public init(name: String, upstream: String, address: String, port: Int, pid: Int32) {
        self.name = name
        self.upstream = upstream
        self.address = address
        self.port = port
        self.pid = pid
    }
}

public struct DrainResult: Sendable, Hashable {
    /// The old replicas had nothing in flight before the timeout.
    public var drained: Bool
    /// How it was decided (`caddy upstream counters`, `tcp connections`, `fixed wait`).
    public var signal: String
    public var waited: Duration

    public init(drained: Bool, signal: String, waited: Duration) {
        self.drained = drained
        self.signal = signal
        self.waited = waited
    }
}
