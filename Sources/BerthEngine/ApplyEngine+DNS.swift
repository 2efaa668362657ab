import BerthConfig
import BerthPlan
import BerthProxy
import Foundation

/// The platform's DNS server (`dns.server`): its files under `<state>/<platform>/dns/`.
extension ApplyEngine {
    public func dnsStack(_ platform: PlatformConfig) -> DNSStack {
        DNSStack(directory: directory(platform).appendingPathComponent("dns"), platform: platform, runtime: runtime)
    }

    /// Renders the zones and keeps the server serving them; says what changed as a step event.
    ///
    /// The zones hold every project of the route table's state: this apply's whole repository and, with
    /// a session (the daemon's applies in flight at once), the projects the other applies brought in —
    /// so that a tenant's deploy never writes a zone without the tenant another deploy just added. With a
    /// session, one apply at a time does it (as for the proxy), on the containers as they are then.
    func ensureDNS(_ prepared: PreparedApply, table: RouteTable, session: PlatformSession?) async throws {
        let platform = prepared.desired.platform
        let stack = dnsStack(platform)
        let serving = (platform.dns?.server.kind ?? DNSServerKind.none) != DNSServerKind.none
        guard serving || stack.current(in: prepared.existing) != nil else { return }
        await session?.beginProxyWork()
        let outcome: DNSStack.Outcome
        do {
            let existing = session == nil ? prepared.existing : try await runtime.managedContainers().filter { $0.platform == platform.name }
            guard serving || stack.current(in: existing) != nil else {
                await session?.endProxyWork()
                return
            }
            outcome = try await stack.ensure(await table.state, existing: existing)
        } catch {
            await session?.endProxyWork()
            throw error
        }
        await session?.endProxyWork()
        var said: [String] = []
        if outcome.removed { said.append("removed the DNS server \(stack.containerName)") }
        if outcome.recreated { said.append("started the DNS server \(stack.containerName) on \(stack.queryAddress ?? "")") }
        for zone in outcome.updated.keys.sorted() { said.append("zone \(zone) serial \(outcome.updated[zone]!)") }
        if !said.isEmpty { events(ApplyEvent(.step, message: "dns: " + said.joined(separator: "; "))) }
    }
}
