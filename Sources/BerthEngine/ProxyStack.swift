import BerthConfig
import BerthPlan
import BerthRender
import Foundation

/// The proxy container Berth manages: publishes the platform's ports, joins every project's ingress
/// network (and its own `berth_proxy` network for outbound ACME), and nothing else.
struct ProxyStack: Sendable {
    static let containerName = "berth-proxy"
    static let networkName = "berth_proxy"
    /// Where the proxy's admin socket and config file live on the host (bind-mounted at /run/berth).
    let directory: URL
    let platform: PlatformConfig
    let runtime: any ContainerRuntime

    var adminSocket: URL { directory.appendingPathComponent("admin.sock") }
    var caddyConfig: URL { directory.appendingPathComponent("caddy.json") }
    static let adminListen = "unix//run/berth/admin.sock"
    static let traefikAPIPort = 8089

    var caddyDriver: CaddyDriver {
        CaddyDriver(admin: CaddyAdmin(endpoint: .unixSocket(adminSocket.path)), configFile: caddyConfig, adminListen: Self.adminListen)
    }

    func driver() -> any ProxyDriver {
        switch platform.proxy.kind {
        case .caddy:
            return caddyDriver
        case .traefik:
            return TraefikDriver(directory: directory.appendingPathComponent("traefik"), api: "127.0.0.1:\(Self.traefikAPIPort)")
        }
    }

    /// What the proxy container is made from (including the state directory it mounts); a change recreates it.
    var signature: String {
        let p = platform.proxy
        return "\(p.kind.rawValue)|\(p.resolvedImage)|\(p.bindAddress)|\(p.httpPort)|\(p.httpsPort)|"
            + platform.entrypoints.values.map { "\($0.name):\($0.port)/\($0.proto.rawValue)" }.sorted().joined(separator: ",")
            + "|\(directory.path)"
    }

    /// Why the existing proxy container cannot be kept (nil: keep it). Besides changed settings, a
    /// proxy whose state directory was removed under it can no longer be configured: its mount shows
    /// the deleted directory, so Caddy's admin socket (or Traefik's file-provider directory) is gone.
    func staleness(of proxy: ManagedContainer, running: Bool) async -> String? {
        if proxy.labels["berth.proxy.signature"] != signature { return "its settings changed" }
        if !running { return "it is not running" }
        switch platform.proxy.kind {
        case .caddy:
            if await !CaddyAdmin(endpoint: .unixSocket(adminSocket.path)).ready() {
                return "its admin socket \(adminSocket.path) does not answer (was the state directory removed?)"
            }
        case .traefik:
            let dynamic = directory.appendingPathComponent("traefik")
            if !FileManager.default.fileExists(atPath: dynamic.path) {
                return "its configuration directory \(dynamic.path) is missing (was the state directory removed?)"
            }
        }
        return nil
    }

    /// Starts the proxy if it is not running with the current signature; joins it to `ingressNetworks`.
    /// Returns true when the proxy was (re)created and needs the whole route table again.
    func ensure(ingressNetworks: [String], existing: [ManagedContainer], initial: DesiredState) async throws -> Bool {
        let current = existing.first { $0.role == "proxy" }
        var recreated = false
        var running: ManagedContainer? = nil
        if let current {
            let alive = (try? await runtime.inspect(current.actual.id))?.running ?? false
            if await staleness(of: current, running: alive) == nil {
                running = current
            } else {
                try await runtime.remove(current.actual.id)
            }
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var attached = Set(running?.networks ?? [])
        if running == nil {
            if try await runtime.networkLabels(Self.networkName) == nil {
                try await runtime.createNetwork(NetworkSpec(
                    name: Self.networkName, project: "", role: .egress, subnet: "", gateway: "", isInternal: false,
                    labels: [Labels.managed: "true", Labels.role: "proxy"]))
            }
            try await runtime.ensureImage(platform.proxy.resolvedImage, policy: .missing, credentials: nil)
            try await create(initial: initial)
            attached = [Self.networkName]
            recreated = true
        }
        for network in ingressNetworks where !attached.contains(network) {
            try await runtime.connect(network: network, container: Self.containerName, aliases: [])
        }
        if recreated { try await waitReady() }
        return recreated
    }

    private func create(initial: DesiredState) async throws {
        var service = ComposeService(image: platform.proxy.resolvedImage)
        service.restart = "unless-stopped"
        service.stopGracePeriod = .seconds(10)
        var publish: [(ip: String, hostPort: Int, containerPort: Int)] = [
            (platform.proxy.bindAddress, platform.proxy.httpPort, platform.proxy.httpPort),
            (platform.proxy.bindAddress, platform.proxy.httpsPort, platform.proxy.httpsPort),
        ]
        var binds = [(host: directory.path, container: "/run/berth")]
        switch platform.proxy.kind {
        case .caddy:
            try? FileManager.default.removeItem(at: adminSocket)
            // Start from the last routes pushed (or none): a restarted proxy keeps routing.
            if !FileManager.default.fileExists(atPath: caddyConfig.path) {
                try OutputDirectory.writeAtomically(caddyDriver.document(initial).json(), to: caddyConfig)
            }
            service.command = ["caddy", "run", "--config", "/run/berth/caddy.json"]
        case .traefik:
            binds = [(host: directory.appendingPathComponent("traefik").path, container: "/etc/traefik"),
                     (host: directory.appendingPathComponent("letsencrypt").path, container: "/letsencrypt")]
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("letsencrypt"), withIntermediateDirectories: true)
            if platform.crowdsec.enabled, let key = ProcessInfo.processInfo.environment[platform.crowdsec.lapiKeyEnv] {
                // The bouncer key reaches Traefik's file-provider templates through its environment, never a file.
                service.environment[platform.crowdsec.lapiKeyEnv] = key
            }
            _ = try TraefikDriver(directory: directory.appendingPathComponent("traefik"), api: "").write(initial)
            publish.append(("127.0.0.1", Self.traefikAPIPort, 8080))
            for ep in platform.entrypoints.values { publish.append((platform.proxy.bindAddress, ep.port, ep.port)) }
        }
        var request = ContainerRequest(
            name: Self.containerName, image: platform.proxy.resolvedImage, service: service,
            labels: [Labels.managed: "true", Labels.role: "proxy", "berth.proxy.signature": signature],
            networks: [NetworkAttachment(network: Self.networkName, aliases: [])])
        request.publish = publish
        request.binds = binds
        let id = try await runtime.createContainer(request)
        try await runtime.start(id)
    }

    private func waitReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            switch platform.proxy.kind {
            case .caddy:
                if await CaddyAdmin(endpoint: .unixSocket(adminSocket.path)).ready() { return }
            case .traefik:
                if (try? await driver().routedHosts()) != nil { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let logs = (try? await runtime.logs(Self.containerName, tail: 20)) ?? ""
        throw ProxyFailure(message: "the proxy container did not become ready within 30s; its last log lines:\n\(logs)")
    }
}

struct ProxyFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
