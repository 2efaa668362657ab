import Foundation

/// Where the Docker engine listens: a unix socket or a plain-HTTP tcp address.
public enum DockerEndpoint: Sendable, Hashable, CustomStringConvertible {
    case unixSocket(path: String)
    /// `tcp://host:port`, spoken as plain HTTP (TLS is not supported).
    case tcp(host: String, port: Int)

    public static let defaultHost = "unix:///var/run/docker.sock"

    /// The endpoint from, in order: the explicit value (`--docker-host`), `DOCKER_HOST`, the default socket.
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(DockerError) -> DockerEndpoint {
        if let explicit, !explicit.isEmpty { return try parse(explicit) }
        if let fromEnv = environment["DOCKER_HOST"], !fromEnv.isEmpty { return try parse(fromEnv) }
        return try parse(defaultHost)
    }

    /// Parses `unix:///path/to.sock` or `tcp://host:port` (`http://` is accepted as a synonym of `tcp://`).
    public static func parse(_ host: String) throws(DockerError) -> DockerEndpoint {
        if host.hasPrefix("unix://") {
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw invalid(host, "the socket path must be absolute") }
            return .unixSocket(path: path)
        }
        for scheme in ["tcp://", "http://"] where host.hasPrefix(scheme) {
            var rest = String(host.dropFirst(scheme.count))
            if rest.hasSuffix("/") { rest.removeLast() }
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                (1...65535).contains(port)
            else { throw invalid(host, "expected tcp://HOST:PORT") }
            var name = String(rest[..<colon])
            if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            guard !name.isEmpty else { throw invalid(host, "expected tcp://HOST:PORT") }
            return .tcp(host: name, port: port)
        }
        throw invalid(host, "use unix:///path/to/docker.sock or tcp://HOST:PORT")
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The URL of `pathAndQuery` (which starts with `/`) on this endpoint, as AsyncHTTPClient expects it.
    func url(_ pathAndQuery: String) -> String {
        switch self {
        case .unixSocket(let path):
            "http+unix://\(QueryString.escape(path))\(pathAndQuery)"
        case .tcp(let host, let port):
            host.contains(":") ? "http://[\(host)]:\(port)\(pathAndQuery)" : "http://\(host):\(port)\(pathAndQuery)"
        }
    }

    private static func invalid(_ host: String, _ why: String) -> DockerError {
        DockerError(.badRequest, message: "invalid Docker host \"\(host)\": \(why)", context: "resolving the Docker endpoint",
                    hint: "set DOCKER_HOST or --docker-host to unix:///var/run/docker.sock or tcp://HOST:PORT")
    }
}
