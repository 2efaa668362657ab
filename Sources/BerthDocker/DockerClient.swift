import AsyncHTTPClient
import Foundation
import NIOCore

/// A client of the Docker Engine API over a unix socket or plain tcp.
///
/// Every call has a deadline (`requestTimeout`, plus the stop grace period for `stop`) except the
/// streaming ones (`events`, followed `logs`), which run until cancelled. Errors are `DockerError`s
/// (or `CancellationError` when the calling task is cancelled). Call `shutdown()` when done, or use
/// `withDockerClient`.
public actor DockerClient {
    /// The oldest API version this client speaks (Docker 20.10).
    public static let minimumAPIVersion = APIVersion(1, 41)
    /// The newest API version this client was written against; newer engines are spoken to in this version.
    public static let maximumAPIVersion = APIVersion(1, 47)

    public nonisolated let endpoint: DockerEndpoint
    public nonisolated let requestTimeout: Duration
    nonisolated let http: HTTPClient
    private var negotiated: APIVersion?
    private var isShutDown = false

    /// Connects to `host` (`--docker-host`), else `DOCKER_HOST` from `environment`, else the default socket.
    public init(
        host: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30)
    ) throws {
        let endpoint = try DockerEndpoint.resolve(explicit: host, environment: environment)
        self.init(endpoint: endpoint, connectTimeout: connectTimeout, requestTimeout: requestTimeout)
    }

    public init(endpoint: DockerEndpoint, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: TimeAmount(connectTimeout)))
        // Fail at once when the engine is not there instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        // A client dropped without `shutdown()` still releases its connections, in the background.
        if !isShutDown { _ = http.shutdown() }
    }

    /// Closes the connections. The client cannot be used afterwards.
    public func shutdown() async throws {
        guard !isShutDown else { return }
        isShutDown = true
        try await http.shutdown()
    }

    /// The API version used for calls: the engine's own version, capped at `maximumAPIVersion`.
    /// Asks the engine once (`GET /version`) and remembers the answer.
    public func apiVersion() async throws -> APIVersion {
        if let negotiated { return negotiated }
        let info = try await version()
        let chosen = try Self.negotiate(server: info)
        negotiated = chosen
        return chosen
    }

    static func negotiate(server info: VersionInfo) throws -> APIVersion {
        let context = "negotiating the API version with Docker \(info.version)"
        guard let server = APIVersion(info.apiVersion) else {
            throw DockerError(.decoding, message: "unreadable ApiVersion \"\(info.apiVersion)\"", context: context)
        }
        guard server >= minimumAPIVersion else {
            throw DockerError(
                .server, message: "the engine speaks API \(server), older than \(minimumAPIVersion)", context: context,
                hint: "upgrade Docker to 20.10 or newer")
        }
        let chosen = min(server, maximumAPIVersion)
        if let minimum = info.minAPIVersion.flatMap(APIVersion.init), minimum > chosen {
            throw DockerError(
                .server, message: "the engine requires API \(minimum) or newer, this client speaks up to \(chosen)",
                context: context, hint: "use a Berth release that supports this Docker version")
        }
        return chosen
    }
}

/// Runs `body` with a client and shuts the client down afterwards, whether `body` succeeds or throws.
public func withDockerClient<Result>(
    host: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    _ body: (DockerClient) async throws -> Result
) async throws -> Result {
    let client = try DockerClient(host: host, environment: environment)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
