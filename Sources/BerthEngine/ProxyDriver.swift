import BerthConfig
import BerthPlan

/// Writes the proxy's routing and watches in-flight requests. One implementation per proxy kind.
public protocol ProxyDriver: Sendable {
    var kind: ProxyKind { get }
    /// Replaces the whole routing with `state`'s routes (upstreams already resolved) and confirms the
    /// proxy took it. One call is one reload at most.
    func push(_ state: DesiredState) async throws
    /// Container names the proxy routes to right now (to tell routed replicas from leftovers).
    func routedHosts() async throws -> Set<String>
    /// Waits until the given upstreams (`host:port`) have no request in flight, or the timeout passes.
    /// Returns whether they drained.
    func drain(_ upstreams: [String], timeout: TimeSpan) async -> Bool
}
