import BerthConfig
import BerthPlan
import BerthRender
import BerthRuntime
import BerthSystem
import Foundation

/// The platform's DNS server (`dns.server.kind` coredns or knot), a container beside the proxy,
/// `berth-<platform>-dns`, publishing port 53 (udp and tcp) on `dns.server.address:port`.
///
/// Its files live in `<state>/<platform>/dns/` (mounted at `/etc/berth-dns`): the zone files, the
/// Corefile and knot.conf. Every apply renders them again; a zone file is rewritten only when one of
/// its records changed (with a higher serial), and then the server is told: Knot by SIGHUP, CoreDNS by
/// its `file` plugin, which reloads a zone whose serial changed. The apply waits until the server
/// answers each zone's SOA with the new serial.
public struct DNSStack: Sendable {
    public let directory: URL
    public let platform: PlatformConfig
    public let runtime: any ContainerRuntime
    public var readyTimeout: Duration = .seconds(20)

    public init(directory: URL, platform: PlatformConfig, runtime: any ContainerRuntime) {
        self.directory = directory
        self.platform = platform
        self.runtime = runtime
    }

    public var containerName: String { "berth-\(platform.name)-dns" }

    /// Whether `apply` runs a server at all.
    var server: DNSServerConfig? {
        guard let dns = platform.dns, dns.server.kind != .none else { return nil }
        return dns.server
    }

    /// Where to ask the server (its published address; 127.0.0.1 when it listens on every address).
    public var queryAddress: String? {
        server.map { "\($0.address == "0.0.0.0" ? "127.0.0.1" : $0.address):\($0.port)" }
    }

    public func current(in existing: [ManagedContainer]) -> ManagedContainer? {
        existing.first { $0.role == .dns && $0.actual.name == containerName }
    }

    /// The server's files as they would be written now (paths relative to `directory`).
    public func files(_ state: DesiredState, now: Date = Date()) -> [RenderedFile] {
        let prefix = DNSRenderer.directory + "/"
        // A file that cannot be read counts as none: the zone then gets a new (higher) serial, which is harmless.
        return DNSRenderer.render(state, previous: { path in
            try? String(contentsOf: directory.appendingPathComponent(String(path.dropFirst(prefix.count))), encoding: .utf8)
        }, now: now).map { RenderedFile(path: String($0.path.dropFirst(prefix.count)), contents: $0.contents) }
    }

    /// What the container is made from; a change recreates it (zones are in knot.conf and the Corefile).
    var signature: String {
        guard let dns = platform.dns, let server else { return "" }
        return "\(server.kind.rawValue)|\(server.resolvedImage)|\(server.address)|\(server.port)|\(directory.path)|"
            + dns.zones.joined(separator: ",") + "|" + dns.forwarders.joined(separator: ",")
    }

    /// What `apply` would change (nil: nothing), for the plan.
    public func pendingChange(_ state: DesiredState, existing: [ManagedContainer]) -> String? {
        let container = current(in: existing)
        guard let server else {
            return container.map { _ in "remove the DNS server \(containerName) (dns.server is not set)" }
        }
        let what = "\(containerName) (\(server.kind.rawValue), \(server.resolvedImage), \(server.address):\(server.port))"
        if container == nil { return "create the DNS server \(what)" }
        if container?.labels["berth.dns.signature"] != signature { return "recreate the DNS server \(what): its settings changed" }
        if container?.actual.running != true { return "recreate the DNS server \(what): it is not running" }
        let changed = changedZones(files(state))
        return changed.isEmpty ? nil : "update the DNS zone\(changed.count == 1 ? "" : "s") " + changed.map { "\($0.zone) (serial \($0.serial))" }.joined(separator: ", ")
    }

    /// Zone files whose contents differ from the ones on disk.
    func changedZones(_ files: [RenderedFile]) -> [(zone: String, serial: UInt32)] {
        files.filter { $0.path.hasSuffix(".zone") }.compactMap { file in
            let current = try? String(contentsOf: directory.appendingPathComponent(file.path), encoding: .utf8)
            guard current != file.contents else { return nil }
            return (String(file.path.dropLast(".zone".count)), DNSRenderer.serial(in: file.contents) ?? 0)
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// Zones whose file was rewritten, with their new serial.
        public var updated: [String: UInt32] = [:]
        public var recreated = false
        public var removed = false
    }

    /// Writes the files, (re)creates the server when needed, tells it about changed zones and waits
    /// until it answers every zone's SOA with the serial written.
    public func ensure(_ state: DesiredState, existing: [ManagedContainer]) async throws -> Outcome {
        var outcome = Outcome()
        let container = current(in: existing)
        guard let server else {
            if let container {
                try await runtime.stop(container.actual.id, timeout: 5)
                try await runtime.remove(container.actual.id)
                outcome.removed = true
            }
            return outcome
        }
        let keep = container.map { $0.labels["berth.dns.signature"] == signature && $0.actual.running } ?? false
        // Before anything is written: a port another process holds is an error that changes nothing
        // (a container to recreate holds its own port: checked once it is gone).
        if container == nil { try checkPortsFree(server) }
        let files = files(state)
        for (zone, serial) in changedZones(files) { outcome.updated[zone] = serial }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Zones first, then the configuration that names them; stale zone files go last.
        try OutputDirectory(root: directory, owned: []).write(files.sorted { $0.path.hasSuffix(".zone") && !$1.path.hasSuffix(".zone") })
        let wanted = Set(files.map(\.path))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasSuffix(".zone") && !wanted.contains(name) {
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        if let container, keep {
            if !outcome.updated.isEmpty && server.kind == .knot { try await runtime.kill(container.actual.id, signal: "HUP") }
        } else {
            if let container {
                try await runtime.stop(container.actual.id, timeout: 5)
                try await runtime.remove(container.actual.id)
                try checkPortsFree(server)
            }
            try await start(server)
            outcome.recreated = true
        }
        try await waitServing(files)
        return outcome
    }

    func checkPortsFree(_ server: DNSServerConfig) throws {
        for udp in [true, false] {
            if let problem = PortCheck.inUse(address: server.address, port: server.port, udp: udp) {
                throw Failure(container: containerName, message: "the DNS server cannot publish \(udp ? "udp" : "tcp") \(server.address):\(server.port): it is in use by another process (\(problem)); "
                    + "free it or change dns.server.port / dns.server.address in platform.yml")
            }
        }
    }

    private func start(_ server: DNSServerConfig) async throws {
        try await runtime.ensureImage(server.resolvedImage, policy: .missing, credentials: nil)
        let request = containerRequest(server)
        let id = try await runtime.createContainer(request)
        do {
            try await runtime.start(id)
        } catch {
            try? await runtime.remove(id)
            throw Failure(container: containerName, message: "the DNS server \(containerName) did not start: \(error)")
        }
    }

    /// The server's container: the files mounted at /etc/berth-dns, port 53 published (udp and tcp).
    /// CoreDNS's image runs `/coredns` (its entrypoint) with `-conf`; Knot's runs `knotd -c`.
    public func containerRequest(_ server: DNSServerConfig) -> ContainerRequest {
        var service = ComposeService(image: server.resolvedImage)
        service.restart = "unless-stopped"
        service.stopGracePeriod = .seconds(5)
        let dir = DNSRenderer.containerDirectory
        service.command = server.kind == .knot ? ["knotd", "-c", "\(dir)/knot.conf"] : ["-conf", "\(dir)/Corefile"]
        var request = ContainerRequest(
            name: containerName, image: server.resolvedImage, service: service,
            labels: [Labels.managed: "true", Labels.role: ResourceRole.dns.rawValue, Labels.platform: platform.name,
                     "berth.dns.signature": signature],
            networks: [])
        request.publish = [
            PublishedPort(ip: server.address, hostPort: server.port, containerPort: 53, proto: .udp),
            PublishedPort(ip: server.address, hostPort: server.port, containerPort: 53, proto: .tcp),
        ]
        request.binds = [(host: directory.path, container: dir)]
        return request
    }

    /// Until every zone's SOA comes back with the serial in its file (bounded by `readyTimeout`).
    private func waitServing(_ files: [RenderedFile]) async throws {
        guard let address = queryAddress else { return }
        let expected = files.filter { $0.path.hasSuffix(".zone") }.map { (String($0.path.dropLast(".zone".count)), DNSRenderer.serial(in: $0.contents) ?? 0) }
        var client = DNSClient(server: address)
        client.timeout = .milliseconds(500)
        client.attempts = 1
        let deadline = ContinuousClock.now + readyTimeout
        var last = ""
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            var pending: [String] = []
            for (zone, serial) in expected {
                do {
                    let answer = try client.query(zone, .soa)
                    let served = answer.answers.compactMap { if case .soa(_, _, let s, _, _, _, _) = $0.data { s } else { nil } }.first
                    if served != serial { pending.append("\(zone): serial \(served.map(String.init) ?? "none (\(answer.rcode))"), expected \(serial)") }
                } catch {
                    pending.append("\(zone): \(error)")
                }
            }
            if pending.isEmpty { return }
            last = pending.joined(separator: "; ")
            try await Task.sleep(for: .milliseconds(200))
        }
        // The log lines only explain the failure: without them the error still says what is wrong.
        let container = try? await runtime.managedContainers().first { $0.actual.name == containerName }
        let tail = if let container { (try? await runtime.logs(container.actual.id, tail: 20)) ?? "" } else { "" }
        throw Failure(container: containerName, message: "the DNS server \(containerName) does not serve the zones on \(address) within \(readyTimeout) (\(last))"
            + (tail.isEmpty ? "" : "\nits last log lines:\n\(tail)"))
    }
}
