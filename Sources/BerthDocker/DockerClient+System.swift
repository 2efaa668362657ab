import Foundation

extension DockerClient {
    /// Checks that the engine answers (`GET /_ping`).
    public nonisolated func ping() async throws {
        _ = try await sendRaw(.GET, "/_ping", context: "pinging the Docker engine")
    }

    /// The engine's version (`GET /version`, not versioned so that it works before negotiation).
    public nonisolated func version() async throws -> VersionInfo {
        let context = "asking the Docker engine for its version"
        let response = try await sendRaw(.GET, "/version", context: context)
        return try decode(VersionInfo.self, from: response, context: context)
    }

    /// Engine events from `since` (the engine replays recent ones) on, until the consumer stops iterating,
    /// which cancels the request. `filters` are Docker's, e.g. `["type": ["container"], "label": ["k=v"]]`.
    public nonisolated func events(
        since: Date? = nil, until: Date? = nil, filters: [String: [String]] = [:]
    ) -> AsyncThrowingStream<DockerEvent, any Error> {
        let context = "watching engine events"
        var query = QueryString()
        query.add("since", since.map(unixTimestamp))
        query.add("until", until.map(unixTimestamp))
        query.addFilters(filters)
        let request = query
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await openStream(.GET, "/events", query: request, context: context)
                    var pending: [UInt8] = []
                    for try await chunk in response.body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Data(pending[..<newline])
                            pending.removeSubrange(...newline)
                            if line.isEmpty { continue }
                            continuation.yield(try decodeEvent(line, context: context))
                        }
                    }
                    if !pending.isEmpty { continuation.yield(try decodeEvent(Data(pending), context: context)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: transportError(error, context: context))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private nonisolated func decodeEvent(_ line: Data, context: String) throws -> DockerEvent {
        do {
            return try JSONDecoder().decode(DockerEvent.self, from: line)
        } catch {
            throw DockerError(
                .decoding, message: "unexpected event \(String(decoding: line, as: UTF8.self)): \(error)", context: context,
                cause: error)
        }
    }
}
