import BerthConfig
import BerthPlan
import BerthRender
import BerthRuntime
import Foundation

/// The proxy container Berth manages, one per platform (`berth-<platform>-proxy`).
///
/// On the host network (the default) it listens on `bind_address` itself and sees every client's
/// real address; it reaches the replicas at their addresses on the projects' ingress networks. In
/// bridge mode it publishes its ports through Docker and joins every project's ingress network (and
/// its own `berth-<platform>_proxy` network for outbound ACME).
///
/// Replacing it never leaves the platform without a proxy that could have kept serving: the new
/// container is created beside the old one, the old one is stopped, the ports are checked free, and
/// only a new proxy that answers replaces it; otherwise the old one is started again.
public struct ProxyStack: Sendable {
    /// Where the proxy's admin socket and config files live on the host (bind-mounted).
    public let directory: URL
    public let platform: PlatformConfig
    public let runtime: any ContainerRuntime
    public var readyTimeout: Duration = .seconds(30)
    /// The platform's key for digests of secrets (`<state>/<platform>/hash.key`): the DNS provider's
    /// credentials count in the signature by an HMAC with it. Without one, a credential change alone
    /// does not recreate the proxy.
    public var digestKey: Data?

    public init(directory: URL, platform: PlatformConfig, runtime: any ContainerRuntime) {
        self.directory = directory
        self.platform = platform
        self.runtime = runtime
    }

    public var containerName: String { platform.proxyContainerName }
    var replacementName: String { "\(containerName)-next" }
    var networkName: String { platform.proxyNetworkName }

    var adminSocket: URL { directory.appendingPathComponent("admin.sock") }
    var caddyConfig: URL { directory.appendingPathComponent("caddy.json") }
    var traefikDirectory: URL { directory.appendingPathComponent("traefik") }
    /// With crowdsec enabled: the proxy's access log directory (mounted at CrowdSecRenderer.proxyLogDirectory).
    public var logDirectory: URL { directory.appendingPathComponent("logs") }
    public var accessLog: URL { logDirectory.appendingPathComponent("access.log") }
    /// With crowdsec enabled: CrowdSec's acquisition and parser and the firewall bouncer's configuration.
    public var crowdsecDirectory: URL { directory.deletingLastPathComponent().appendingPathComponent("crowdsec") }
    static let adminListen = "unix//run/berth/admin.sock"

    var caddyDriver: CaddyDriver {
        CaddyDriver(admin: CaddyAdmin(endpoint: .unixSocket(adminSocket.path)), configFile: caddyConfig, adminListen: Self.adminListen)
    }

    public func driver() -> any ProxyDriver {
        switch platform.proxy.kind {
        case .caddy:
            return caddyDriver
        case .traefik:
            return TraefikDriver(directory: traefikDirectory, api: "127.0.0.1:\(platform.proxy.apiPort)")
        }
    }

    /// The platform's proxy among the managed containers (not a replacement left by a crash).
    public func current(in existing: [ManagedContainer]) -> ManagedContainer? {
        existing.first { $0.role == .proxy && $0.actual.name == containerName }
    }

    /// What the proxy container is made from (including the state directory it mounts); a change recreates it.
    var signature: String {
        let p = platform.proxy
        return "\(p.kind.rawValue)|\(p.resolvedImage)|\(p.network.rawValue)|\(p.bindAddress)|\(p.httpPort)|\(p.httpsPort)|\(p.apiPort)|"
            + platform.entrypoints.values.map { "\($0.name):\($0.port)/\($0.proto.rawValue)" }.sorted().joined(separator: ",")
            + "|\(directory.path)" + (platform.crowdsec.enabled ? "|crowdsec" : "") + (p.kind == .caddy ? "|data" : "") + acmeSignature
    }

    /// Why the existing proxy container cannot be kept (nil: keep it). Besides changed settings, a
    /// proxy whose state directory was removed under it can no longer be configured: its mount shows
    /// the deleted directory, so Caddy's admin socket (or Traefik's file-provider directory) is gone.
    public func staleness(of proxy: ManagedContainer, running: Bool) async -> String? {
        if proxy.labels["berth.proxy.signature"] != signature { return "its settings changed" }
        if !running { return "it is not running" }
        switch platform.proxy.kind {
        case .caddy:
            if await !CaddyAdmin(endpoint: .unixSocket(adminSocket.path)).ready() {
                return "its admin socket \(adminSocket.path) does not answer (was the state directory removed?)"
            }
        case .traefik:
            if !FileManager.default.fileExists(atPath: traefikDirectory.path) {
                return "its configuration directory \(traefikDirectory.path) is missing (was the state directory removed?)"
            }
        }
        return nil
    }

    /// Starts the proxy if it is not running with the current signature; in bridge mode joins it to
    /// `ingressNetworks`. Returns true when the proxy was (re)created and needs the whole route table again.
    public func ensure(ingressNetworks: [String], existing: [ManagedContainer], initial: DesiredState) async throws -> Bool {
        // A replacement left behind by an interrupted recreate is never the proxy.
        for leftover in existing where leftover.role == .proxy && leftover.actual.name == replacementName {
            try await runtime.remove(leftover.actual.id)
        }
        // Rewritten on every apply, so that a changed lapi_url reaches the bouncer's file without a new proxy.
        if platform.crowdsec.enabled { try writeCrowdSecFiles() }
        let current = current(in: existing)
        var recreated = false
        if let current {
            let alive = (try? await runtime.inspect(current.actual.id))?.running ?? false
            if await staleness(of: current, running: alive) != nil {
                try await replace(current, wasRunning: alive, initial: initial)
                recreated = true
            }
        } else {
            try await prepareFiles(initial: initial)
            try checkPortsFree()
            let id = try await create(name: containerName)
            do {
                try await runtime.start(id)
                try await waitReady()
            } catch {
                let logs = (try? await runtime.logs(id, tail: 20)) ?? ""
                try? await runtime.remove(id)
                throw ProxyFailure(message: "the proxy \(containerName) did not start: \(error)\(logs.isEmpty ? "" : "\nits last log lines:\n\(logs)")")
            }
            recreated = true
        }
        if platform.proxy.network == .bridge {
            let attached = recreated ? Set([networkName]) : Set(current?.networks ?? [])
            for network in ingressNetworks where !attached.contains(network) {
                try await runtime.connect(network: network, container: containerName, aliases: [])
            }
        }
        return recreated
    }

    /// The old proxy keeps its name (and keeps serving) until a replacement answers.
    private func replace(_ old: ManagedContainer, wasRunning: Bool, initial: DesiredState) async throws {
        // The old proxy starts from the same files: keep them to start it again as it was.
        let startFiles = [caddyConfig, traefikDirectory.appendingPathComponent("traefik.yml")]
        let saved = startFiles.map { try? Data(contentsOf: $0) }
        try await prepareFiles(initial: initial)
        let id = try await create(name: replacementName)
        if wasRunning { try await runtime.stop(old.actual.id, timeout: 10) }
        do {
            try checkPortsFree()
            try? FileManager.default.removeItem(at: adminSocket)
            try await runtime.start(id)
            try await waitReady()
        } catch {
            let logs = (try? await runtime.logs(id, tail: 20)) ?? ""
            try? await runtime.remove(id)
            var restored = ""
            if wasRunning {
                for (file, data) in zip(startFiles, saved) { if let data { try? data.write(to: file, options: .atomic) } }
                try? FileManager.default.removeItem(at: adminSocket)
                do {
                    try await runtime.start(old.actual.id)
                    try await waitReady()
                    restored = "; the previous proxy was started again and keeps serving"
                } catch {
                    restored = "; starting the previous proxy again failed too: \(error)"
                }
            }
            throw ProxyFailure(message: "the new proxy did not start (\(error))\(restored)\(logs.isEmpty ? "" : "\nits last log lines:\n\(logs)")")
        }
        try await runtime.remove(old.actual.id)
        try await runtime.rename(id, to: containerName)
    }

    /// The files the new proxy starts from: the current routes, so that it serves at once.
    private func prepareFiles(initial: DesiredState) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch platform.proxy.kind {
        case .caddy:
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
            try copyCARoot()
            try OutputDirectory.writeAtomically(caddyDriver.document(initial).json(), to: caddyConfig)
        case .traefik:
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("letsencrypt"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: traefikDirectory, withIntermediateDirectories: true)
            try copyCARoot()
            _ = try TraefikDriver(directory: traefikDirectory, api: "").write(initial)
        }
        if platform.proxy.network == .bridge, try await runtime.networkLabels(networkName) == nil {
            try await runtime.createNetwork(NetworkSpec(
                name: networkName, project: "", role: .egress, subnet: "", gateway: "", isInternal: false,
                labels: [Labels.managed: "true", Labels.role: ResourceRole.proxy.rawValue, Labels.platform: platform.name]))
        }
        try await runtime.ensureImage(platform.proxy.resolvedImage, policy: .missing, credentials: nil)
    }

    /// The access log's directory (and the file, so that CrowdSec can follow it from the start), and
    /// `crowdsec/` with the acquisition, the raw parser and the bouncer configuration.
    private func writeCrowdSecFiles() throws {
        let files = FileManager.default
        try files.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        if !files.fileExists(atPath: accessLog.path) { _ = files.createFile(atPath: accessLog.path, contents: nil) }
        for file in CrowdSecRenderer.files(platform, accessLog: accessLog.path) {
            let url = crowdsecDirectory.appendingPathComponent(file.path)
            try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try OutputDirectory.writeAtomically(file.contents, to: url)
        }
    }

    /// Every port the proxy listens on (tcp and udp), as `(proto, port)`.
    var listeningPorts: [(PublishedPort.Proto, Int)] {
        var ports: [(PublishedPort.Proto, Int)] = [(.tcp, platform.proxy.httpPort), (.tcp, platform.proxy.httpsPort)]
        if platform.proxy.kind == .traefik { ports.append((.tcp, platform.proxy.apiPort)) }
        for ep in platform.entrypoints.values.sorted(by: { $0.name < $1.name }) { ports.append((ep.proto == .udp ? .udp : .tcp, ep.port)) }
        return ports
    }

    /// Fails, naming the port, when another process listens on one of the proxy's ports.
    func checkPortsFree() throws {
        for (proto, port) in listeningPorts {
            let address = proto == .tcp && port == platform.proxy.apiPort && platform.proxy.kind == .traefik ? "127.0.0.1" : platform.proxy.bindAddress
            if let problem = PortCheck.inUse(address: address, port: port, udp: proto == .udp) {
                throw ProxyFailure(message: "\(proto.rawValue) port \(address):\(port) is in use by another process (\(problem)); "
                    + "free it or change the port in platform.yml (proxy.http_port, proxy.https_port, proxy.api_port, entrypoints)")
            }
        }
    }

    private func create(name: String) async throws -> String {
        var service = ComposeService(image: platform.proxy.resolvedImage)
        service.restart = "unless-stopped"
        service.stopGracePeriod = .seconds(10)
        var binds = [(host: directory.path, container: "/run/berth")]
        switch platform.proxy.kind {
        case .caddy:
            service.command = ["caddy", "run", "--config", "/run/berth/caddy.json"]
            // Certificates survive a recreate of the proxy: Caddy's data directory is in the state directory.
            binds.append((host: directory.appendingPathComponent("data").path, container: CaddyRenderer.dataDirectory))
            service.environment["XDG_DATA_HOME"] = CaddyRenderer.dataDirectory
        case .traefik:
            binds = [(host: traefikDirectory.path, container: "/etc/traefik"),
                     (host: directory.appendingPathComponent("letsencrypt").path, container: "/letsencrypt")]
            for (name, value) in acmeEnvironment { service.environment[name] = value }
        }
        let bridge = platform.proxy.network == .bridge
        var request = ContainerRequest(
            name: name, image: platform.proxy.resolvedImage, service: service,
            labels: [Labels.managed: "true", Labels.role: ResourceRole.proxy.rawValue, Labels.platform: platform.name,
                     "berth.proxy.signature": signature],
            networks: bridge ? [NetworkAttachment(network: networkName, aliases: [])] : [])
        request.hostNetwork = !bridge
        if bridge {
            let bind = platform.proxy.bindAddress
            request.publish = [
                PublishedPort(ip: bind, hostPort: platform.proxy.httpPort, containerPort: platform.proxy.httpPort),
                PublishedPort(ip: bind, hostPort: platform.proxy.httpsPort, containerPort: platform.proxy.httpsPort),
            ]
            if platform.proxy.kind == .traefik {
                request.publish.append(PublishedPort(ip: "127.0.0.1", hostPort: platform.proxy.apiPort, containerPort: 8080))
                for ep in platform.entrypoints.values.sorted(by: { $0.name < $1.name }) {
                    request.publish.append(PublishedPort(ip: bind, hostPort: ep.port, containerPort: ep.port, proto: ep.proto == .udp ? .udp : .tcp))
                }
            }
        }
        if platform.crowdsec.enabled { binds.append((host: logDirectory.path, container: CrowdSecRenderer.proxyLogDirectory)) }
        request.binds = binds
        return try await runtime.createContainer(request)
    }

    private func waitReady() async throws {
        let deadline = ContinuousClock.now + readyTimeout
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            switch platform.proxy.kind {
            case .caddy:
                if await CaddyAdmin(endpoint: .unixSocket(adminSocket.path)).ready() { return }
            case .traefik:
                if (try? await driver().routedHosts()) != nil { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProxyFailure(message: "it did not answer within \(readyTimeout)")
    }
}

public struct ProxyFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
