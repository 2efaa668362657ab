/// One published port of a service (Compose `ports`), ranges expanded to one entry per port.
public struct ComposePort: Sendable, Hashable, Codable {
    public enum Proto: String, Sendable, Hashable, Codable, CaseIterable { case tcp, udp }

    /// The host address it is bound to (nil: every address, as Docker's default).
    public var hostIP: String?
    /// nil: an ephemeral port chosen by Docker.
    public var hostPort: Int?
    public var containerPort: Int
    public var proto: Proto

    public init(hostIP: String? = nil, hostPort: Int?, containerPort: Int, proto: Proto = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    /// `127.0.0.1:8080:80/tcp`, as Compose's short syntax writes it.
    public var description: String {
        let host = [hostIP, hostPort.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return (host.isEmpty ? "" : host + ":") + "\(containerPort)/\(proto.rawValue)"
    }

    /// Whether it binds the host's loopback only.
    public var isLoopback: Bool { hostIP.map { $0.hasPrefix("127.") || $0 == "::1" } ?? false }
}

/// Which published ports (Compose `ports`) the platform allows (`policy.published_ports`).
public enum PublishedPortsPolicy: String, Sendable, Hashable, CaseIterable {
    /// Any address, as in the Compose file.
    case any
    /// Only ports bound to a loopback address (127.0.0.1:…): reachable from the host, not the network.
    case loopback
    /// None: every service is reached through the proxy (miuOps' rule).
    case none
}
