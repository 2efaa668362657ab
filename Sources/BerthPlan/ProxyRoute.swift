import BerthConfig

/// One route of the proxy, independent of the proxy kind; each driver renders it.
public struct ProxyRoute: Sendable, Hashable, Codable {
    /// Unique, stable name: `<project>-<service>-<n>` (n counts the service's routes from 1).
    public var name: String
    public var project: String
    public var service: String
    public var proto: RouteProtocol
    public var hosts: [String]
    public var path: String
    public var tls: Bool
    /// For tcp/udp: the entrypoint name and its listening port.
    public var entrypoint: String?
    public var listenPort: Int?
    /// The full middleware chain: the platform's defaults (when enabled) then the route's own.
    public var middlewares: [String]
    public var upstreams: [Upstream]
    public var health: HealthProbe?
    public var port: Int

    public struct Upstream: Sendable, Hashable, Codable {
        /// The replica's container name, resolvable on the project's ingress network.
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var address: String { "\(host):\(port)" }
    }

    /// The network the proxy reaches the upstreams on.
    public var network: String { "\(project)_ingress" }
}

extension HealthProbe: Codable {
    enum CodingKeys: String, CodingKey { case path, interval, timeout, expectStatus = "expect_status" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        path = try c.decode(String.self, forKey: .path)
        interval = try c.decode(TimeSpan.self, forKey: .interval)
        timeout = try c.decode(TimeSpan.self, forKey: .timeout)
        expectStatus = try c.decodeIfPresent(Int.self, forKey: .expectStatus)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(interval, forKey: .interval)
        try c.encode(timeout, forKey: .timeout)
        try c.encodeIfPresent(expectStatus, forKey: .expectStatus)
    }
}
