import BerthConfig
import BerthProxy
import Foundation

/// The platform's DNS server (`dns.server`): its files under `<state>/<platform>/dns/`.
extension ApplyEngine {
    public func dnsStack(_ platform: PlatformConfig) -> DNSStack {
        DNSStack(directory: directory(platform).appendingPathComponent("dns"), platform: platform, runtime: runtime)
    }

    /// Renders the zones of the whole desired state (a tenant project's deploy adds its hosts), and
    /// keeps the server serving them; says what changed as a step event.
    func ensureDNS(_ prepared: PreparedApply) async throws {
        let stack = dnsStack(prepared.desired.platform)
        guard prepared.desired.platform.dns?.server.kind ?? DNSServerKind.none != DNSServerKind.none || stack.current(in: prepared.existing) != nil else { return }
        let outcome = try await stack.ensure(prepared.desired, existing: prepared.existing)
        var said: [String] = []
        if outcome.removed { said.append("removed the DNS server \(stack.containerName)") }
        if outcome.recreated { said.append("started the DNS server \(stack.containerName) on \(stack.queryAddress ?? "")") }
        for zone in outcome.updated.keys.sorted() { said.append("zone \(zone) serial \(outcome.updated[zone]!)") }
        if !said.isEmpty { events(ApplyEvent(.step, message: "dns: " + said.joined(separator: "; "))) }
    }
}
