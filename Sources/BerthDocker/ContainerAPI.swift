import Foundation

/// Container calls: `client.containers.list(…)`, `.create(…)`, `.start(…)`, …
public struct ContainerAPI: Sendable {
    let client: DockerClient

    /// Containers (running only unless `all`), optionally only those with every label filter
    /// (`key` or `key=value`).
    public func list(all: Bool = false, labelFilters: [String] = []) async throws -> [ContainerSummary] {
        var query = QueryString()
        query.add("all", all)
        query.addFilters(["label": labelFilters])
        return try await client.get([ContainerSummary].self, "/containers/json", query: query, context: "listing containers")
    }

    /// Creates a container and attaches it to all networks of `config.networkingConfig`; returns its id.
    ///
    /// The engine attaches one network on create (API 1.41): the one named by `hostConfig.networkMode`, else
    /// the first by name, which then also becomes the network mode. The others are connected before this
    /// returns; if that fails, the container is removed again and the error thrown.
    public func create(name: String?, config: ContainerConfig, platform: String? = nil) async throws -> String {
        let context = name.map { "creating container \($0)" } ?? "creating a container from \(config.image)"
        var first = config
        var later: [(network: String, endpoint: EndpointConfig)] = []
        if let endpoints = config.networkingConfig?.endpointsConfig, !endpoints.isEmpty {
            let names = endpoints.keys.sorted()
            let primary = config.hostConfig?.networkMode.flatMap { endpoints[$0] == nil ? nil : $0 } ?? names[0]
            first.networkingConfig = NetworkingConfig(endpointsConfig: endpoints.filter { $0.key == primary })
            var host = config.hostConfig ?? HostConfig()
            if host.networkMode == nil { host.networkMode = primary }
            first.hostConfig = host
            later = names.filter { $0 != primary }.compactMap { name in endpoints[name].map { (name, $0) } }
        }
        var query = QueryString()
        query.add("name", name)
        query.add("platform", platform)
        let response = try await client.send(.POST, "/containers/create", query: query, json: first, context: context)
        let id = try client.decode(CreatedID.self, from: response, context: context).id
        do {
            for (network, endpoint) in later {
                try await client.networks.connect(network, container: id, aliases: endpoint.aliases ?? [])
            }
        } catch var error as DockerError {
            try? await remove(id, force: true)
            error.context = "\(context): \(error.context)"
            throw error
        } catch {
            try? await remove(id, force: true)
            throw error
        }
        return id
    }

    /// Starts the container; starting a running container is not an error.
    public func start(_ id: String) async throws {
        _ = try await client.send(.POST, "/containers/\(QueryString.escapePath(id))/start", context: "starting container \(id)")
    }

    /// Stops the container: its stop signal, then SIGKILL after `timeout` seconds (the container's
    /// `StopTimeout` when nil). `signal` overrides the stop signal on API 1.42 and newer only; on 1.41
    /// it is ignored and the container's `StopSignal` (set at create) is used. Stopping a stopped
    /// container is not an error. The call's deadline is `requestTimeout` plus the grace period
    /// (`timeout`, or 300 s when nil).
    public func stop(_ id: String, timeout: Int? = nil, signal: String? = nil) async throws {
        var query = QueryString()
        query.add("t", timeout)
        if let signal, try await client.apiVersion() >= APIVersion(1, 42) { query.add("signal", signal) }
        _ = try await client.send(
            .POST, "/containers/\(QueryString.escapePath(id))/stop", query: query,
            timeout: client.requestTimeout + .seconds(timeout ?? 300), context: "stopping container \(id)")
    }

    /// Sends `signal` (SIGKILL when nil) to the container's main process.
    public func kill(_ id: String, signal: String? = nil) async throws {
        var query = QueryString()
        query.add("signal", signal)
        _ = try await client.send(
            .POST, "/containers/\(QueryString.escapePath(id))/kill", query: query, context: "killing container \(id)")
    }

    /// Removes the container; `force` kills it first if running, `volumes` also removes its anonymous volumes.
    public func remove(_ id: String, force: Bool = false, volumes: Bool = false) async throws {
        var query = QueryString()
        query.add("force", force)
        query.add("v", volumes)
        _ = try await client.send(
            .DELETE, "/containers/\(QueryString.escapePath(id))", query: query, context: "removing container \(id)")
    }

    /// Renames the container (names are unique on the engine: a taken name is a 409 conflict).
    public func rename(_ id: String, to name: String) async throws {
        var query = QueryString()
        query.add("name", name)
        _ = try await client.send(
            .POST, "/containers/\(QueryString.escapePath(id))/rename", query: query, context: "renaming container \(id) to \(name)")
    }

    public func inspect(_ id: String) async throws -> ContainerDetails {
        try await client.get(
            ContainerDetails.self, "/containers/\(QueryString.escapePath(id))/json", context: "inspecting container \(id)")
    }

    /// The container's output so far (stdout and stderr), decoded into lines; bounded by `requestTimeout`.
    public func logLines(_ id: String, since: Date? = nil, tail: Int? = nil) async throws -> [LogLine] {
        let context = "reading the logs of container \(id)"
        let tty = try await inspect(id).config.tty ?? false
        let path = "/containers/\(QueryString.escapePath(id))/logs"
        let response = try await client.send(.GET, path, query: Self.logQuery(since: since, tail: tail, follow: false), context: context)
        var decoder = LogDecoder(multiplexed: !tty)
        return decoder.feed(response.body.readableBytesView) + decoder.finish()
    }

    /// The container's output as a stream of lines; with `follow`, it continues with new output until
    /// the container stops or the consumer stops iterating (which cancels the request).
    public func logs(_ id: String, since: Date? = nil, tail: Int? = nil, follow: Bool = false) -> AsyncThrowingStream<LogLine, any Error> {
        let context = "reading the logs of container \(id)"
        let client = self.client
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let tty = try await inspect(id).config.tty ?? false
                    let response = try await client.openStream(
                        .GET, "/containers/\(QueryString.escapePath(id))/logs",
                        query: Self.logQuery(since: since, tail: tail, follow: follow), context: context)
                    var decoder = LogDecoder(multiplexed: !tty)
                    for try await chunk in response.body {
                        for line in decoder.feed(chunk.readableBytesView) { continuation.yield(line) }
                    }
                    for line in decoder.finish() { continuation.yield(line) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: client.transportError(error, context: context))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func logQuery(since: Date?, tail: Int?, follow: Bool) -> QueryString {
        var query = QueryString()
        query.add("stdout", true)
        query.add("stderr", true)
        query.add("follow", follow)
        query.add("since", since.map(unixTimestamp))
        query.add("tail", tail.map(String.init) ?? "all")
        return query
    }
}

/// `1700000000.123456789`: seconds since 1970 as Docker's `since`/`until` parameters take them.
func unixTimestamp(_ date: Date) -> String {
    let interval = date.timeIntervalSince1970
    let seconds = interval.rounded(.down)
    let nanos = min(999_999_999, max(0, Int(((interval - seconds) * 1_000_000_000).rounded())))
    let digits = String(nanos)
    return "\(Int(seconds)).\(String(repeating: "0", count: 9 - digits.count))\(digits)"
}

extension DockerClient {
    public nonisolated var containers: ContainerAPI { ContainerAPI(client: self) }
}
