import BerthConfig
import BerthPlan
import BerthRuntime
import BerthRender
import Foundation

/// Routing through Caddy's admin API. Every push is one `/load` (one reload), confirmed by reading
/// the configuration back; the same configuration is also written to the proxy's config file so a
/// restarted Caddy comes back with the current routes.
public struct CaddyDriver: ProxyDriver {
    public let kind = ProxyKind.caddy
    public var admin: CaddyAdmin
    /// Host path of the file the proxy container starts from.
    public var configFile: URL
    /// The admin address as Caddy itself sees it (inside the container).
    public var adminListen: String

    public init(admin: CaddyAdmin, configFile: URL, adminListen: String) {
        self.admin = admin
        self.configFile = configFile
        self.adminListen = adminListen
    }

    public func document(_ state: DesiredState) -> Document {
        CaddyRenderer.document(state, adminListen: adminListen)
    }

    public func push(_ state: DesiredState) async throws {
        let json = document(state).json()
        try await admin.load(Data(json.utf8))
        try OutputDirectory.writeAtomically(json, to: configFile)
    }

    public func routedHosts() async throws -> Set<String> {
        let data = try await admin.config()
        var hosts = Set<String>()
        Self.collectDials(try JSONSerialization.jsonObject(with: data), into: &hosts)
        return hosts
    }

    static func collectDials(_ value: Any, into hosts: inout Set<String>) {
        if let dict = value as? [String: Any] {
            if let dial = dict["dial"] as? String, let colon = dial.lastIndex(of: ":") {
                hosts.insert(String(dial[..<colon]))
            }
            for v in dict.values { collectDials(v, into: &hosts) }
        } else if let array = value as? [Any] {
            for v in array { collectDials(v, into: &hosts) }
        }
    }

    public func drain(_ targets: [DrainTarget], timeout: TimeSpan) async -> DrainResult {
        let wanted = Set(targets.map(\.upstream))
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(timeout.milliseconds)
        while ContinuousClock.now < deadline && !Task.isCancelled {
            // An admin API that does not answer for a moment (Caddy replacing its admin server) is
            // asked again: giving up would stop the old replicas with requests still in flight.
            if let current = try? await admin.upstreams(),
               !current.contains(where: { wanted.contains($0.address) && $0.numRequests > 0 }) {
                return DrainResult(drained: true, signal: "caddy upstream counters", waited: .now - start)
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return DrainResult(drained: false, signal: "caddy upstream counters", waited: .now - start)
    }
}
